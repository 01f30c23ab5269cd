package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs after the suite, once the server stopped (failsafe, post-integration-test): the server's whole
 * log (WildFly: standalone/log/server.log; Payara: domain1/logs/server.log and its rotated files) must not contain any device PSK the tests used, nor the keystore password,
 * in any printed form.
 */
class ServerLogSecretsScan {
    private static Map<String, String> printedForms() {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (int n = 0; n < 0x200; n++) {
            String id = ItDevices.id(n);
            keys.put("PSK of " + id, ItDevices.psk(id));
            keys.put("wrong PSK for " + id, ItDevices.psk("not-" + id));
        }
        keys.put("keystore password", ItDevices.KEYSTORE_PASSWORD.getBytes(StandardCharsets.UTF_8));
        Map<String, String> forms = new LinkedHashMap<>();
        keys.forEach((name, key) -> {
            String hex = HexFormat.of().formatHex(key);
            forms.put(hex, name + " (hex)");
            forms.put(hex.toUpperCase(Locale.ROOT), name + " (HEX)");
            forms.put(Base64.getEncoder().encodeToString(key), name + " (base64)");
            forms.put(Arrays.toString(key), name + " (Arrays.toString)");
        });
        forms.put(ItDevices.KEYSTORE_PASSWORD, "keystore password");
        return forms;
    }

    @Test
    void theServerLogHoldsNoKeyAndNoPassword() throws Exception {
        List<Path> log = Server.current().serverLogs();
        StringBuilder all = new StringBuilder();
        for (Path file : log) {
            all.append(Files.readString(file, StandardCharsets.ISO_8859_1)).append('\n');
        }
        String text = all.toString();
        assertTrue(text.contains("USMP activation") && text.lines().count() > 100,
                "the suite's server log is there to scan: " + log);
        List<String> hits = new ArrayList<>();
        printedForms().forEach((form, what) -> {
            if (text.contains(form)) {
                hits.add(what);
            }
        });
        assertEquals(List.of(), hits, "secrets in " + log);
    }
}
