package io.usmp.sample.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API lives under {@code <context root>/api}; the dashboard page is at the context root. */
@ApplicationPath("api")
public class RestApplication extends Application {
}
