package io.usmp.bench.wildfly;

import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

/** Transacted deliveries (the adapter's XAResource is enlisted; a reply leaves on commit). */
@MessageDriven(name = "UsmpTxMdb")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class UsmpTxMdb extends UsmpCountingMdb {
}
