package io.usmp.it.ra;

import jakarta.ejb.Lock;
import jakarta.ejb.LockType;
import jakarta.ejb.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every delivery attempt the MDB saw, per device ("attempt:base64"); not transactional on purpose. */
@Singleton
@Lock(LockType.WRITE)
public class RaRecorder {
    private final Map<String, List<String>> byDevice = new TreeMap<>();

    public void record(String device, int attempt, String payloadBase64) {
        byDevice.computeIfAbsent(device, d -> new ArrayList<>()).add(attempt + ":" + payloadBase64);
    }

    /** Entries of one device, space-separated. */
    public String dump(String device) {
        return String.join(" ", byDevice.getOrDefault(device, List.of()));
    }
}
