package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message schedules (2.12, ADR-51): {@code allow_msg_schedules}, {@code Nats-Schedule}
 * ({@code @at}, {@code @every}, cron), {@code Nats-Schedule-Target}/{@code -Source}/{@code -TTL}/
 * {@code -Rollup}/{@code -Time-Zone}, the copies' {@code Nats-Scheduler} and
 * {@code Nats-Schedule-Next}, cancelling, and upstream's refusals. Upstream 2.9.10 has no
 * schedules, so this runs against jnatsd only; the expected behaviour and texts are upstream's at
 * 2.12. Publishes are raw (jnats 2.25 has no schedule API).
 */
class JetStreamMessageSchedulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String publish(Connection c, String subject, String payload, String... headerPairs) throws Exception {
        return TestServer.publishForAck(c, subject, payload, headerPairs);
    }

    private static String errorOf(String ack) throws Exception {
        JsonNode e = JSON.readTree(ack).path("error");
        return e.isMissingNode() ? "" : e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    private static String create(Connection c, String name, String json) throws Exception {
        Message m = c.request("$JS.API.STREAM.CREATE." + name, bytes(json), Duration.ofSeconds(5));
        JsonNode e = JSON.readTree(m.getData()).path("error");
        return e.isMissingNode() ? "" : e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    private static MessageInfo last(JetStreamManagement jsm, String stream, String subject) {
        try {
            return jsm.getLastMessage(stream, subject);
        } catch (Exception notFound) {
            return null;
        }
    }

    private static MessageInfo awaitLast(JetStreamManagement jsm, String stream, String subject, long minSeq) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            MessageInfo m = last(jsm, stream, subject);
            if (m != null && m.getSeq() >= minSeq) return m;
            Thread.sleep(20);
        }
        throw new AssertionError("nothing on " + subject + " from " + minSeq);
    }

    private static String soon(int seconds) {
        return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void anAtScheduleFiresOnceAndPurgesItself() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertEquals("", create(c, "S", "{\"name\":\"S\",\"subjects\":[\"sched.>\"],\"allow_msg_schedules\":true}"));
            // schedules roll up their subject: the stream allows roll-ups without being asked
            assertTrue(jsm.getStreamInfo("S").getConfiguration().getAllowRollup());
            assertEquals("{\"stream\":\"S\", \"seq\":1}", publish(c, "sched.once", "hello", "Nats-Schedule", "@at " + soon(1),
                    "Nats-Schedule-Target", "sched.out", "X-App", "1", "Nats-Msg-Id", "m1"));
            assertEquals("sub", jsm.getMessage("S", 1).getHeaders().getFirst("Nats-Rollup"));
            MessageInfo copy = awaitLast(jsm, "S", "sched.out", 2);
            assertEquals("hello", new String(copy.getData(), StandardCharsets.UTF_8));
            assertEquals("1", copy.getHeaders().getFirst("X-App"));
            assertEquals("sched.once", copy.getHeaders().getFirst("Nats-Scheduler"));
            assertEquals("purge", copy.getHeaders().getFirst("Nats-Schedule-Next"));
            assertNull(copy.getHeaders().getFirst("Nats-Schedule"));
            assertNull(copy.getHeaders().getFirst("Nats-Schedule-Target"));
            assertNull(copy.getHeaders().getFirst("Nats-Msg-Id"));
            // the one-off schedule is gone with its copy
            assertNull(last(jsm, "S", "sched.once"));
            assertEquals(1, jsm.getStreamInfo("S").getStreamState().getMsgCount());
        }
    }

    @Test
    void anEveryScheduleRepeatsFromItsSourceUntilCancelled() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertEquals("", create(c, "S", "{\"name\":\"S\",\"subjects\":[\"sched.>\"],\"allow_msg_schedules\":true,\"allow_msg_ttl\":true}"));
            publish(c, "sched.state", "v1");
            publish(c, "sched.tick", "own", "Nats-Schedule", "@every 1s", "Nats-Schedule-Target", "sched.copy",
                    "Nats-Schedule-Source", "sched.state", "Nats-Schedule-TTL", "30s");
            MessageInfo first = awaitLast(jsm, "S", "sched.copy", 3);
            assertEquals("v1", new String(first.getData(), StandardCharsets.UTF_8)); // the source's last message
            assertEquals("30s", first.getHeaders().getFirst("Nats-TTL"));
            String next = first.getHeaders().getFirst("Nats-Schedule-Next");
            assertTrue(Instant.parse(next).isAfter(first.getTime().toInstant().minusSeconds(1)), next);
            publish(c, "sched.state", "v2");
            MessageInfo later = awaitLast(jsm, "S", "sched.copy", first.getSeq() + 2);
            assertEquals("v2", new String(later.getData(), StandardCharsets.UTF_8));
            assertNotNull(last(jsm, "S", "sched.tick")); // a repeating schedule stays
            // cancelled by a purge naming it
            assertEquals("", errorOf(publish(c, "sched.cancel", "", "Nats-Schedule-Next", "purge", "Nats-Scheduler", "sched.tick")));
            assertNull(last(jsm, "S", "sched.tick"));
        }
    }

    @Test
    void aScheduleSurvivesARestart() throws Exception {
        Path store = Files.createDirectories(dir.resolve("sched-restart"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            assertEquals("", create(c, "S", "{\"name\":\"S\",\"subjects\":[\"sched.>\"],\"allow_msg_schedules\":true}"));
            publish(c, "sched.later", "x", "Nats-Schedule", "@at " + soon(3), "Nats-Schedule-Target", "sched.out");
            assertNull(last(c.jetStreamManagement(), "S", "sched.out")); // due after the restart
        }
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertTrue(jsm.getStreamInfo("S").getConfiguration().getAllowMsgSchedules());
            assertEquals("sched.later", awaitLast(jsm, "S", "sched.out", 2).getHeaders().getFirst("Nats-Scheduler"));
        }
    }

    @Test
    void aCronScheduleInATimeZoneIsTaken() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            assertEquals("", create(c, "S", "{\"name\":\"S\",\"subjects\":[\"sched.>\"],\"allow_msg_schedules\":true}"));
            assertEquals("", errorOf(publish(c, "sched.daily", "x", "Nats-Schedule", "0 30 9 * * mon-fri",
                    "Nats-Schedule-Time-Zone", "Europe/Amsterdam", "Nats-Schedule-Target", "sched.out")));
            assertEquals("", errorOf(publish(c, "sched.hourly", "x", "Nats-Schedule", "@hourly", "Nats-Schedule-Target", "sched.out")));
            // every second: fires within the test
            publish(c, "sched.sec", "s", "Nats-Schedule", "* * * * * *", "Nats-Schedule-Target", "sched.fast");
            MessageInfo copy = awaitLast(c.jetStreamManagement(), "S", "sched.fast", 4);
            assertTrue(copy.getHeaders().getFirst("Nats-Schedule-Next").endsWith("Z"));
        }
    }

    @Test
    void publishesUpstreamRefuses() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            assertEquals("", create(c, "S", "{\"name\":\"S\",\"subjects\":[\"sched.>\"],\"allow_msg_schedules\":true}"));
            assertEquals("", create(c, "P", "{\"name\":\"P\",\"subjects\":[\"plain.>\"]}"));
            String at = "@at " + soon(3600);
            String[][] cases = {
                {"plain.a", "Nats-Schedule", at, "Nats-Schedule-Target", "plain.b", "400 10188 message schedules is disabled"},
                {"plain.a", "Nats-Schedule", "@at never", "", "", "400 10188 message schedules is disabled"},
                {"sched.a", "Nats-Schedule", "@at tomorrow", "Nats-Schedule-Target", "sched.b", "400 10189 message schedules pattern is invalid"},
                {"sched.a", "Nats-Schedule", "@every 500ms", "Nats-Schedule-Target", "sched.b", "400 10189 message schedules pattern is invalid"},
                {"sched.a", "Nats-Schedule", "61 * * * * *", "Nats-Schedule-Target", "sched.b", "400 10189 message schedules pattern is invalid"},
                {"sched.a", "Nats-Schedule", "* * * * *", "Nats-Schedule-Target", "sched.b", "400 10189 message schedules pattern is invalid"},
                {"sched.a", "Nats-Schedule", at, "Nats-Schedule-Time-Zone", "Mars/Olympus", "400 10223 message schedules time zone is invalid"},
                {"sched.a", "Nats-Schedule", at, "Nats-Schedule-Time-Zone", "Europe/Amsterdam", "400 10189 message schedules pattern is invalid"},
                {"sched.a", "Nats-Schedule", at, "", "", "400 10190 message schedules target is invalid"},
                {"sched.a", "Nats-Schedule", at, "Nats-Schedule-Target", "sched.a", "400 10190 message schedules target is invalid"},
                {"sched.a", "Nats-Schedule", at, "Nats-Schedule-Target", "elsewhere", "400 10190 message schedules target is invalid"},
                {"sched.a", "Nats-Schedule", at, "Nats-Schedule-Target", "sched.*", "400 10190 message schedules target is invalid"},
                {"sched.a", "Nats-Schedule-Next", "soon", "Nats-Scheduler", "sched.b", "400 10212 message schedules invalid scheduler"},
                {"sched.a", "Nats-Schedule-Next", "purge", "", "", "400 10212 message schedules invalid scheduler"},
                {"sched.a", "Nats-Schedule-Next", "purge", "Nats-Scheduler", "sched.a", "400 10212 message schedules invalid scheduler"},
                {"sched.a", "Nats-Scheduler", "sched.b", "", "", "400 10212 message schedules invalid scheduler"},
            };
            for (String[] k : cases) {
                String ack = k[3].isEmpty() ? publish(c, k[0], "x", k[1], k[2]) : publish(c, k[0], "x", k[1], k[2], k[3], k[4]);
                assertEquals(k[5], errorOf(ack), String.join(" ", k));
            }
            String target = "Nats-Schedule-Target";
            assertEquals("400 10203 message schedules source is invalid",
                    errorOf(publish(c, "sched.a", "x", "Nats-Schedule", at, target, "sched.b", "Nats-Schedule-Source", "sched.b")));
            assertEquals("400 10191 message schedules invalid per-message TTL",
                    errorOf(publish(c, "sched.a", "x", "Nats-Schedule", at, target, "sched.b", "Nats-Schedule-TTL", "soon")));
            assertEquals("400 10192 message schedules invalid rollup",
                    errorOf(publish(c, "sched.a", "x", "Nats-Schedule", at, target, "sched.b", "Nats-Schedule-Rollup", "all")));
            assertEquals("400 10192 message schedules invalid rollup",
                    errorOf(publish(c, "sched.a", "x", "Nats-Schedule", at, target, "sched.b", "Nats-Rollup", "all")));
            assertEquals("400 10166 per-message TTL is disabled",
                    errorOf(publish(c, "sched.a", "x", "Nats-Schedule", at, target, "sched.b", "Nats-Schedule-TTL", "5s")));
            // a purge may only name a schedule
            publish(c, "sched.plain", "x");
            assertEquals("400 10212 message schedules invalid scheduler",
                    errorOf(publish(c, "sched.a", "x", "Nats-Schedule-Next", "purge", "Nats-Scheduler", "sched.plain")));
        }
    }

    @Test
    void configurationsUpstreamRefuses() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            assertEquals("500 10052 message scheduling cannot use discard new",
                    create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_schedules\":true,\"discard\":\"new\"}"));
            assertEquals("500 10052 counter stream cannot use message schedules",
                    create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_schedules\":true,\"allow_msg_counter\":true}"));
            assertEquals("", create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_schedules\":true}"));
            assertEquals("400 10186 stream mirrors can not also schedule messages",
                    create(c, "M", "{\"name\":\"M\",\"mirror\":{\"name\":\"A\"},\"allow_msg_schedules\":true}"));
            assertEquals("400 10187 stream source can not also schedule messages",
                    create(c, "SRC", "{\"name\":\"SRC\",\"sources\":[{\"name\":\"A\"}],\"allow_msg_schedules\":true}"));
            Message m = c.request("$JS.API.STREAM.UPDATE.A", bytes("{\"name\":\"A\",\"subjects\":[\"a\"]}"), Duration.ofSeconds(5));
            assertEquals("message schedules can not be disabled", JSON.readTree(m.getData()).path("error").path("description").asText());
        }
    }
}
