package io.usmp.crypto;

import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyPairGeneratorSpi;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;

/** {@code KeyPairGenerator "USMP"}: fresh X25519 pairs from the backing provider. */
final class UsmpKeyPairGeneratorSpi extends KeyPairGeneratorSpi {
    private final KeyPairGenerator delegate;

    UsmpKeyPairGeneratorSpi(Backing backing) throws NoSuchAlgorithmException {
        this.delegate = backing.x25519Generator();
    }

    @Override
    public void initialize(int keysize, SecureRandom random) {
        if (keysize != 255) {
            throw new IllegalArgumentException("USMP key pairs are X25519 (255 bits)");
        }
        delegate.initialize(keysize, random);
    }

    @Override
    public void initialize(AlgorithmParameterSpec params, SecureRandom random) throws InvalidAlgorithmParameterException {
        delegate.initialize(params, random);
    }

    @Override
    public KeyPair generateKeyPair() {
        return delegate.generateKeyPair();
    }
}
