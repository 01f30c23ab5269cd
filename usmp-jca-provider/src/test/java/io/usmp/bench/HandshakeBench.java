package io.usmp.bench;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The handshake in memory through the sans-IO engines, and the primitives it cannot do without,
 * measured in the same run:
 * <ul>
 *   <li>{@code handshakeBothRoles}: a client and a server engine from nothing to established (two
 *       key pairs, two agreements, three MACs, HKDF twice, four frames);</li>
 *   <li>{@code serverHello} + {@code serverHelloAck}: the server's share alone (its CPU per
 *       handshake is their sum), the client's steps done in an untimed per-invocation set-up;</li>
 *   <li>bounds: raw X25519 key generation plus one agreement, Bouncy Castle and the JDK (SunEC),
 *       engines obtained once; and one transcript HMAC-SHA256 (116 bytes) with a cached
 *       {@link Mac}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBench {
    static final DeviceId DEVICE = DeviceId.fromHex("a1b2c3d4e5f6");
    static final byte[] PSK = new byte[32];

    static {
        for (int i = 0; i < PSK.length; i++) {
            PSK[i] = (byte) i;
        }
    }

    private EngineSettings settings;
    private PskResolver psks;

    @Setup
    public void setup() {
        settings = EngineSettings.defaults(UsmpCrypto.defaults());
        psks = PskResolver.shared(PSK);
    }

    @Benchmark
    public boolean handshakeBothRoles() {
        UsmpEngine client = UsmpEngine.client(settings, DEVICE, PSK, 0);
        UsmpEngine server = UsmpEngine.server(settings, psks, 0);
        client.start(0);
        pump(client, server);
        boolean ok = client.pollEvent() instanceof EngineEvent.Established && server.pollEvent() instanceof EngineEvent.Established;
        if (!ok) {
            throw new IllegalStateException("handshake failed");
        }
        return ok;
    }

    static void pump(UsmpEngine a, UsmpEngine b) {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (byte[] f = a.pollOutput(); f != null; f = a.pollOutput()) {
                b.receive(f, 0, f.length, 0);
                moved = true;
            }
            for (byte[] f = b.pollOutput(); f != null; f = b.pollOutput()) {
                a.receive(f, 0, f.length, 0);
                moved = true;
            }
        }
    }

    /** A client that sent HELLO, and a fresh server that has not seen it (untimed). */
    @State(Scope.Thread)
    public static class AtHello {
        EngineSettings settings;
        PskResolver psks;
        UsmpEngine client;
        UsmpEngine server;
        byte[] hello;

        @Setup(Level.Trial)
        public void trial() {
            settings = EngineSettings.defaults(UsmpCrypto.defaults());
            psks = PskResolver.shared(PSK);
        }

        @Setup(Level.Invocation)
        public void invocation() {
            client = UsmpEngine.client(settings, DEVICE, PSK, 0);
            server = UsmpEngine.server(settings, psks, 0);
            client.start(0);
            hello = client.pollOutput();
        }
    }

    /** HELLO in, CHALLENGE out: PSK look-up, key pair, agreement and HKDF, nonce. */
    @Benchmark
    public byte[] serverHello(AtHello s) {
        s.server.receive(s.hello, 0, s.hello.length, 0);
        byte[] challenge = s.server.pollOutput();
        if (challenge == null) {
            throw new IllegalStateException("no CHALLENGE");
        }
        return challenge;
    }

    /** A server that sent CHALLENGE and the client's HELLO_ACK to it (untimed). */
    @State(Scope.Thread)
    public static class AtHelloAck extends AtHello {
        byte[] helloAck;

        @Override
        @Setup(Level.Invocation)
        public void invocation() {
            super.invocation();
            server.receive(hello, 0, hello.length, 0);
            byte[] challenge = server.pollOutput();
            client.receive(challenge, 0, challenge.length, 0);
            helloAck = client.pollOutput();
        }
    }

    /** HELLO_ACK in, SESSION_OK out: two MACs, session id, both direction ciphers. */
    @Benchmark
    public byte[] serverHelloAck(AtHelloAck s) {
        s.server.receive(s.helloAck, 0, s.helloAck.length, 0);
        byte[] ok = s.server.pollOutput();
        if (ok == null || !s.server.isEstablished()) {
            throw new IllegalStateException("no SESSION_OK");
        }
        return ok;
    }

    /** Raw X25519 with engines obtained once: a key pair plus one agreement with a fixed peer key. */
    @State(Scope.Thread)
    public static class RawX25519 {
        KeyPairGenerator bcGen;
        KeyAgreement bcKa;
        PublicKey bcPeer;
        KeyPairGenerator jdkGen;
        KeyAgreement jdkKa;
        PublicKey jdkPeer;

        @Setup
        public void setup() throws GeneralSecurityException {
            Provider bc = new BouncyCastleProvider();
            SecureRandom random = new SecureRandom();
            bcGen = KeyPairGenerator.getInstance("X25519", bc);
            bcGen.initialize(255, random);
            bcKa = KeyAgreement.getInstance("X25519", bc);
            bcPeer = bcGen.generateKeyPair().getPublic();
            jdkGen = KeyPairGenerator.getInstance("X25519", "SunEC");
            jdkGen.initialize(255, random);
            jdkKa = KeyAgreement.getInstance("X25519", "SunEC");
            jdkPeer = jdkGen.generateKeyPair().getPublic();
        }
    }

    @Benchmark
    public byte[] boundX25519Bc(RawX25519 s) throws GeneralSecurityException {
        KeyPair kp = s.bcGen.generateKeyPair();
        s.bcKa.init(kp.getPrivate());
        s.bcKa.doPhase(s.bcPeer, true);
        return s.bcKa.generateSecret();
    }

    @Benchmark
    public byte[] boundX25519Jdk(RawX25519 s) throws GeneralSecurityException {
        KeyPair kp = s.jdkGen.generateKeyPair();
        s.jdkKa.init(kp.getPrivate());
        s.jdkKa.doPhase(s.jdkPeer, true);
        return s.jdkKa.generateSecret();
    }

    @State(Scope.Thread)
    public static class RawHmac {
        Mac mac;
        SecretKeySpec key;
        final byte[] prefix = new byte[4];
        final byte[] a = new byte[32];
        final byte[] b = new byte[16];
        final byte[] c = new byte[32];
        final byte[] d = new byte[32];

        @Setup
        public void setup() throws GeneralSecurityException {
            mac = Mac.getInstance("HmacSHA256");
            key = new SecretKeySpec(PSK, "HmacSHA256");
        }
    }

    /** One transcript MAC's worth (4 + 32 + 16 + 32 + 32 bytes), re-keyed each time as the handshake must. */
    @Benchmark
    public byte[] boundHmacSha256(RawHmac s) throws GeneralSecurityException {
        s.mac.init(s.key);
        s.mac.update(s.prefix);
        s.mac.update(s.a);
        s.mac.update(s.b);
        s.mac.update(s.c);
        s.mac.update(s.d);
        return s.mac.doFinal();
    }
}
