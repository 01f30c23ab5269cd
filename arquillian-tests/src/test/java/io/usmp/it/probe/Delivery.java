package io.usmp.it.probe;

/**
 * One message as the probe MDB saw it. Transaction statuses are jakarta.transaction.Status
 * values from TransactionSynchronizationRegistry.getTransactionStatus().
 */
public record Delivery(String message, int txStatusOnEntry, int txStatusOnExit, String thread) {
}
