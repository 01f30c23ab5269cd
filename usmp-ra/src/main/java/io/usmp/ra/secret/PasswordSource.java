package io.usmp.ra.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where a keystore password comes from: a file (best: management reads show only its path), the
 * name of an environment variable, or the value itself. Shared by the inbound activation spec and
 * the dial-out connection factory.
 */
public final class PasswordSource {
    private PasswordSource() {
    }

    /**
     * A copy of the password from the first source that is set: the file (its trailing line break
     * is not part of the password), the environment variable, else {@code value}. The caller wipes it.
     */
    public static char[] read(String file, String env, char[] value) throws IOException {
        if (file != null && !file.isBlank()) {
            byte[] raw = Files.readAllBytes(Path.of(file));
            try {
                int end = raw.length;
                while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
                    end--;
                }
                CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, end));
                char[] out = new char[chars.remaining()];
                chars.get(out);
                Arrays.fill(chars.array(), '\0');
                return out;
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        }
        if (env != null && !env.isBlank()) {
            String v = System.getenv(env);
            return v == null ? new char[0] : v.toCharArray();
        }
        return value == null ? new char[0] : value.clone();
    }
}
