package io.usmp.sample.rest;

import jakarta.ws.rs.BadRequestException;

/** The {@code limit} query parameter's bounds. */
final class Limits {
    static final int MAX = 1000;

    private Limits() {
    }

    static int check(int limit) {
        if (limit < 1 || limit > MAX) {
            throw new BadRequestException("limit: 1.." + MAX);
        }
        return limit;
    }
}
