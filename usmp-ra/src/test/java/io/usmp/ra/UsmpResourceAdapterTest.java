package io.usmp.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.usmp.ra.outbound.UsmpManagedConnectionFactory;
import org.junit.jupiter.api.Test;

/** IronJacamar refuses adapters and factories without value-based equals/hashCode. */
class UsmpResourceAdapterTest {
    @Test
    void adaptersCompareByConfiguration() {
        UsmpResourceAdapter a = new UsmpResourceAdapter();
        UsmpResourceAdapter b = new UsmpResourceAdapter();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.setIoThreads(4);
        assertNotEquals(a, b);
    }

    @Test
    void connectionFactoriesCompareByConfiguration() {
        UsmpManagedConnectionFactory a = new UsmpManagedConnectionFactory();
        UsmpManagedConnectionFactory b = new UsmpManagedConnectionFactory();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.setSendTimeoutMillis(1);
        assertNotEquals(a, b);
    }
}
