package io.usmp.it.probe;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/** In-container access to the probe EJBs (a static method on the EJB itself draws WFLYEJB0131). */
public final class ProbeLookup {

    private ProbeLookup() {
    }

    public static ProbeResults results() throws NamingException {
        return InitialContext.doLookup("java:global/" + ProbeArchives.APP + "/" + ProbeArchives.EJB_MODULE + "/ProbeResults");
    }
}
