package io.usmp.sample;

import io.usmp.sample.model.Device;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Instant;
import java.util.List;

/**
 * Online/offline state of every device that ever connected. Called from the MDB inside its delivery
 * transaction; the adapter delivers one device's events strictly in order, so one device's row
 * never sees two writers.
 */
@Stateless
public class DeviceRegistry {
    @PersistenceContext
    private EntityManager em;

    public void sessionOpened(String deviceId, String session, String remote, Instant at) {
        device(deviceId, at).opened(session, remote, at);
    }

    public void sessionClosed(String deviceId, String session, String reason, Instant at) {
        device(deviceId, at).closed(session, reason, at);
    }

    public void messageReceived(String deviceId, Instant at) {
        device(deviceId, at).messageReceived(at);
    }

    public List<Device> all() {
        return em.createQuery("select d from Device d order by d.deviceId", Device.class).getResultList();
    }

    public boolean exists(String deviceId) {
        return em.find(Device.class, deviceId) != null;
    }

    /** Found or created: with deliverSessionEvents=false the first message creates the row. */
    private Device device(String deviceId, Instant at) {
        Device d = em.find(Device.class, deviceId);
        if (d == null) {
            d = new Device(deviceId, at);
            em.persist(d);
        }
        return d;
    }
}
