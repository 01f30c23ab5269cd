package io.usmp.sample;

import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.api.UsmpConnectionFactory;
import io.usmp.sample.model.Command;
import io.usmp.sample.payload.Downlink;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.resource.ResourceException;
import java.time.Instant;
import java.util.List;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Sends commands to devices and records them. The send and the insert share one JTA transaction:
 * the adapter holds the send until commit, so a command that could not be recorded never leaves.
 */
@Stateless
public class CommandService {
    /** The reference WEB-INF/web.xml declares (see there why not by {@code @Resource}). */
    private static final String DEVICES = "java:comp/env/usmp/ConnectionFactory";

    private UsmpConnectionFactory devices;

    @PersistenceContext
    private EntityManager em;

    @PostConstruct
    void lookUpDevices() {
        try {
            devices = InitialContext.doLookup(DEVICES);
        } catch (NamingException e) {
            throw new IllegalStateException(DEVICES + " is not mapped to the adapter's connection factory", e);
        }
    }

    /**
     * @throws io.usmp.ra.api.DeviceNotConnectedException the device has no open session (nothing recorded)
     * @throws CommandNotRecordedException                 the insert failed, e.g. a repeated requestId;
     *                                                     the transaction rolls back and the send is dropped
     */
    public Command send(String deviceId, String text, String requestId) throws ResourceException {
        try (UsmpConnection c = devices.getConnection()) {
            c.send(deviceId, Downlink.command(text));
        }
        Command command = new Command(deviceId, text, requestId, Instant.now());
        try {
            em.persist(command);
            em.flush(); // the constraints are checked now, while the send is still only held
        } catch (PersistenceException e) {
            throw new CommandNotRecordedException(e);
        }
        return command;
    }

    /**
     * Records a device's answer on its oldest unanswered command (a device answers in order).
     *
     * @throws UnmatchedAnswerException no such command is visible (yet): the delivery is retried
     */
    public void answered(String deviceId, String answer, Instant at) {
        em.createQuery("select c from Command c where c.deviceId = :d and c.answeredAt is null order by c.id", Command.class)
                .setParameter("d", deviceId).setMaxResults(1).getResultStream()
                .findFirst().orElseThrow(() -> new UnmatchedAnswerException(deviceId))
                .answered(answer, at);
    }

    /** The device's latest {@code limit} commands, newest first. */
    public List<Command> latest(String deviceId, int limit) {
        return em.createQuery("select c from Command c where c.deviceId = :d order by c.id desc", Command.class)
                .setParameter("d", deviceId).setMaxResults(limit).getResultList();
    }

    public long count() {
        return em.createQuery("select count(c) from Command c", Long.class).getSingleResult();
    }
}
