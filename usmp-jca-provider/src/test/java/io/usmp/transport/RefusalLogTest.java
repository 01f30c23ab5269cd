package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.Refusal;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    @Test
    void theFirstRefusalOfACauseIsLoggedThenAtMostOneLinePerInterval() throws Exception {
        RefusalLog log = new RefusalLog();
        InetAddress ip = InetAddress.getLoopbackAddress();
        long t = 1_000_000;
        assertTrue(log.refused(ip, Refusal.OVER_PER_IP, t));
        int logged = 0;
        for (int i = 1; i <= 1000; i++) {
            logged += log.refused(ip, Refusal.OVER_PER_IP, t + i) ? 1 : 0;
        }
        assertEquals(0, logged, "a flood within the interval adds no line");
        assertTrue(log.refused(ip, Refusal.LOCKED_OUT, t + 5), "another cause has its own window");
        assertTrue(log.refused(ip, Refusal.OVER_PER_IP, t + RefusalLog.INTERVAL_MILLIS));
        assertFalse(log.refused(ip, Refusal.OVER_PER_IP, t + RefusalLog.INTERVAL_MILLIS + 1));
    }
}
