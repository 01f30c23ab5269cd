package io.usmp.crypto;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import java.util.Map;

/**
 * The JCA provider "USMP". It exposes the USMP suite through standard engine classes so any JCA
 * user can reach it:
 * <ul>
 *   <li>{@code KeyPairGenerator "USMP"}: an ephemeral X25519 key pair;</li>
 *   <li>{@code KeyAgreement "USMP"}: X25519 plus the HKDF-SHA256 step of SPEC §3, initialised with a
 *       {@link UsmpKeyAgreementSpec}; its 64-byte secret is {@code k_c2s ‖ k_s2c};</li>
 *   <li>{@code Cipher "USMP"}: seals or opens one session payload ({@code nonce ‖ ciphertext ‖ tag})
 *       given the direction key and a {@link UsmpCipherSpec}.</li>
 * </ul>
 * The primitives underneath come from other providers, chosen by {@link #configure(String)} (see
 * {@link Backing}); by default X25519 from Bouncy Castle and AES-GCM and HMAC from the JDK.
 */
public final class UsmpProvider extends Provider {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "USMP";

    private final transient Backing backing;

    /** The provider with the default backing: X25519 from Bouncy Castle, the rest from the JDK. */
    public UsmpProvider() {
        this(Backing.DEFAULT_CONFIG);
    }

    private UsmpProvider(String configuration) {
        super(NAME, "1.0", "USMP suite: X25519+HKDF-SHA256 key agreement, AES-256-GCM frame cipher");
        this.backing = Backing.parse(configuration);
        putService(new UsmpService(this, "KeyPairGenerator", UsmpKeyPairGeneratorSpi.class));
        putService(new UsmpService(this, "KeyAgreement", UsmpKeyAgreementSpi.class));
        putService(new UsmpService(this, "Cipher", UsmpCipherSpi.class));
    }

    /**
     * A provider backed as {@code configuration} says, e.g. {@code "x25519=SunEC"} or
     * {@code "aead=SunPKCS11-hsm,hmac=SunPKCS11-hsm"}; unnamed primitives keep their default.
     */
    @Override
    public Provider configure(String configuration) {
        return new UsmpProvider(configuration);
    }

    @Override
    public boolean isConfigured() {
        return true;
    }

    Backing backing() {
        return backing;
    }

    /** The backing choice, e.g. {@code x25519=BC,aead=default,hmac=default}. */
    public String backingConfiguration() {
        return backing.toString();
    }

    /** Services whose SPIs get the provider's backing passed in, not looked up globally. */
    private static final class UsmpService extends Service {
        private final UsmpProvider owner;

        UsmpService(UsmpProvider owner, String type, Class<?> spi) {
            super(owner, type, NAME, spi.getName(), List.of(), Map.of());
            this.owner = owner;
        }

        @Override
        public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
            switch (getType()) {
                case "KeyPairGenerator":
                    return new UsmpKeyPairGeneratorSpi(owner.backing);
                case "KeyAgreement":
                    return new UsmpKeyAgreementSpi(owner.backing);
                case "Cipher":
                    return new UsmpCipherSpi(owner.backing);
                default:
                    throw new NoSuchAlgorithmException(getType());
            }
        }
    }
}
