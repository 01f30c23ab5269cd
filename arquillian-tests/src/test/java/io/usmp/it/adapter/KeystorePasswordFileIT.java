package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The keystore password given as a file that only the server's user may read: devices are
 * authenticated with it, and no management read of the deployment shows the password, because the
 * activation properties hold only the file's path. (With {@code keyStorePassword} and a
 * {@code ${...}} expression, WildFly resolves the expression before showing the property.)
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer(Server.Need.MDBS)
@RunAsClient
class KeystorePasswordFileIT {
    private static final int PORT = 17421;
    private static final Path PASSWORD_FILE = Path.of("target", "it-keystore.password").toAbsolutePath();

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        Files.deleteIfExists(PASSWORD_FILE);
        Files.createFile(PASSWORD_FILE, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(PASSWORD_FILE, ItDevices.KEYSTORE_PASSWORD + "\n");
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "keyStorePassword", "",
                "keyStorePasswordFile", PASSWORD_FILE.toString()));
    }

    @Test
    void devicesAuthenticateAndNoManagementReadShowsThePassword() throws Exception {
        String id = ItDevices.id(68);
        try (UsmpClient c = ItDevices.connect(PORT, id, ItDevices.psk(id))) {
            c.send("reply:with-a-password-file".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("with-a-password-file".getBytes(StandardCharsets.UTF_8), c.receive(Duration.ofSeconds(30)));
        }
        // WildFly: read-resource(include-runtime) of the MDB; Payara: the deployment's descriptors and
        // configuration through the admin REST interface (see Server.adminReadOfMdb).
        String shown = Server.current().adminReadOfMdb(AdapterArchives.APP, AdapterArchives.APP + "-ejb.jar", "TestMdb");
        assertTrue(shown.contains(PASSWORD_FILE.toString()), "the activation properties are readable: " + shown);
        assertFalse(shown.contains(ItDevices.KEYSTORE_PASSWORD), "no clear password in the management model");
    }
}
