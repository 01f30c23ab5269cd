package io.usmp.sample;

import io.usmp.sample.model.Reading;
import io.usmp.sample.payload.Telemetry;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Telemetry readings, stored in the caller's transaction. */
@Stateless
public class ReadingStore {
    @PersistenceContext
    private EntityManager em;

    public Reading store(String deviceId, Instant receivedAt, Telemetry t) {
        Reading r = new Reading(deviceId, receivedAt, t);
        em.persist(r);
        return r;
    }

    /** The device's latest {@code limit} readings, oldest first. */
    public List<Reading> latest(String deviceId, int limit) {
        return oldestFirst(em.createQuery("select r from Reading r where r.deviceId = :d order by r.id desc", Reading.class)
                .setParameter("d", deviceId).setMaxResults(limit).getResultList());
    }

    /** The latest {@code limit} readings of all devices with an id above {@code afterId}, oldest first. */
    public List<Reading> after(long afterId, int limit) {
        return oldestFirst(em.createQuery("select r from Reading r where r.id > :after order by r.id desc", Reading.class)
                .setParameter("after", afterId).setMaxResults(limit).getResultList());
    }

    public long count() {
        return em.createQuery("select count(r) from Reading r", Long.class).getSingleResult();
    }

    private static List<Reading> oldestFirst(List<Reading> newestFirst) {
        List<Reading> l = new ArrayList<>(newestFirst);
        Collections.reverse(l);
        return l;
    }
}
