package io.usmp.sample.rest;

import io.usmp.ra.api.DeviceNotConnectedException;
import io.usmp.sample.CommandNotRecordedException;
import io.usmp.sample.CommandService;
import io.usmp.sample.DeviceRegistry;
import io.usmp.sample.ReadingStore;
import io.usmp.sample.model.Command;
import io.usmp.sample.model.Device;
import io.usmp.sample.model.Reading;
import jakarta.ejb.EJB;
import jakarta.resource.ResourceException;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.regex.Pattern;

/** {@code api/devices}: the registry, each device's readings and its commands. */
@Path("devices")
@Produces(MediaType.APPLICATION_JSON)
public class DevicesResource {
    private static final Pattern DEVICE_ID = Pattern.compile("[0-9a-f]{12}");

    @EJB
    private DeviceRegistry registry;

    @EJB
    private ReadingStore readings;

    @EJB
    private CommandService commands;

    @GET
    public List<Device> devices() {
        return registry.all();
    }

    @GET
    @Path("{id}/readings")
    public List<Reading> readings(@PathParam("id") String id, @QueryParam("limit") @DefaultValue("50") int limit) {
        return readings.latest(known(id), Limits.check(limit));
    }

    @GET
    @Path("{id}/commands")
    public List<Command> commands(@PathParam("id") String id, @QueryParam("limit") @DefaultValue("20") int limit) {
        return commands.latest(known(id), Limits.check(limit));
    }

    /** The request body: the command text and an optional client-chosen id that makes retries safe. */
    public record CommandRequest(String command, String requestId) {
    }

    /**
     * 201 with the recorded command; 409 when the device is not connected or the command could not
     * be recorded (then it was not sent either).
     */
    @POST
    @Path("{id}/commands")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response send(@PathParam("id") String id, CommandRequest request, @Context UriInfo uri) throws ResourceException {
        String device = known(id);
        if (request == null || request.command() == null || request.command().isBlank()
                || request.command().length() > Command.MAX_TEXT) {
            throw new BadRequestException("command: 1.." + Command.MAX_TEXT + " characters");
        }
        try {
            Command c = commands.send(device, request.command(), request.requestId());
            return Response.created(uri.getAbsolutePathBuilder().path(String.valueOf(c.getId())).build()).entity(c).build();
        } catch (DeviceNotConnectedException | CommandNotRecordedException e) {
            return Response.status(Response.Status.CONFLICT).type(MediaType.TEXT_PLAIN).entity(e.getMessage()).build();
        }
    }

    private String known(String id) {
        String hex = id.toLowerCase();
        if (!DEVICE_ID.matcher(hex).matches() || !registry.exists(hex)) {
            throw new NotFoundException("no device " + id);
        }
        return hex;
    }
}
