package io.usmp.ra.inbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLettersTest {
    @TempDir
    Path dir;

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)\"?").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    @Test
    void recordIsCompleteJsonWithThePayload() throws Exception {
        byte[] payload = {0, 1, 2, (byte) 0xFF, '"'};
        Path file = new DeadLetters(dir.resolve("dlq")).write("a1b2c3d4e5f6", "00112233445566778899aabbccddeeff",
                "/127.0.0.1:5000", Instant.parse("2026-01-02T03:04:05Z"), 5, "java.lang.IllegalStateException: \"bad\"\n", payload);
        String json = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals("a1b2c3d4e5f6", field(json, "device"));
        assertEquals("00112233445566778899aabbccddeeff", field(json, "session"));
        assertEquals("2026-01-02T03:04:05Z", field(json, "receivedAt"));
        assertEquals("5", field(json, "attempts"));
        assertArrayEquals(payload, Base64.getDecoder().decode(field(json, "payloadBase64")));
        assertTrue(json.contains("\\\"bad\\\"\\u000a"), "reason escaped: " + json);
        assertTrue(file.getFileName().toString().endsWith(".json"));
    }

    @Test
    void noTemporaryFilesRemainAndEachMessageGetsItsOwnFile() throws Exception {
        DeadLetters dl = new DeadLetters(dir);
        for (int i = 0; i < 3; i++) {
            dl.write("a1b2c3d4e5f6", "s", "r", Instant.EPOCH, 1, "x", new byte[] {(byte) i});
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(3, names.size());
            assertTrue(names.stream().allMatch(n -> n.endsWith(".json")), names.toString());
        }
    }

    @Test
    void recordsAreOwnerOnlyFilesInAnOwnerOnlyDirectoryAndTheDirectoryIsForced() throws Exception {
        Path location = dir.resolve("data").resolve("dlq");
        DeadLetters dl = new DeadLetters(location);
        Path file = dl.write("a1b2c3d4e5f6", "s", "r", Instant.EPOCH, 1, "x", new byte[] {42});
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(location)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(location.getParent())),
                "every directory created on the way");
        assertEquals(1, dl.directorySyncs.get(), "the directory is forced after the rename");
        dl.write("a1b2c3d4e5f6", "s", "r", Instant.EPOCH, 1, "x", new byte[] {43});
        assertEquals(2, dl.directorySyncs.get());
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file, not a directory");
        DeadLetters dl = new DeadLetters(blocker.resolve("dlq"));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> dl.write("a1b2c3d4e5f6", "s", "r", Instant.EPOCH, 1, "x", new byte[] {1}));
        assertEquals(0, dl.directorySyncs.get());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(blocker), files.toList());
        }
    }
}
