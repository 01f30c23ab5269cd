package io.usmp.bench;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.FrameCipher;
import io.usmp.protocol.PskResolver;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The key figures in thread CPU time rather than wall time, figure and bound interleaved in one
 * JVM, round after round: on a shared machine whose load swings by the second, wall-clock JMH
 * forks measured minutes apart do not compare, CPU time of the measuring thread does (far better).
 * {@code BenchMain cpu [rounds]}. Server handshake CPU is summed over the server's two steps only.
 */
public final class CpuBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private CpuBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        EngineSettings settings = EngineSettings.defaults(UsmpCrypto.defaults());
        PskResolver psks = PskResolver.shared(HandshakeBench.PSK);
        var bc = new BouncyCastleProvider();
        KeyPairGenerator gen = KeyPairGenerator.getInstance("X25519", bc);
        KeyAgreement ka = KeyAgreement.getInstance("X25519", bc);
        PublicKey peer = gen.generateKeyPair().getPublic();
        byte[] keys = new byte[64];
        Arrays.fill(keys, (byte) 7);
        byte[] sid = new byte[16];
        FrameCipher sealer = FrameCipher.create(UsmpCrypto.defaults(), keys, 0, sid);
        FrameCipher opener = FrameCipher.create(UsmpCrypto.defaults(), keys, 0, sid);
        byte[] msg = new byte[452];
        byte[] sealedFixed = sealer.seal(PacketType.DATA, 1, msg, 0, msg.length);
        Cipher raw = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec rawKey = new SecretKeySpec(keys, 0, 32, "AES");
        byte[] aad = Frame.aad(PacketType.DATA, 1, 480);
        raw.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, Frame.nonce(1, sid)));
        raw.updateAAD(aad);
        byte[] rawSealed = raw.doFinal(msg);

        double[][] r = new double[7][rounds];
        long seq = 10;
        for (int round = -3; round < rounds; round++) { // three warm-up rounds
            int hs = 200;
            long serverNs = 0;
            for (int i = 0; i < hs; i++) {
                UsmpEngine client = UsmpEngine.client(settings, HandshakeBench.DEVICE, HandshakeBench.PSK, 0);
                UsmpEngine server = UsmpEngine.server(settings, psks, 0);
                client.start(0);
                byte[] hello = client.pollOutput();
                long t = CPU.getCurrentThreadCpuTime();
                server.receive(hello, 0, hello.length, 0);
                byte[] challenge = server.pollOutput();
                serverNs += CPU.getCurrentThreadCpuTime() - t;
                client.receive(challenge, 0, challenge.length, 0);
                byte[] ack = client.pollOutput();
                t = CPU.getCurrentThreadCpuTime();
                server.receive(ack, 0, ack.length, 0);
                byte[] ok = server.pollOutput();
                serverNs += CPU.getCurrentThreadCpuTime() - t;
                if (ok == null || !server.isEstablished()) {
                    throw new IllegalStateException("handshake failed");
                }
            }
            long t = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < hs; i++) {
                KeyPair kp = gen.generateKeyPair();
                ka.init(kp.getPrivate());
                ka.doPhase(peer, true);
                ka.generateSecret();
            }
            long x25519Ns = CPU.getCurrentThreadCpuTime() - t;
            int n = 5000;
            t = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sealer.seal(PacketType.DATA, seq++, msg, 0, msg.length);
            }
            long sealNs = CPU.getCurrentThreadCpuTime() - t;
            t = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                raw.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, Frame.nonce(seq++, sid)));
                raw.updateAAD(aad);
                raw.doFinal(msg);
            }
            long rawSealNs = CPU.getCurrentThreadCpuTime() - t;
            t = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                opener.open(PacketType.DATA, 1, sealedFixed);
            }
            long openNs = CPU.getCurrentThreadCpuTime() - t;
            t = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                raw.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, Frame.nonce(1, sid)));
                raw.updateAAD(aad);
                raw.doFinal(rawSealed);
            }
            long rawOpenNs = CPU.getCurrentThreadCpuTime() - t;
            // The first frame of a session whose idle cipher object was released: a new one is keyed.
            int rekeys = n / 10;
            t = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < rekeys; i++) {
                sealer.release();
                sealer.seal(PacketType.DATA, seq++, msg, 0, msg.length);
            }
            long rekeyNs = CPU.getCurrentThreadCpuTime() - t;
            if (round >= 0) {
                r[0][round] = serverNs / 1e3 / hs;
                r[1][round] = x25519Ns / 1e3 / hs;
                r[2][round] = sealNs / (double) n;
                r[3][round] = rawSealNs / (double) n;
                r[4][round] = openNs / (double) n;
                r[5][round] = rawOpenNs / (double) n;
                r[6][round] = rekeyNs / (double) rekeys;
            }
        }
        for (double[] x : r) {
            Arrays.sort(x);
        }
        System.out.println("| figure (thread CPU, median of " + rounds + " rounds) | value | bound | bound value | figure / bound |");
        System.out.println("|---|---|---|---|---|");
        row("server handshake (HELLO→CHALLENGE + HELLO_ACK→SESSION_OK)", r[0], "µs", "X25519 keygen+agreement (BC)", r[1]);
        row("seal 452 B", r[2], "ns", "raw AES-GCM seal 452 B", r[3]);
        row("open 452 B", r[4], "ns", "raw AES-GCM open 452 B", r[5]);
        row("release + seal 452 B (first frame after an idle release)", r[6], "ns", "raw AES-GCM seal 452 B", r[3]);
    }

    private static void row(String what, double[] v, String unit, String bound, double[] b) {
        double m = v[v.length / 2];
        double bm = b[b.length / 2];
        System.out.printf(Locale.ROOT, "| %s | %.1f %s | %s | %.1f %s | %.2f x |%n", what, m, unit, bound, bm, unit, m / bm);
    }
}
