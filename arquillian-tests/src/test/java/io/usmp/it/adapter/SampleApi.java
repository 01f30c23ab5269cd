package io.usmp.it.adapter;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

/** The sample's REST API as a client sees it, and its device-side payloads as the README lays them out. */
final class SampleApi {
    /** The sample's context root on the server under test. */
    static final URI BASE = URI.create("http://127.0.0.1:" + Server.current().httpPort() + "/" + SampleIT.APP + "/");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SampleApi() {
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(BASE.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(BASE.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonStructure json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
            return reader.read();
        }
    }

    static JsonArray array(String path) throws Exception {
        return (JsonArray) json(path);
    }

    static Optional<JsonObject> device(String id) throws Exception {
        return array("api/devices").getValuesAs(JsonObject.class).stream().filter(d -> d.getString("deviceId").equals(id)).findFirst();
    }

    static long deadLettered() throws Exception {
        return ((JsonObject) json("api/stats")).getJsonNumber("deadLettered").longValue();
    }

    /** Binary telemetry v1: 0x01, int16 centi-°C, uint16 centi-%, uint16 mV, uint32 counter, little-endian. */
    static byte[] record(int centiCelsius, int centiPercent, int millivolts, long counter) {
        return ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0x01).putShort((short) centiCelsius)
                .putShort((short) centiPercent).putShort((short) millivolts).putInt((int) counter).array();
    }

    /** The reading id an ack (0x81, int64 little-endian) carries. */
    static long ackedReading(byte[] ack) {
        if (ack == null || ack.length != 9 || ack[0] != (byte) 0x81) {
            throw new AssertionError("not an ack: " + (ack == null ? "nothing" : java.util.HexFormat.of().formatHex(ack)));
        }
        return ByteBuffer.wrap(ack, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Waits up to {@code timeout} for {@code condition}; fails with {@code what} otherwise. */
    static void eventually(Duration timeout, String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    /** A condition that may call the API. */
    interface Check {
        boolean holds() throws Exception;
    }
}
