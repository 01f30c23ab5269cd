package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.usmp.UsmpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The RAR deployed on its own and an application in a separate EJB jar that depends on it. */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class StandaloneRarIT {
    @Deployment(name = "rar", order = 1, testable = false)
    static Archive<?> rar() throws Exception {
        return AdapterArchives.rar();
    }

    @Deployment(name = "app", order = 2, testable = false)
    static JavaArchive application() throws Exception {
        return application("usmp-standalone-app", AdapterArchives.activation(java.util.Map.of()));
    }

    /** An EJB jar {@code name}.jar holding {@link StandaloneMdb}, bound to the standalone adapter with {@code activation}. */
    static JavaArchive application(String name, java.util.Map<String, String> activation) {
        JavaArchive app = ShrinkWrap.create(JavaArchive.class, name + ".jar").addClass(StandaloneMdb.class);
        Server.current().describeEjbs(app, "StandaloneMdb", Server.Adapter.standalone(AdapterArchives.RAR_NAME), activation, false);
        // WildFly: the application sees the adapter's classes through a module dependency. (Payara makes
        // a standalone adapter's classes visible to every application and ignores this file.)
        return app.addAsManifestResource(new StringAsset("""
                        <jboss-deployment-structure>
                          <deployment>
                            <dependencies>
                              <module name="deployment.usmp-ra.rar"/>
                            </dependencies>
                          </deployment>
                        </jboss-deployment-structure>
                        """), "jboss-deployment-structure.xml");
    }

    @Test
    void applicationReceivesThroughAStandaloneAdapter() throws Exception {
        try (UsmpClient device = ItDevices.connect(ItDevices.id(57))) {
            device.send("standalone".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("standalone".getBytes(StandardCharsets.UTF_8), device.receive(Duration.ofSeconds(30)));
        }
    }
}
