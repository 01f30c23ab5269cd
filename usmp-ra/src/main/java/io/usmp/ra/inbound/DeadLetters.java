package io.usmp.ra.inbound;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dead-letter location: one JSON file per message that could not be delivered, written to a
 * temporary name, forced to disk, renamed, then the directory forced too, so a reader never sees
 * half a record and a crash after {@link #write} returned does not lose the name. The records hold
 * decrypted payloads: where the file system is POSIX, files are created 0600 and directories 0700
 * (an existing directory is left as it is). Fields: device, session, receivedAt, deadLetteredAt,
 * attempts, reason, remote, payloadBase64.
 */
final class DeadLetters {
    private static final System.Logger LOG = System.getLogger(DeadLetters.class.getName());
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    private final Path directory;
    /** Successful forces of the directory after a rename (observable by tests). */
    final AtomicLong directorySyncs = new AtomicLong();

    DeadLetters(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /**
     * Writes one record and returns its path. When this throws, no record of this call exists (a
     * temporary file left behind is removed), so retrying cannot write the message twice.
     */
    Path write(String device, String session, String remote, Instant receivedAt, int attempts, String reason, byte[] payload)
            throws IOException {
        if (POSIX) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
        } else {
            Files.createDirectories(directory);
        }
        String json = "{\"device\":\"" + device + "\",\"session\":\"" + session + "\",\"remote\":\"" + escape(remote)
                + "\",\"receivedAt\":\"" + receivedAt + "\",\"deadLetteredAt\":\"" + Instant.now() + "\",\"attempts\":" + attempts
                + ",\"reason\":\"" + escape(reason) + "\",\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(payload)
                + "\"}\n";
        String name = receivedAt.toEpochMilli() + "-" + device + "-" + UUID.randomUUID();
        Path tmp = directory.resolve(name + ".tmp");
        Path done = directory.resolve(name + ".json");
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileAttribute<?>[] attributes = POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
                : new FileAttribute<?>[0];
        Path result;
        try {
            try (FileChannel ch = FileChannel.open(tmp, options, attributes)) {
                ByteBuffer buf = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            result = Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the location is failing anyway; a stray .tmp holds no complete record
            }
            throw e;
        }
        // The record exists now: a failing directory force must not make the caller write it again.
        syncDirectory();
        return result;
    }

    /** Forces the directory entry of the rename to disk (where the platform allows opening a directory). */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
            directorySyncs.incrementAndGet();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "dead letter written to {0} but the directory could not be forced to disk: {1}", directory,
                    e.toString());
        }
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
