package io.usmp.ra.inbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.InvalidPropertyException;
import java.beans.PropertyDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
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
    void transportIsTcpUdpOrBothAndMapsOntoTheGatewayConfig() throws Exception {
        UsmpActivationSpec s = valid();
        assertEquals("tcp", s.getTransport());
        assertEquals(java.util.EnumSet.of(io.usmp.TransportKind.TCP), s.transportKinds());
        s.setTransport("UDP");
        assertDoesNotThrow(s::validate);
        assertEquals(java.util.EnumSet.of(io.usmp.TransportKind.UDP),
                ActivationConfig.gateway(s, d -> null, null, Runnable::run).transports());
        s.setTransport("both");
        assertEquals(java.util.EnumSet.allOf(io.usmp.TransportKind.class),
                ActivationConfig.gateway(s, d -> null, null, Runnable::run).transports());
        for (String bad : new String[] {"sctp", "", null}) {
            s.setTransport(bad);
            InvalidPropertyException e = assertThrows(InvalidPropertyException.class, s::validate);
            assertEquals(Set.of("transport"), Arrays.stream(e.getInvalidPropertyDescriptors()).map(PropertyDescriptor::getName)
                    .collect(Collectors.toSet()));
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

    @Test
    void thePasswordComesFromAFileWithoutItsLineBreakAndNeverShowsThroughTheProperty() throws Exception {
        UsmpActivationSpec s = valid();
        s.setKeyStorePassword(null);
        s.setKeyStorePasswordFile(Files.writeString(dir.resolve("pw"), "from-a-file\n").toString());
        assertDoesNotThrow(s::validate);
        assertArrayEquals("from-a-file".toCharArray(), s.keyStorePasswordChars());
        assertNull(s.getKeyStorePassword());
        assertEquals(dir.resolve("pw").toString(), s.getKeyStorePasswordFile(), "management reads see the path only");
    }

    @Test
    void exactlyOnePasswordSourceIsRequired() throws Exception {
        UsmpActivationSpec both = valid();
        both.setKeyStorePasswordFile(Files.writeString(dir.resolve("pw"), "x").toString());
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, both::validate);
        assertTrue(e.getMessage().contains("exactly one of keyStorePasswordFile, keyStorePasswordEnv or keyStorePassword"),
                e.getMessage());
        UsmpActivationSpec unknownEnv = valid();
        unknownEnv.setKeyStorePassword(null);
        unknownEnv.setKeyStorePasswordEnv("USMP_NO_SUCH_VARIABLE_FOR_TESTS");
        e = assertThrows(InvalidPropertyException.class, unknownEnv::validate);
        assertTrue(e.getMessage().contains("keyStorePasswordEnv names no environment variable"), e.getMessage());
    }

    @Test
    void aPasswordPropertyIsMaskedWipedAfterUseAndNotSerialized() throws Exception {
        UsmpActivationSpec s = valid();
        assertEquals("********", s.getKeyStorePassword());
        assertFalse(s.toString().contains("secret-password"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        String serialized = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        assertFalse(serialized.contains("secret-password"), "the serialized form carries no secret");
        assertFalse(new String(bytes.toByteArray(), StandardCharsets.UTF_16BE).contains("secret-password"));
        assertArrayEquals("secret-password".toCharArray(), s.keyStorePasswordChars());
        s.clearKeyStorePassword();
        assertArrayEquals(new char[15], s.keyStorePasswordChars(), "wiped once the keystore was loaded");
    }
}
