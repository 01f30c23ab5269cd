package io.usmp.bench;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.FrameCipher;
import io.usmp.protocol.Limits;
import io.usmp.protocol.UsmpException;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Sealing and opening one message of {@code size} bytes as the session does: cut into fragments of
 * at most 452 bytes, each AES-256-GCM with its own nonce and 10-byte AAD. The bound in the same run
 * is the JDK's {@code AES/GCM/NoPadding} doing exactly the same fragments with a cached
 * {@link Cipher} and {@link SecretKeySpec}, nothing else.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SealOpenBench {
    @Param({"16", "452", "1808"})
    public int size;

    private static final byte[] SESSION_ID = new byte[16];
    private final byte[] keys = new byte[64];
    private byte[] message;
    private int[] fragOff;
    private int[] fragLen;
    private FrameCipher sealer;
    private FrameCipher opener;
    private byte[][] sealed;
    private long seq;

    private Cipher raw;
    private SecretKeySpec rawKey;
    private byte[][] rawSealed;
    private byte[] aad;

    @Setup
    public void setup() throws UsmpException, GeneralSecurityException {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (byte) (i + 1);
        }
        message = new byte[size];
        int n = (size + Limits.MAX_FRAGMENT - 1) / Limits.MAX_FRAGMENT;
        fragOff = new int[n];
        fragLen = new int[n];
        for (int i = 0; i < n; i++) {
            fragOff[i] = i * Limits.MAX_FRAGMENT;
            fragLen[i] = Math.min(Limits.MAX_FRAGMENT, size - fragOff[i]);
        }
        UsmpCrypto crypto = UsmpCrypto.defaults();
        sealer = FrameCipher.create(crypto, keys, 0, SESSION_ID);
        opener = FrameCipher.create(crypto, keys, 0, SESSION_ID);
        sealed = new byte[n][];
        for (int i = 0; i < n; i++) {
            sealed[i] = sealer.seal(PacketType.DATA, 1_000_000 + i, message, fragOff[i], fragLen[i]);
        }
        raw = Cipher.getInstance("AES/GCM/NoPadding");
        rawKey = new SecretKeySpec(keys, 0, 32, "AES");
        aad = Frame.aad(PacketType.DATA, 1, 0);
        rawSealed = new byte[n][];
        for (int i = 0; i < n; i++) {
            raw.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, Frame.nonce(1_000_000 + i, SESSION_ID)));
            raw.updateAAD(aad);
            rawSealed[i] = raw.doFinal(message, fragOff[i], fragLen[i]);
        }
    }

    @TearDown
    public void tearDown() {
        sealer.destroy();
        opener.destroy();
    }

    @Benchmark
    public void seal(Blackhole bh) throws UsmpException {
        for (int i = 0; i < fragOff.length; i++) {
            bh.consume(sealer.seal(PacketType.DATA, nextSeq(), message, fragOff[i], fragLen[i]));
        }
    }

    /** The first message of a session whose idle cipher object was released: a new one is looked up and keyed. */
    @Benchmark
    public void sealAfterRelease(Blackhole bh) throws UsmpException {
        sealer.release();
        seal(bh);
    }

    @Benchmark
    public void open(Blackhole bh) throws UsmpException {
        for (int i = 0; i < sealed.length; i++) {
            bh.consume(opener.open(PacketType.DATA, 1_000_000 + i, sealed[i]));
        }
    }

    @Benchmark
    public void boundAesGcmSeal(Blackhole bh) throws GeneralSecurityException {
        for (int i = 0; i < fragOff.length; i++) {
            raw.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, Frame.nonce(nextSeq(), SESSION_ID)));
            raw.updateAAD(aad);
            bh.consume(raw.doFinal(message, fragOff[i], fragLen[i]));
        }
    }

    @Benchmark
    public void boundAesGcmOpen(Blackhole bh) throws GeneralSecurityException {
        for (int i = 0; i < rawSealed.length; i++) {
            raw.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, Frame.nonce(1_000_000 + i, SESSION_ID)));
            raw.updateAAD(aad);
            bh.consume(raw.doFinal(rawSealed[i]));
        }
    }

    /** A fresh nonce per seal (GCM refuses a repeated key and IV); wraps inside the 32-bit space. */
    private long nextSeq() {
        seq = (seq + 1) & 0x7FFF_FFFFL;
        return seq;
    }
}
