package io.usmp.it.adapter;

import static io.usmp.it.adapter.SampleApi.array;
import static io.usmp.it.adapter.SampleApi.device;
import static io.usmp.it.adapter.SampleApi.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ClientConfig;
import io.usmp.protocol.DeviceId;
import io.usmp.UsmpClient;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The sample application as its module builds it (usmp-sample.ear: WAR + RAR), on a server
 * configured as the README says, driven by real devices over TCP and through its REST API.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer(Server.Need.SAMPLE)
@RunAsClient
class SampleIT {
    static final String APP = "usmp-sample";
    /** The sample's device port (system property usmp.port), set by {@link Server#prepare}. */
    static final int PORT = 17401;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        ItDevices.writeKeyStore();
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File("target/deps/" + APP + ".ear"));
    }

    static UsmpClient connect(String device) throws Exception {
        return UsmpClient.connect(ClientConfig.builder("127.0.0.1", PORT, DeviceId.fromHex(device),
                ItDevices.psk(device)).build());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] typed(int type, String text) {
        byte[] t = utf8(text);
        byte[] m = new byte[t.length + 1];
        m[0] = (byte) type;
        System.arraycopy(t, 0, m, 1, t.length);
        return m;
    }

    @Test
    void binaryAndTextTelemetryArePersistedAndAckedWithTheirReadingIds() throws Exception {
        String id = ItDevices.id(30);
        long binaryAck;
        long textAck;
        try (UsmpClient device = connect(id)) {
            device.send(SampleApi.record(-525, 6500, 3300, 0x89abcdefL));
            binaryAck = SampleApi.ackedReading(device.receive(WAIT));
            device.send(utf8("temp=21.5;hum=40;bat=3700;n=7;fw=1.2"));
            textAck = SampleApi.ackedReading(device.receive(WAIT));
        }
        List<JsonObject> readings = array("api/devices/" + id + "/readings?limit=10").getValuesAs(JsonObject.class);
        assertEquals(2, readings.size(), readings::toString);
        JsonObject binary = readings.get(0);
        assertEquals(binaryAck, binary.getJsonNumber("id").longValue());
        assertEquals("BINARY", binary.getString("format"));
        assertEquals(-5.25, binary.getJsonNumber("temperatureC").doubleValue());
        assertEquals(65.0, binary.getJsonNumber("humidityPct").doubleValue());
        assertEquals(3300, binary.getInt("batteryMv"));
        assertEquals(0x89abcdefL, binary.getJsonNumber("counter").longValue());
        JsonObject text = readings.get(1);
        assertEquals(textAck, text.getJsonNumber("id").longValue());
        assertEquals("TEXT", text.getString("format"));
        assertEquals(21.5, text.getJsonNumber("temperatureC").doubleValue());
        assertEquals(3700, text.getInt("batteryMv"));
        assertEquals("temp=21.5;hum=40;bat=3700;n=7;fw=1.2", text.getString("text"));
        // The limit keeps the latest ones.
        assertEquals(textAck, array("api/devices/" + id + "/readings?limit=1").getJsonObject(0).getJsonNumber("id").longValue());
        assertTrue(array("api/readings?after=" + binaryAck).getValuesAs(JsonObject.class).stream()
                .anyMatch(r -> r.getJsonNumber("id").longValue() == textAck));
    }

    @Test
    void registryFollowsSessionsOpenedAndClosed() throws Exception {
        String id = ItDevices.id(31);
        try (UsmpClient device = connect(id)) {
            eventually(WAIT, id + " online", () -> device(id).map(d -> d.getBoolean("online")).orElse(false));
            device.send(utf8("temp=20"));
            SampleApi.ackedReading(device.receive(WAIT));
        }
        eventually(WAIT, id + " offline", () -> !device(id).orElseThrow().getBoolean("online"));
        JsonObject d = device(id).orElseThrow();
        assertEquals("peer_bye", d.getString("lastCloseReason"));
        assertEquals(1, d.getInt("sessions"));
        assertEquals(1, d.getInt("messagesReceived"));
        assertTrue(d.containsKey("lastSeen"), d::toString);

        try (UsmpClient device = connect(id)) {
            eventually(WAIT, id + " online again", () -> device(id).orElseThrow().getInt("sessions") == 2
                    && device(id).orElseThrow().getBoolean("online"));
        }
    }

    @Test
    void commandReachesTheDeviceAndItsAnswerIsRecorded() throws Exception {
        String id = ItDevices.id(32);
        try (UsmpClient device = connect(id)) {
            eventually(WAIT, id + " online", () -> device(id).map(d -> d.getBoolean("online")).orElse(false));
            var r = SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"led=on\",\"requestId\":\"it-cmd-1\"}");
            assertEquals(201, r.statusCode(), r.body());
            assertArrayEquals(typed(0x03, "led=on"), device.receive(WAIT));
            device.send(typed(0x02, "ok led=on"));
            eventually(WAIT, "answer recorded", () -> array("api/devices/" + id + "/commands").getJsonObject(0).containsKey("answer"));
            JsonObject c = array("api/devices/" + id + "/commands").getJsonObject(0);
            assertEquals("led=on", c.getString("text"));
            assertEquals("ok led=on", c.getString("answer"));
        }
    }

    /** The send is held by the adapter; the insert fails (requestId already used); nothing leaves. */
    @Test
    void commandWhoseRecordRollsBackIsNeverSent() throws Exception {
        String id = ItDevices.id(33);
        try (UsmpClient device = connect(id)) {
            eventually(WAIT, id + " online", () -> device(id).map(d -> d.getBoolean("online")).orElse(false));
            assertEquals(201, SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"first\",\"requestId\":\"it-dup\"}").statusCode());
            assertArrayEquals(typed(0x03, "first"), device.receive(WAIT));

            var again = SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"second\",\"requestId\":\"it-dup\"}");
            assertEquals(409, again.statusCode(), again.body());
            assertTrue(again.body().startsWith("command not recorded"), again.body());
            assertNull(device.receive(Duration.ofSeconds(3)), "the rolled-back command must not reach the device");
            JsonArray commands = array("api/devices/" + id + "/commands");
            assertEquals(1, commands.size(), commands::toString);

            // The connection pool and the datasource are fine afterwards: the next command goes out.
            assertEquals(201, SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"third\"}").statusCode());
            assertArrayEquals(typed(0x03, "third"), device.receive(WAIT));
        }
    }

    @Test
    void commandToADisconnectedDeviceIsRefusedAndNotRecorded() throws Exception {
        String id = ItDevices.id(34);
        try (UsmpClient device = connect(id)) {
            device.send(utf8("temp=1"));
            SampleApi.ackedReading(device.receive(WAIT));
        }
        eventually(WAIT, id + " offline", () -> !device(id).orElseThrow().getBoolean("online"));
        var r = SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"led=on\"}");
        assertEquals(409, r.statusCode(), r.body());
        assertEquals(0, array("api/devices/" + id + "/commands").size());
    }

    @Test
    void malformedTelemetryIsDeadLetteredWhileTheNextMessagesFlow() throws Exception {
        String id = ItDevices.id(35);
        long deadBefore = SampleApi.deadLettered();
        try (UsmpClient device = connect(id)) {
            device.send(utf8("no-equals-sign"));
            device.send(SampleApi.record(2000, 5000, 4000, 1));
            device.send(utf8("temp=22"));
            // The malformed one is retried, then dead-lettered; only then do the next two get through.
            long first = SampleApi.ackedReading(device.receive(WAIT));
            long second = SampleApi.ackedReading(device.receive(WAIT));
            assertTrue(second > first);
        }
        assertEquals(deadBefore + 1, SampleApi.deadLettered());
        List<JsonObject> readings = array("api/devices/" + id + "/readings").getValuesAs(JsonObject.class);
        assertEquals(List.of("BINARY", "TEXT"), readings.stream().map(r -> r.getString("format")).toList());
        assertEquals(2, device(id).orElseThrow().getInt("messagesReceived"), "the dead letter is not counted as received");
    }

    @Test
    void restRefusesBadRequests() throws Exception {
        String id = ItDevices.id(36);
        try (UsmpClient device = connect(id)) {
            eventually(WAIT, id + " online", () -> device(id).map(d -> d.getBoolean("online")).orElse(false));
            assertEquals(400, SampleApi.get("api/devices/" + id + "/readings?limit=0").statusCode());
            assertEquals(400, SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"\"}").statusCode());
            assertEquals(400, SampleApi.post("api/devices/" + id + "/commands", "{\"command\":\"" + "x".repeat(201) + "\"}").statusCode());
        }
        var unknown = SampleApi.get("api/devices/ffffffffffff/readings");
        assertEquals(404, unknown.statusCode());
        assertEquals("no device ffffffffffff", unknown.body());
        assertEquals(404, SampleApi.get("api/devices/not-hex/readings").statusCode());
        JsonObject stats = (JsonObject) SampleApi.json("api/stats");
        for (String key : List.of("devices", "online", "readings", "commands", "deadLettered")) {
            assertTrue(stats.containsKey(key), stats::toString);
        }
    }

    /**
     * The dashboard in a real browser: the devices this test runs appear online with live readings
     * and charts, and a command typed into the form reaches the device, whose answer shows up.
     * Leaves a screenshot at docs/dashboard.png (the README shows it).
     */
    @Test
    void dashboardShowsLiveDevicesAndSendsACommandTypedIntoItsForm() throws Exception {
        List<LiveDevice> devices = new ArrayList<>();
        try (Browser browser = new Browser()) {
            for (int i = 0; i < 6; i++) {
                devices.add(new LiveDevice(ItDevices.id(40 + i), i, Duration.ofMillis(300)));
            }
            for (LiveDevice d : devices) {
                eventually(WAIT, d.id + " has readings", () -> d.acks.get() >= 8);
            }
            browser.driver.get(SampleApi.BASE.toString());
            // The page re-renders its cards and options every 2 s: an element found just before may be gone when
            // read, so every read is inside a wait that tries again on a stale element.
            WebDriverWait wait = new WebDriverWait(browser.driver, WAIT);
            wait.ignoring(StaleElementReferenceException.class);
            for (LiveDevice d : devices) {
                String card = ".device.online[data-id='" + d.id + "']";
                wait.until(b -> !b.findElements(By.cssSelector(card + " svg polyline")).isEmpty());
                wait.until(b -> b.findElement(By.cssSelector(card + " .values")).getText().matches(".*°C.*%.*mV"));
            }
            long readings = wait.until(b -> Long.parseLong(b.findElement(By.id("stat-readings")).getText()));
            wait.until(b -> Long.parseLong(b.findElement(By.id("stat-readings")).getText()) > readings);

            LiveDevice target = devices.get(2);
            wait.until(b -> b.findElements(By.cssSelector("#command-device option[value='" + target.id + "']")).size() == 1);
            wait.until(b -> {
                new Select(b.findElement(By.id("command-device"))).selectByValue(target.id);
                return target.id.equals(b.findElement(By.id("command-device")).getDomProperty("value"));
            });
            WebElement text = browser.driver.findElement(By.id("command-text"));
            text.sendKeys("blink=3");
            browser.driver.findElement(By.id("command-send")).click();
            assertEquals("blink=3", target.commands.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            wait.until(b -> b.findElement(By.id("command-result")).getText().equals("sent to " + target.id));
            wait.until(b -> b.findElement(By.id("command-log")).getText().contains("ok blink=3"));
            for (LiveDevice d : devices) {
                assertTrue(d.commands.isEmpty(), () -> d.id + " got " + d.commands);
            }

            Path screenshot = browser.driver.getScreenshotAs(OutputType.FILE).toPath();
            Path docs = Files.createDirectories(Path.of("..", "docs"));
            Files.copy(screenshot, docs.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            for (LiveDevice d : devices) {
                d.close();
            }
        }
    }
}
