package io.usmp.bench.wildfly;

import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

/** Deliveries without a transaction. */
@MessageDriven(name = "UsmpNoTxMdb")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class UsmpNoTxMdb extends UsmpCountingMdb {
}
