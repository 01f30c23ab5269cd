package io.usmp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PSKs and session keys the test suite uses, and the ways a careless log line would print them
 * (hex either case, base64, {@link Arrays#toString(byte[])}).
 */
public final class KnownSecrets {
    private KnownSecrets() {
    }

    /** Name → key bytes: the suite's fixed PSKs and the derived and golden vectors' keys. */
    public static Map<String, byte[]> keys() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("test PSK", HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        m.put("wrong test PSK", HexFormat.of().parseHex("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        JsonNode derived = Vectors.derived();
        m.put("derived psk", Vectors.hex(derived.get("inputs").get("psk")));
        byte[] okm = Vectors.hex(derived.get("hkdf").get("okm"));
        m.put("derived k_c2s", Arrays.copyOfRange(okm, 0, 32));
        m.put("derived k_s2c", Arrays.copyOfRange(okm, 32, 64));
        int i = 0;
        for (JsonNode c : Vectors.golden().get("encryption_cases")) {
            m.put("golden encryption key " + i++, Vectors.hex(c.get("key")));
        }
        return m;
    }

    /** Every printed form of every key, mapped to what it is. */
    public static Map<String, String> printedForms() {
        Map<String, String> forms = new LinkedHashMap<>();
        keys().forEach((name, key) -> {
            String hex = HexFormat.of().formatHex(key);
            forms.put(hex, name + " (hex)");
            forms.put(hex.toUpperCase(java.util.Locale.ROOT), name + " (HEX)");
            forms.put(Base64.getEncoder().encodeToString(key), name + " (base64)");
            forms.put(Arrays.toString(key), name + " (Arrays.toString)");
        });
        return forms;
    }
}
