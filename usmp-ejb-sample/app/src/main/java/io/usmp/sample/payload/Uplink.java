package io.usmp.sample.payload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a device sends (layouts in README, "Telemetry format"): a binary telemetry record, an answer
 * to a command, or {@code key=value;key=value} UTF-8 text. The first byte tells them apart: the
 * binary kinds start with a control character, which text never does.
 */
public sealed interface Uplink permits Telemetry, CommandAnswer {
    /** First byte of a binary telemetry record (version 1). */
    byte TELEMETRY_V1 = 0x01;
    /** First byte of an answer to a command; UTF-8 text follows. */
    byte COMMAND_ANSWER = 0x02;
    /** Length of a binary telemetry record. */
    int TELEMETRY_V1_LENGTH = 11;

    /** @throws MalformedPayloadException the payload is none of the formats */
    static Uplink decode(byte[] payload) {
        if (payload.length > 0 && payload[0] == TELEMETRY_V1) {
            return binary(payload);
        }
        if (payload.length > 0 && payload[0] == COMMAND_ANSWER) {
            return new CommandAnswer(utf8(payload, 1));
        }
        return text(utf8(payload, 0));
    }

    private static Telemetry binary(byte[] payload) {
        if (payload.length != TELEMETRY_V1_LENGTH) {
            throw new MalformedPayloadException("binary telemetry is " + TELEMETRY_V1_LENGTH + " bytes, got " + payload.length);
        }
        ByteBuffer b = ByteBuffer.wrap(payload, 1, payload.length - 1).order(ByteOrder.LITTLE_ENDIAN);
        double temperature = b.getShort() / 100.0;
        double humidity = Short.toUnsignedInt(b.getShort()) / 100.0;
        int battery = Short.toUnsignedInt(b.getShort());
        long counter = Integer.toUnsignedLong(b.getInt());
        return new Telemetry(Telemetry.Format.BINARY, temperature, humidity, battery, counter, null);
    }

    /** Known keys fill the typed fields; the whole text is kept, so other keys are not lost. */
    private static Telemetry text(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new MalformedPayloadException("empty telemetry");
        }
        for (String field : trimmed.split(";")) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new MalformedPayloadException("telemetry field is not key=value: " + field);
            }
            fields.put(field.substring(0, eq).trim(), field.substring(eq + 1).trim());
        }
        Double temperature = number(fields, "temp");
        Double humidity = number(fields, "hum");
        Double battery = number(fields, "bat");
        Double counter = number(fields, "n");
        return new Telemetry(Telemetry.Format.TEXT, temperature, humidity,
                battery == null ? null : battery.intValue(), counter == null ? null : counter.longValue(), trimmed);
    }

    private static Double number(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException e) {
            throw new MalformedPayloadException(key + " is not a number: " + v);
        }
    }

    private static String utf8(byte[] payload, int from) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload, from, payload.length - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedPayloadException("not UTF-8 text");
        }
    }
}
