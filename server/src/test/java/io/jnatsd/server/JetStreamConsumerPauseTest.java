package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.ConsumerPauseResponse;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer pause (nats-server 2.11's pause_until and CONSUMER.PAUSE) through jnats. Upstream
 * 2.9.10, the oracle installed here, predates the feature, so these run against jnatsd only;
 * the expected behaviour is upstream 2.11's.
 */
class JetStreamConsumerPauseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static ZonedDateTime inMillis(long ms) {
        return ZonedDateTime.now(ZoneOffset.UTC).plus(Duration.ofMillis(ms));
    }

    private static JsonNode json(Message m) throws Exception {
        return JSON.readTree(m.getData());
    }

    private static void stream(JetStreamManagement jsm, StorageType storage) throws Exception {
        jsm.addStream(StreamConfiguration.builder().name("P").subjects("p.>").storageType(storage).build());
    }

    @Test
    void pausedPullConsumerHoldsRequestsAndResumesAtTheDeadline() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, StorageType.Memory);
            JetStream js = c.jetStream();
            for (int i = 0; i < 3; i++) js.publish("p.a", TestServer.bytes("m" + i));
            jsm.addOrUpdateConsumer("P", ConsumerConfiguration.builder().durable("d").ackPolicy(AckPolicy.Explicit).build());
            Subscription advisories = c.subscribe("$JS.EVENT.ADVISORY.CONSUMER.PAUSE.P.d");
            c.flush(Duration.ofSeconds(1));

            ZonedDateTime until = inMillis(1500);
            ConsumerPauseResponse paused = jsm.pauseConsumer("P", "d", until);
            assertTrue(paused.isPaused());
            assertEquals(until.toInstant(), paused.getPauseUntil().toInstant());
            assertTrue(paused.getPauseRemaining().toMillis() > 0);

            JsonNode pausedAdvisory = json(advisories.nextMessage(Duration.ofSeconds(2)));
            assertEquals("io.nats.jetstream.advisory.v1.consumer_pause", pausedAdvisory.get("type").asText());
            assertEquals("P", pausedAdvisory.get("stream").asText());
            assertEquals("d", pausedAdvisory.get("consumer").asText());
            assertTrue(pausedAdvisory.get("paused").asBoolean());
            assertEquals(until.toInstant(), ZonedDateTime.parse(pausedAdvisory.get("pause_until").asText()).toInstant());

            ConsumerInfo info = jsm.getConsumerInfo("P", "d");
            assertTrue(info.getPaused());
            assertTrue(info.getPauseRemaining().toMillis() > 0);
            assertEquals(until.toInstant(), info.getConsumerConfiguration().getPauseUntil().toInstant());

            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("P", "d"));
            assertEquals(List.of(), sub.fetch(3, Duration.ofMillis(300)), "nothing is delivered while paused");

            List<Message> after = sub.fetch(3, Duration.ofSeconds(5));
            assertFalse(ZonedDateTime.now(ZoneOffset.UTC).isBefore(until), "delivered only once the pause is over");
            assertEquals(3, after.size());

            JsonNode resumed = json(advisories.nextMessage(Duration.ofSeconds(2)));
            assertFalse(resumed.get("paused").asBoolean(), "the deadline passing is advised too");
            assertFalse(jsm.getConsumerInfo("P", "d").getPaused());
        }
    }

    @Test
    void pushConsumerCreatedPausedDeliversOnlyWhenResumed() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, StorageType.Memory);
            JetStream js = c.jetStream();
            js.publish("p.a", TestServer.bytes("held"));
            Subscription advisories = c.subscribe("$JS.EVENT.ADVISORY.CONSUMER.PAUSE.P.push");
            Subscription sub = c.subscribe("dlv.push"); // bound before the consumer exists: it would deliver at once
            c.flush(Duration.ofSeconds(1));
            ZonedDateTime until = inMillis(3_600_000);
            jsm.addOrUpdateConsumer("P", ConsumerConfiguration.builder().durable("push").deliverSubject("dlv.push")
                    .ackPolicy(AckPolicy.Explicit).pauseUntil(until).build());
            assertTrue(json(advisories.nextMessage(Duration.ofSeconds(2))).get("paused").asBoolean(),
                    "a consumer created paused is advised as paused");
            assertNull(sub.nextMessage(Duration.ofMillis(300)), "nothing is pushed while paused");

            // An update through the config does not touch the pause (upstream keeps the current one)
            jsm.addOrUpdateConsumer("P", ConsumerConfiguration.builder().durable("push").deliverSubject("dlv.push")
                    .ackPolicy(AckPolicy.Explicit).description("updated").build());
            ConsumerInfo info = jsm.getConsumerInfo("P", "push");
            assertEquals("updated", info.getConsumerConfiguration().getDescription());
            assertTrue(info.getPaused());
            assertTrue(json(advisories.nextMessage(Duration.ofSeconds(2))).get("paused").asBoolean(),
                    "as upstream, a create or update request on a paused consumer advises it paused again");
            assertNull(sub.nextMessage(Duration.ofMillis(200)));

            assertTrue(jsm.resumeConsumer("P", "push"));
            Message m = sub.nextMessage(Duration.ofSeconds(2));
            assertNotNull(m, "resuming delivers at once");
            assertEquals("held", new String(m.getData()));
            ConsumerInfo resumed = jsm.getConsumerInfo("P", "push");
            assertFalse(resumed.getPaused());
            assertNull(resumed.getConsumerConfiguration().getPauseUntil(), "resume clears pause_until");
            JsonNode advisory = json(advisories.nextMessage(Duration.ofSeconds(2)));
            assertFalse(advisory.get("paused").asBoolean());
        }
    }

    @Test
    void pauseSurvivesARestart() throws Exception {
        Path store = Files.createDirectories(dir.resolve("restart"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        ZonedDateTime until = inMillis(3_600_000);
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, StorageType.File);
            c.jetStream().publish("p.a", TestServer.bytes("kept"));
            jsm.addOrUpdateConsumer("P", ConsumerConfiguration.builder().durable("d").ackPolicy(AckPolicy.Explicit).build());
            assertTrue(jsm.pauseConsumer("P", "d", until).isPaused());
        }
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            ConsumerInfo info = jsm.getConsumerInfo("P", "d");
            assertTrue(info.getPaused(), "still paused after the restart");
            assertEquals(until.toInstant(), info.getConsumerConfiguration().getPauseUntil().toInstant());
            JetStreamSubscription sub = c.jetStream().subscribe(null, PullSubscribeOptions.bind("P", "d"));
            assertEquals(List.of(), sub.fetch(1, Duration.ofMillis(300)));
            assertTrue(jsm.resumeConsumer("P", "d"));
            assertEquals(1, sub.fetch(1, Duration.ofSeconds(2)).size());
        }
    }

    @Test
    void pauseOfAMissingConsumerIsConsumerNotFound() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, StorageType.Memory);
            Message reply = c.request("$JS.API.CONSUMER.PAUSE.P.nope", TestServer.bytes("{}"), Duration.ofSeconds(2));
            JsonNode resp = json(reply);
            assertEquals("io.nats.jetstream.api.v1.consumer_pause_response", resp.get("type").asText());
            assertEquals(10014, resp.get("error").get("err_code").asInt());
        }
    }
}
