package io.usmp.ra.inbound;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.InvalidPropertyException;
import java.beans.PropertyDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsmpActivationSpecTest {
    @TempDir
    Path dir;

    private UsmpActivationSpec valid() throws Exception {
        Path ks = Files.write(dir.resolve("devices.p12"), new byte[] {1});
        UsmpActivationSpec s = new UsmpActivationSpec();
        s.setKeyStorePath(ks.toString());
        s.setKeyStorePassword("secret-password");
        return s;
    }

    @Test
    void defaultsWithAKeystoreAreValid() throws Exception {
        assertDoesNotThrow(valid()::validate);
    }

    @Test
    void everyInvalidPropertyIsReportedAtOnce() throws Exception {
        UsmpActivationSpec s = new UsmpActivationSpec();
        s.setPort(70000);
        s.setKeyStorePath(dir.resolve("missing.p12").toString());
        s.setMaxConcurrentDeliveries(0);
        s.setPerDeviceQueueBound(-1);
        s.setMaxDeliveryAttempts(null);
        s.setRedeliveryBackoffMillis(-5);
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, s::validate);
        Set<String> names = Arrays.stream(e.getInvalidPropertyDescriptors()).map(PropertyDescriptor::getName)
                .collect(Collectors.toSet());
        assertEquals(Set.of("port", "keyStorePath", "keyStorePassword", "maxConcurrentDeliveries", "perDeviceQueueBound",
                "maxDeliveryAttempts", "redeliveryBackoffMillis"), names);
        for (String n : names) {
            assertTrue(e.getMessage().contains(n), "message names " + n + ": " + e.getMessage());
        }
    }

    @Test
    void passwordNeverAppearsInToStringOrValidationMessages() throws Exception {
        UsmpActivationSpec s = valid();
        s.setPort(-1);
        assertFalse(s.toString().contains("secret-password"));
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, s::validate);
        assertFalse(e.getMessage().contains("secret-password"));
    }

    @Test
    void deadLettersDefaultToTheServerDataDirectory() throws Exception {
        UsmpActivationSpec s = valid();
        String before = System.getProperty("jboss.server.data.dir");
        System.setProperty("jboss.server.data.dir", dir.toString());
        try {
            assertEquals(dir.resolve("usmp").resolve("dead-letter"), s.deadLetterPath());
            s.setDeadLetterDirectory(dir.resolve("elsewhere").toString());
            assertEquals(dir.resolve("elsewhere"), s.deadLetterPath());
        } finally {
            if (before == null) {
                System.clearProperty("jboss.server.data.dir");
            } else {
                System.setProperty("jboss.server.data.dir", before);
            }
        }
    }
}
