package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The client side of {@link ControlServlet}: what the MDB recorded, and downlink triggers. */
final class Control {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final URL base;

    Control(URL base) {
        this.base = base;
    }

    String call(String query) throws Exception {
        URI uri = URI.create(base.toString().replaceAll("/?$", "/") + "control?" + query);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Device → list of (attempt, payload) as recorded by the MDB. */
    Map<String, List<String[]>> recorded() throws Exception {
        Map<String, List<String[]>> m = new HashMap<>();
        for (String line : call("op=dump").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(" ");
            List<String[]> entries = new ArrayList<>();
            for (int i = 1; i < parts.length; i++) {
                String[] e = parts[i].split(":", 2);
                entries.add(new String[] {e[0], new String(Base64.getDecoder().decode(e[1]), StandardCharsets.ISO_8859_1)});
            }
            m.put(parts[0], entries);
        }
        return m;
    }
}
