package io.usmp.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usmp.testing.DerivedSession;

/**
 * Fuzzes an established gateway session (SPEC §4, §7): the derived vectors' server engine completes
 * its handshake with the vectors' HELLO and HELLO_ACK (so its keys are the vectors' known k_c2s and
 * k_s2c), then takes arbitrary bytes in arbitrary splits and at arbitrary times. The seeds are sealed
 * client frames, properly sequenced: the vectors' DATA, DATA_FRAG, PING and BYE, plus flood,
 * reassembly and sequence scenarios sealed with k_c2s (see FuzzSeedsTest), which the fuzzer splices,
 * repeats, drops and corrupts. Checks: see {@link EngineOracle}; every PONG must open with k_s2c.
 */
class EstablishedSessionFuzzTest {
    private static final byte[] HELLO = DerivedSession.frame("HELLO_tcp");
    private static final byte[] HELLO_ACK = DerivedSession.frame("HELLO_ACK");
    private static final byte[] CHALLENGE = DerivedSession.frame("CHALLENGE");
    private static final byte[] SESSION_OK = DerivedSession.frame("SESSION_OK");

    @FuzzTest(maxDuration = "5m")
    void serverSession(FuzzedDataProvider data) {
        long t0 = EngineOracle.T0;
        UsmpEngine server = DerivedSession.server(t0);
        server.receive(HELLO, 0, HELLO.length, t0);
        assertArrayEquals(CHALLENGE, server.pollOutput());
        server.receive(HELLO_ACK, 0, HELLO_ACK.length, t0);
        assertArrayEquals(SESSION_OK, server.pollOutput());
        assertInstanceOf(EngineEvent.Established.class, server.pollEvent());
        assertNull(server.pollEvent());
        new EngineOracle(server, EngineOracle.Role.SERVER, DerivedSession::s2c, t0).alreadyEstablished().run(data);
    }
}
