package io.usmp.sample.rest;

import io.usmp.sample.ReadingStore;
import io.usmp.sample.model.Reading;
import jakarta.ejb.EJB;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code api/readings?after=ID}: readings of every device newer than the ones a poller already has. */
@Path("readings")
@Produces(MediaType.APPLICATION_JSON)
public class ReadingsResource {
    @EJB
    private ReadingStore readings;

    @GET
    public List<Reading> after(@QueryParam("after") @DefaultValue("0") long after,
                               @QueryParam("limit") @DefaultValue("500") int limit) {
        return readings.after(after, Limits.check(limit));
    }
}
