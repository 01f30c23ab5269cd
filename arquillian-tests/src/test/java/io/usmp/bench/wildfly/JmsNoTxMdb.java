package io.usmp.bench.wildfly;

import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

/** Without a transaction (auto-acknowledge). */
@MessageDriven(name = "JmsNoTxMdb")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class JmsNoTxMdb extends JmsCountingMdb {
}
