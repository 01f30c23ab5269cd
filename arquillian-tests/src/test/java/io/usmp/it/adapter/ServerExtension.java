package io.usmp.it.adapter;

import java.util.List;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension;
import org.jboss.arquillian.test.spi.event.suite.AfterClass;
import org.jboss.arquillian.test.spi.event.suite.BeforeClass;

/**
 * Client-side Arquillian extension (META-INF/services): runs {@link Server#prepare} before a
 * {@link PreparedServer} class's deployments (precedence above Arquillian's deployer, which also observes
 * BeforeClass) and {@link Server#cleanUp} after its undeploy (precedence below it).
 */
public class ServerExtension implements LoadableExtension {
    @Override
    public void register(ExtensionBuilder builder) {
        builder.observer(Observer.class);
    }

    public static class Observer {
        public void beforeDeployments(@Observes(precedence = 100) BeforeClass event) throws Exception {
            List<Server.Need> needs = needs(event.getTestClass().getJavaClass());
            if (!needs.isEmpty()) {
                Server.current().prepare(needs);
            }
        }

        public void afterUndeploy(@Observes(precedence = -100) AfterClass event) throws Exception {
            List<Server.Need> needs = needs(event.getTestClass().getJavaClass());
            if (!needs.isEmpty()) {
                Server.current().cleanUp(needs);
            }
        }

        private static List<Server.Need> needs(Class<?> test) {
            PreparedServer p = test.getAnnotation(PreparedServer.class);
            return p == null ? List.of() : List.of(p.value());
        }
    }
}
