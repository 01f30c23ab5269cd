package io.usmp.it.probe;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;

/**
 * Builds probe.ear: probe-ra.rar (the adapter, described by ra.xml, inbound only, so no
 * ironjacamar.xml is needed) and probe-ejb.jar (the MDB, the results singleton and the test
 * class). The Servlet protocol adds its own WAR and puts Arquillian/JUnit in the EAR's lib/.
 */
public final class ProbeArchives {

    public static final String APP = "probe";
    public static final String RAR = "probe-ra";
    public static final String EJB_MODULE = "probe-ejb";
    /** How WildFly names a resource adapter deployed inside an EAR. */
    public static final String RESOURCE_ADAPTER = APP + ".ear#" + RAR + ".rar";

    private static final String RA_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <connector xmlns="https://jakarta.ee/xml/ns/jakartaee"
                       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                       xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/connector_2_1.xsd"
                       version="2.1" metadata-complete="true">
              <display-name>USMP probe adapter</display-name>
              <vendor-name>io.usmp</vendor-name>
              <eis-type>USMP probe</eis-type>
              <resourceadapter-version>0.1</resourceadapter-version>
              <resourceadapter>
                <resourceadapter-class>io.usmp.it.probe.ProbeResourceAdapter</resourceadapter-class>
                <inbound-resourceadapter>
                  <messageadapter>
                    <messagelistener>
                      <messagelistener-type>io.usmp.it.probe.ProbeListener</messagelistener-type>
                      <activationspec>
                        <activationspec-class>io.usmp.it.probe.ProbeActivationSpec</activationspec-class>
                        <required-config-property>
                          <config-property-name>messages</config-property-name>
                        </required-config-property>
                      </activationspec>
                    </messagelistener>
                  </messageadapter>
                </inbound-resourceadapter>
              </resourceadapter>
            </connector>
            """;

    private ProbeArchives() {
    }

    /** The EAR with {@code testClasses} added to the EJB module, where the Servlet protocol's WAR can load them. */
    public static EnterpriseArchive ear(Class<?>... testClasses) {
        JavaArchive raClasses = ShrinkWrap.create(JavaArchive.class, RAR + ".jar")
                .addClasses(ProbeListener.class, ProbeLog.class, RecordingXAResource.class,
                        ProbeActivationSpec.class, ProbeResourceAdapter.class);
        ResourceAdapterArchive rar = ShrinkWrap.create(ResourceAdapterArchive.class, RAR + ".rar")
                .addAsLibrary(raClasses)
                .setResourceAdapterXML(new StringAsset(RA_XML.strip()));
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, EJB_MODULE + ".jar")
                .addClasses(ProbeMdb.class, ProbeResults.class, Delivery.class, ProbeLookup.class, ProbeArchives.class)
                .addClasses(testClasses);
        return ShrinkWrap.create(EnterpriseArchive.class, APP + ".ear")
                .addAsModule(rar)
                .addAsModule(ejb);
    }
}
