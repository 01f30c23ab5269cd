package io.usmp.sample.rest;

import io.usmp.sample.AdapterStatistics;
import io.usmp.sample.CommandService;
import io.usmp.sample.DeviceRegistry;
import io.usmp.sample.ReadingStore;
import io.usmp.sample.model.Device;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code api/stats}: counts for the dashboard's header, dead letters included. */
@Path("stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {
    public record Stats(int devices, long online, long readings, long commands, long deadLettered) {
    }

    @EJB
    private DeviceRegistry registry;

    @EJB
    private ReadingStore readings;

    @EJB
    private CommandService commands;

    @Inject
    private AdapterStatistics adapter;

    @GET
    public Stats stats() {
        List<Device> devices = registry.all();
        return new Stats(devices.size(), devices.stream().filter(Device::isOnline).count(), readings.count(),
                commands.count(), adapter.messagesDeadLettered());
    }
}
