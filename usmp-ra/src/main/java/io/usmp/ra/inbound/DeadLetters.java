package io.usmp.ra.inbound;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * The dead-letter location: one JSON file per message that could not be delivered, written to a
 * temporary name, forced to disk, then renamed, so a reader never sees half a record. Fields:
 * device, session, receivedAt, deadLetteredAt, attempts, reason, remote, payloadBase64.
 */
final class DeadLetters {
    private final Path directory;

    DeadLetters(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /** Writes one record and returns its path. */
    Path write(String device, String session, String remote, Instant receivedAt, int attempts, String reason, byte[] payload)
            throws IOException {
        Files.createDirectories(directory);
        String json = "{\"device\":\"" + device + "\",\"session\":\"" + session + "\",\"remote\":\"" + escape(remote)
                + "\",\"receivedAt\":\"" + receivedAt + "\",\"deadLetteredAt\":\"" + Instant.now() + "\",\"attempts\":" + attempts
                + ",\"reason\":\"" + escape(reason) + "\",\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(payload)
                + "\"}\n";
        String name = receivedAt.toEpochMilli() + "-" + device + "-" + UUID.randomUUID();
        Path tmp = directory.resolve(name + ".tmp");
        Path done = directory.resolve(name + ".json");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        return Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : String.valueOf(s).toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
