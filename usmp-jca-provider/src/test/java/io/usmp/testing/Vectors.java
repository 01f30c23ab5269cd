package io.usmp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/** The JSON test vectors copied from ../shared/usmp into test resources. */
public final class Vectors {
    private Vectors() {
    }

    public static JsonNode golden() {
        return load("/golden_vectors.json");
    }

    public static JsonNode derived() {
        return load("/derived_vectors.json");
    }

    public static byte[] hex(JsonNode node) {
        return HexFormat.of().parseHex(node.asText());
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static JsonNode load(String resource) {
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
