package io.usmp.it.adapter;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.jboss.arquillian.container.spi.client.deployment.DeploymentDescription;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.arquillian.container.spi.client.protocol.metadata.ProtocolMetaData;
import org.jboss.arquillian.container.spi.context.annotation.DeploymentScoped;
import org.jboss.arquillian.container.spi.event.container.AfterDeploy;
import org.jboss.arquillian.container.spi.event.container.AfterUnDeploy;
import org.jboss.arquillian.container.spi.event.container.BeforeDeploy;
import org.jboss.arquillian.core.api.InstanceProducer;
import org.jboss.arquillian.core.api.annotation.Inject;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension;
import org.jboss.arquillian.test.spi.event.suite.AfterClass;
import org.jboss.arquillian.test.spi.event.suite.BeforeClass;
import org.jboss.shrinkwrap.api.Archive;

/**
 * Client-side Arquillian extension (META-INF/services): runs {@link Server#prepare} before a
 * {@link PreparedServer} class's deployments (precedence above Arquillian's deployer, which also observes
 * BeforeClass) and {@link Server#cleanUp} after its undeploy (precedence below it). Around every deployment it
 * lets the server replace the archive ({@link Server#deployable}: the container deploys a description's
 * testable archive when it has one), correct the reported HTTP address ({@link Server#reachable}) and see the
 * undeploy through ({@link Server#undeployed}).
 */
public class ServerExtension implements LoadableExtension {
    @Override
    public void register(ExtensionBuilder builder) {
        builder.observer(Observer.class);
    }

    public static class Observer {
        private final Map<DeploymentDescription, Archive<?>> originals = new WeakHashMap<>();

        @Inject
        @DeploymentScoped
        private InstanceProducer<ProtocolMetaData> protocolMetaData;

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

        public void beforeDeploy(@Observes BeforeDeploy event) throws Exception {
            DeploymentDescription d = event.getDeployment();
            if (d.isArchiveDeployment()) {
                // What Arquillian would deploy, as it was before the server replaced it (a deployment the test
                // deploys again still holds the replacement of its first deploy).
                Archive<?> archive = originals.computeIfAbsent(d,
                        k -> d.getTestableArchive() != null ? d.getTestableArchive() : d.getArchive());
                Archive<?> deployable = Server.current().deployable(archive);
                if (deployable != archive) {
                    d.setTestableArchive(deployable);
                }
            }
        }

        public void afterDeploy(@Observes AfterDeploy event) {
            ProtocolMetaData reported = protocolMetaData.get();
            if (reported == null) {
                return;
            }
            ProtocolMetaData corrected = new ProtocolMetaData();
            boolean changed = false;
            for (Object context : reported.getContexts()) {
                Object reachable = context instanceof HTTPContext http ? Server.current().reachable(http) : context;
                changed |= reachable != context;
                corrected.addContext(reachable);
            }
            if (changed) {
                protocolMetaData.set(corrected);
            }
        }

        public void afterUndeploy(@Observes AfterUnDeploy event) throws Exception {
            Server.current().undeployed();
        }

        private static List<Server.Need> needs(Class<?> test) {
            PreparedServer p = test.getAnnotation(PreparedServer.class);
            return p == null ? List.of() : List.of(p.value());
        }
    }
}
