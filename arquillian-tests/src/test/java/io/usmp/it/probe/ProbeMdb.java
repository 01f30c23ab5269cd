package io.usmp.it.probe;

import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.MessageDrivenContext;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.ejb3.annotation.ResourceAdapter;

/**
 * Bound to the probe adapter of the same EAR by name ({@code <ear>.ear#<rar>.rar}): plain
 * standalone.xml has no default resource adapter for MDBs (see {@link MdbSupportServerSetupTask}
 * for the other half of making it deploy MDBs). Records every message in {@link ProbeResults},
 * with the transaction status on entry and on exit. A message starting with
 * "rollback" marks the transaction rollback-only; one starting with "two-phase" enlists a second
 * XAResource, so the transaction manager has to prepare the adapter's before committing it.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "messages", propertyValue = "hello,rollback,two-phase")
})
@ResourceAdapter(ProbeArchives.RESOURCE_ADAPTER)
@TransactionManagement(TransactionManagementType.CONTAINER)
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class ProbeMdb implements ProbeListener {

    @Resource
    private MessageDrivenContext context;

    @Resource
    private TransactionSynchronizationRegistry tsr;

    @Resource(lookup = "java:/TransactionManager")
    private TransactionManager transactionManager;

    @EJB
    private ProbeResults results;

    @Override
    public void onProbe(String message) {
        int onEntry = tsr.getTransactionStatus();
        if (message.startsWith("rollback")) {
            context.setRollbackOnly();
        } else if (message.startsWith("two-phase")) {
            try {
                transactionManager.getTransaction().enlistResource(new RecordingXAResource(message + "/mdb"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        int onExit = tsr.getTransactionStatus();
        results.record(new Delivery(message, onEntry, onExit, Thread.currentThread().getName()));
    }
}
