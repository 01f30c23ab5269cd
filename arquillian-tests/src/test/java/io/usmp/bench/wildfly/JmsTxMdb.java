package io.usmp.bench.wildfly;

import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

/** Transacted (XA through the pooled connection factory, the reply in the same transaction). */
@MessageDriven(name = "JmsTxMdb")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class JmsTxMdb extends JmsCountingMdb {
}
