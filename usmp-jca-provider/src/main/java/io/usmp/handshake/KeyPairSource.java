package io.usmp.handshake;

import io.usmp.protocol.UsmpException;
import java.security.KeyPair;

/** Where ephemeral X25519 pairs come from: fresh per handshake, replaceable for deterministic tests. */
@FunctionalInterface
public interface KeyPairSource {
    KeyPair next() throws UsmpException;
}
