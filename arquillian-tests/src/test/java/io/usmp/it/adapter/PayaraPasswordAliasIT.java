package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.usmp.UsmpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Payara: the keystore password as a password alias. The activation property is
 * {@code keyStorePassword=${ALIAS=usmp-it-keystore}}; Payara resolves it when it activates the MDB, so
 * devices authenticate, while the clear password is in no file of the domain (domain.xml, the alias store
 * is encrypted, the deployed and generated descriptors, the logs) and in no admin read of the deployment.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class PayaraPasswordAliasIT {
    private static final int PORT = 17422;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT)));
    }

    @Test
    void onPayaraThePasswordAliasResolvesAndTheClearPasswordIsInNoDomainFileAndNoAdminRead() throws Exception {
        assumeTrue(Server.current().isPayara(), "Payara only: password aliases are Payara's. On WildFly the password is "
                + "an Elytron encrypted expression (PasswordPropertySetupTask, used by every adapter test), and WildFly's "
                + "management model shows activation properties already resolved, so only a password file keeps it out "
                + "of admin reads there (KeystorePasswordFileIT)");
        PayaraServer payara = (PayaraServer) Server.current();
        assertEquals("${ALIAS=" + PayaraServer.PASSWORD_ALIAS + "}", payara.keyStorePasswordExpression());

        String id = ItDevices.id(47);
        try (UsmpClient c = ItDevices.connect(PORT, id, ItDevices.psk(id))) {
            c.send("reply:with-a-password-alias".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("with-a-password-alias".getBytes(StandardCharsets.UTF_8), c.receive(Duration.ofSeconds(30)));
        }

        List<Path> files = PayaraServer.filesContaining(payara.domain(), ItDevices.KEYSTORE_PASSWORD);
        assertEquals(List.of(), files, "files of " + payara.domain() + " holding the clear keystore password");
        assertTrue(PayaraServer.filesContaining(payara.domain().resolve("config"), "usmp-it-keystore").size() > 0,
                "the alias is in the domain's configuration (as a name)");

        String shown = payara.adminReadOfMdb(AdapterArchives.APP, AdapterArchives.APP + "-ejb.jar", "TestMdb");
        assertTrue(shown.contains("ALIAS=" + PayaraServer.PASSWORD_ALIAS), "the admin read shows the alias reference: " + shown);
        assertFalse(shown.contains(ItDevices.KEYSTORE_PASSWORD), "no clear password in the admin read");
        String aliases = payara.rest("/domain/list-password-aliases");
        assertTrue(aliases.contains(PayaraServer.PASSWORD_ALIAS), aliases);
        assertFalse(aliases.contains(ItDevices.KEYSTORE_PASSWORD), aliases);
    }
}
