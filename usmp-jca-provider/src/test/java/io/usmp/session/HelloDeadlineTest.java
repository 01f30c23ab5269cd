package io.usmp.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.testing.EnginePair;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC §6: once a handshake slot is granted, a complete HELLO must arrive within a short time. */
class HelloDeadlineTest {
    private static UsmpEngine server() {
        return UsmpEngine.server(EngineSettings.defaults(EnginePair.CRYPTO),
                PskResolver.of(Map.of(EnginePair.DEVICE, EnginePair.PSK)), 0);
    }

    @Test
    void noCompleteHelloByTheDeadlineEndsTheHandshakeWithATimeout() {
        UsmpEngine server = server();
        server.requireHelloBy(1_000);
        assertEquals(1_000, server.nextDeadline(), "the HELLO deadline comes before the 10 s handshake timeout");
        server.receive(new byte[5], 0, 5, 500); // part of a header: not a complete HELLO
        server.tick(999);
        assertFalse(server.isClosed());
        server.tick(1_000);
        EngineEvent.Closed closed = assertInstanceOf(EngineEvent.Closed.class, server.pollEvent());
        assertEquals(CloseReason.TIMEOUT, closed.reason());
        assertInstanceOf(UsmpTimeoutException.class, closed.cause());
        assertNull(server.pollOutput(), "fail fast: nothing is sent");
    }

    @Test
    void aHelloInTimeLeavesOnlyTheHandshakeTimeout() {
        UsmpEngine client = UsmpEngine.client(EngineSettings.defaults(EnginePair.CRYPTO), EnginePair.DEVICE, EnginePair.PSK, 0);
        UsmpEngine server = server();
        server.requireHelloBy(1_000);
        client.start(0);
        byte[] hello = client.pollOutput();
        server.receive(hello, 0, hello.length, 10);
        assertTrue(server.pollOutput() != null, "CHALLENGE sent");
        server.tick(5_000);
        assertFalse(server.isClosed(), "the HELLO deadline no longer applies");
        assertEquals(EngineSettings.DEFAULT_HANDSHAKE_TIMEOUT.toMillis(), server.nextDeadline());
    }
}
