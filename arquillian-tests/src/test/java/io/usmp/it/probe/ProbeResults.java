package io.usmp.it.probe;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Where the probe MDB records what it received; tests get it with {@link ProbeLookup#results()}. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class ProbeResults {

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    public void record(Delivery delivery) {
        deliveries.add(delivery);
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    public List<Delivery> await(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (deliveries.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return deliveries();
    }
}
