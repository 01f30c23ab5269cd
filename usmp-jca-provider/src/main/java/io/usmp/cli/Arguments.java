package io.usmp.cli;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed {@code --name value} and {@code --flag} options; every mistake is a {@link UsageException}. */
final class Arguments {
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Options in order, so repeated {@code --send}/{@code --gen} keep their sequence. */
    private final List<Map.Entry<String, String>> options = new ArrayList<>();

    Arguments(String[] args, int from, Set<String> valued, Set<String> flags) throws UsageException {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (flags.contains(a)) {
                options.add(Map.entry(a, ""));
            } else if (valued.contains(a)) {
                if (i + 1 >= args.length) {
                    throw new UsageException(a + " needs a value");
                }
                options.add(Map.entry(a, args[++i]));
            } else {
                throw new UsageException("unknown option " + a);
            }
        }
    }

    boolean has(String name) {
        return options.stream().anyMatch(e -> e.getKey().equals(name));
    }

    String get(String name, String fallback) {
        String value = fallback;
        for (Map.Entry<String, String> e : options) {
            if (e.getKey().equals(name)) {
                value = e.getValue();
            }
        }
        return value;
    }

    String required(String name) throws UsageException {
        String v = get(name, null);
        if (v == null) {
            throw new UsageException(name + " is required");
        }
        return v;
    }

    /** The values of the given options, in command-line order. */
    List<Map.Entry<String, String>> inOrder(Set<String> names) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e : options) {
            if (names.contains(e.getKey())) {
                out.add(e);
            }
        }
        return out;
    }

    int port(String name) throws UsageException {
        String v = required(name);
        try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a port number 0..65535, got " + v);
        }
    }

    DeviceId deviceId() throws UsageException {
        try {
            return DeviceId.fromHex(required("--device-id"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--device-id must be 12 hex digits (6 bytes)");
        }
    }

    /** The PSK from {@code --psk-file} (raw bytes) or {@code --psk-hex}; exactly one is allowed. */
    byte[] psk() throws UsageException {
        boolean file = has("--psk-file");
        boolean hex = has("--psk-hex");
        if (file == hex) {
            throw new UsageException("give exactly one of --psk-file PATH or --psk-hex HEX");
        }
        byte[] psk;
        if (file) {
            Path path = Path.of(get("--psk-file", null));
            refuseIfReadableByOthers(path);
            try {
                psk = Files.readAllBytes(path);
            } catch (IOException e) {
                throw new UsageException("cannot read --psk-file " + path + ": " + e.getMessage());
            }
        } else {
            psk = hex("--psk-hex", get("--psk-hex", null));
        }
        if (!Limits.isUsablePsk(psk)) {
            throw new UsageException("the PSK must be at least " + Limits.MIN_PSK_LENGTH + " bytes, got " + psk.length);
        }
        return psk;
    }

    /** Like ssh with a private key: a key file that group or others may read is refused. */
    static void refuseIfReadableByOthers(Path path) throws UsageException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException notPosix) {
            return;
        } catch (IOException e) {
            throw new UsageException("cannot read --psk-file " + path + ": " + e.getMessage());
        }
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new UsageException("--psk-file " + path + " is readable by others (" + PosixFilePermissions.toString(perms)
                    + "); restrict it with chmod 600");
        }
    }

    static byte[] hex(String option, String value) throws UsageException {
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " is not an even number of hex digits");
        }
    }
}
