package io.usmp.sample.payload;

/** A device's answer to the command it was sent last. */
public record CommandAnswer(String text) implements Uplink {
}
