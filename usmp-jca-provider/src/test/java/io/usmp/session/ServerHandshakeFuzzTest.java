package io.usmp.session;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usmp.testing.DerivedSession;

/**
 * Fuzzes a gateway engine from its first byte: arbitrary bytes in arbitrary splits and at arbitrary
 * times (SPEC §3, §7). The engine is the derived vectors' server (fixed key, nonce and session id),
 * so the seeds, the vectors' HELLO and HELLO_ACK, complete the handshake and the fuzzer can go on into
 * the session. Checks: see {@link EngineOracle}.
 */
class ServerHandshakeFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void serverHandshake(FuzzedDataProvider data) {
        UsmpEngine server = DerivedSession.server(EngineOracle.T0);
        server.start(EngineOracle.T0);
        EngineOracle oracle = new EngineOracle(server, EngineOracle.Role.SERVER, DerivedSession::s2c, EngineOracle.T0);
        oracle.check();
        oracle.run(data);
    }
}
