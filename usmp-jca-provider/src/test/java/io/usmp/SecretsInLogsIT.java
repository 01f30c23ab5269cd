package io.usmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.testing.KnownSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs after the unit tests (failsafe): every log line and logged exception the suite produced,
 * as surefire kept them per test class, is searched for the PSKs and session keys the tests used.
 */
class SecretsInLogsIT {
    private static final Path REPORTS = Path.of("target", "surefire-reports");

    @Test
    void noTestLogContainsAKeyTheTestsUsed() throws IOException {
        List<Path> logs;
        try (Stream<Path> files = Files.list(REPORTS)) {
            logs = files.filter(p -> p.getFileName().toString().endsWith("-output.txt")).toList();
        }
        long lines = 0;
        boolean sawSessions = false;
        List<String> hits = new ArrayList<>();
        Map<String, String> forms = KnownSecrets.printedForms();
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            lines += text.lines().count();
            sawSessions |= text.contains("session established") || text.contains("handshake failed");
            forms.forEach((form, what) -> {
                if (text.contains(form)) {
                    hits.add(what + " in " + log.getFileName());
                }
            });
        }
        assertTrue(lines > 100 && sawSessions, "the suite's logs are there to scan: " + logs.size() + " files, " + lines
                + " lines");
        assertEquals(List.of(), hits);
    }
}
