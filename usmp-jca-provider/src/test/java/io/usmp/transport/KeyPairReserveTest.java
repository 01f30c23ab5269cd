package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.handshake.KeyPairSource;
import io.usmp.protocol.UsmpException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyPairReserveTest {
    /** Counts the pairs it makes, and can be told to fail from the n-th on. */
    static final class Source implements KeyPairSource {
        final List<KeyPair> made = new ArrayList<>();
        int failFrom = Integer.MAX_VALUE;

        @Override
        public KeyPair next() throws UsmpException {
            if (made.size() >= failFrom) {
                throw new UsmpException("no randomness");
            }
            KeyPair p = new KeyPair(null, null);
            made.add(p);
            return p;
        }
    }

    @Test
    void handsOutEachPreMadePairOnceThenMakesFreshOnes() throws Exception {
        Source source = new Source();
        AtomicLong now = new AtomicLong(5);
        KeyPairReserve reserve = new KeyPairReserve(source, 4, 1_000, now::get);
        assertEquals(4, source.made.size(), "made before the first handshake");
        Set<KeyPair> handed = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            KeyPair p = reserve.next();
            assertSame(source.made.get(i), p);
            handed.add(p);
        }
        assertEquals(4, handed.size(), "never the same pair twice");
        assertEquals(0, reserve.held());
        KeyPair fifth = reserve.next();
        assertEquals(5, source.made.size(), "an empty reserve makes one per handshake");
        assertSame(source.made.get(4), fifth);
    }

    @Test
    void whatIsLeftIsDroppedOnceTheLifetimeIsOver() throws Exception {
        Source source = new Source();
        AtomicLong now = new AtomicLong(-20);
        KeyPairReserve reserve = new KeyPairReserve(source, 3, 100, now::get);
        assertSame(source.made.get(0), reserve.next());
        now.set(79); // one nanosecond before it expires
        assertSame(source.made.get(1), reserve.next());
        now.set(80);
        KeyPair late = reserve.next();
        assertNotSame(source.made.get(2), late, "the pre-made pair left over is not handed out after the lifetime");
        assertSame(source.made.get(3), late);
        assertEquals(0, reserve.held());
    }

    @Test
    void dropEmptiesTheReserve() throws Exception {
        Source source = new Source();
        KeyPairReserve reserve = new KeyPairReserve(source, 3, Long.MAX_VALUE / 2, () -> 0);
        reserve.drop();
        assertEquals(0, reserve.held());
        KeyPair after = reserve.next();
        assertSame(source.made.get(3), after, "a fresh pair, not one of the dropped");
    }

    @Test
    void aFailingSourceLeavesAShorterReserveAndFailsInTheHandshake() {
        Source source = new Source();
        source.failFrom = 2;
        KeyPairReserve reserve = new KeyPairReserve(source, 5, 1_000, () -> 0);
        assertEquals(2, reserve.held());
        assertDoesNotThrow(reserve::next);
        assertDoesNotThrow(reserve::next);
        assertThrows(UsmpException.class, reserve::next);
    }
}
