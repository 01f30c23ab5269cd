package io.usmp.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usmp.testing.DerivedSession;

/**
 * Fuzzes a device engine that has sent HELLO: whatever a gateway (or an attacker in between) answers,
 * in arbitrary splits and at arbitrary times (SPEC §3, §4, §7). The engine is the derived vectors'
 * client, so the seeds, the vectors' CHALLENGE and SESSION_OK (then DATA and PONG from the server),
 * complete the handshake. Checks: see {@link EngineOracle}.
 */
class ClientHandshakeFuzzTest {
    private static final byte[] HELLO = DerivedSession.frame("HELLO_tcp");

    @FuzzTest(maxDuration = "5m")
    void clientHandshake(FuzzedDataProvider data) {
        UsmpEngine client = DerivedSession.client(EngineOracle.T0);
        client.start(EngineOracle.T0);
        assertArrayEquals(HELLO, client.pollOutput(), "the vectors' HELLO");
        EngineOracle oracle = new EngineOracle(client, EngineOracle.Role.CLIENT, DerivedSession::c2s, EngineOracle.T0).helloSent();
        oracle.check();
        oracle.run(data);
    }
}
