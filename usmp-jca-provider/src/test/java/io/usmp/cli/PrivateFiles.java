package io.usmp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Key files as a careful user makes them: readable by the owner only (the CLI refuses others). */
final class PrivateFiles {
    private PrivateFiles() {
    }

    static Path write(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
