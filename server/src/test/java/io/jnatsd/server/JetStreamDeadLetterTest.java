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
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dead-letter subject (a jnatsd addition, consumer config {@code dead_letter_subject}): a
 * message that used up max_deliver or was terminated is published there with Nats-DLQ-* headers
 * and stored by a stream that captures the subject. No upstream server has it, so these run
 * against jnatsd only; consumers are created with raw API requests since jnats does not know the
 * field.
 */
class JetStreamDeadLetterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    private TestServer start() throws Exception {
        return TestServer.startJetStream(Impl.JNATSD, dir);
    }

    private static void streams(JetStreamManagement jsm) throws Exception {
        jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").storageType(StorageType.Memory).build());
        jsm.addStream(StreamConfiguration.builder().name("DLQ").subjects("dlq.>").storageType(StorageType.Memory).build());
    }

    private static JsonNode create(Connection c, String stream, String name, String config) throws Exception {
        Message m = c.request("$JS.API.CONSUMER.CREATE." + stream + "." + name, ("{\"stream_name\":\"" + stream
                + "\",\"config\":{\"durable_name\":\"" + name + "\"," + config + "}}").getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(3));
        assertNotNull(m, "an API answer");
        return JSON.readTree(m.getData());
    }

    private static String error(JsonNode resp) {
        JsonNode e = resp.path("error");
        assertFalse(e.isMissingNode(), "an error: " + resp);
        return e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    /** The first message the DLQ stream stores, waited for a bounded time. */
    private static MessageInfo awaitDeadLetter(JetStreamManagement jsm, long seq) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (jsm.getStreamInfo("DLQ").getStreamState().getMsgCount() < seq) {
            assertTrue(System.nanoTime() < deadline, "a dead letter in DLQ");
            Thread.sleep(20); // polling a count, bounded by the deadline
        }
        return jsm.getMessage("DLQ", seq);
    }

    private static void publishWithHeaders(JetStream js) throws Exception {
        Headers h = new Headers().add("App", "x").add("Nats-Msg-Id", "id-1");
        js.publish(NatsMessage.builder().subject("orders.new").headers(h).data("order 1", StandardCharsets.UTF_8).build());
    }

    @Test
    void aMessageThatUsedUpMaxDeliverIsStoredInTheDeadLetterStream() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            streams(jsm);
            JsonNode info = create(c, "ORDERS", "proc", "\"ack_policy\":\"explicit\",\"max_deliver\":2,"
                    + "\"ack_wait\":" + 300 * MS + ",\"dead_letter_subject\":\"dlq.orders\"");
            assertEquals("dlq.orders", info.path("config").path("dead_letter_subject").asText(), info.toString());
            JetStream js = c.jetStream();
            publishWithHeaders(js);

            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("ORDERS", "proc"));
            assertEquals(1, sub.fetch(1, Duration.ofSeconds(2)).size(), "first delivery, not acked");
            assertEquals(1, sub.fetch(1, Duration.ofSeconds(2)).size(), "the redelivery, not acked");
            assertEquals(0, jsm.getStreamInfo("DLQ").getStreamState().getMsgCount(), "not dead yet");
            assertTrue(sub.fetch(1, Duration.ofSeconds(1)).isEmpty(), "no third delivery");

            MessageInfo dead = awaitDeadLetter(jsm, 1);
            assertEquals("dlq.orders", dead.getSubject());
            assertEquals("order 1", new String(dead.getData(), StandardCharsets.UTF_8));
            Headers h = dead.getHeaders();
            assertEquals("ORDERS", h.getFirst("Nats-DLQ-Stream"));
            assertEquals("proc", h.getFirst("Nats-DLQ-Consumer"));
            assertEquals("1", h.getFirst("Nats-DLQ-Sequence"));
            assertEquals("orders.new", h.getFirst("Nats-DLQ-Subject"));
            assertEquals("2", h.getFirst("Nats-DLQ-Deliveries"));
            assertEquals("MaxDeliveries", h.getFirst("Nats-DLQ-Reason"));
            assertNotNull(h.getFirst("Nats-DLQ-Time-Stamp"));
            assertNull(h.getFirst("Nats-DLQ-Term-Reason"));
            assertEquals("x", h.getFirst("App"), "the original headers come along");
            assertNull(h.getFirst("Nats-Msg-Id"), "but not those the DLQ stream would act on");
            assertEquals(1, jsm.getStreamInfo("DLQ").getStreamState().getMsgCount(), "exactly one dead letter");
        }
    }

    @Test
    void aPushConsumerSendsItsDeadLettersToo() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            streams(jsm);
            Subscription push = c.subscribe("deliver.here");
            c.flush(Duration.ofSeconds(1));
            create(c, "ORDERS", "pusher", "\"deliver_subject\":\"deliver.here\",\"ack_policy\":\"explicit\","
                    + "\"max_deliver\":1,\"ack_wait\":" + 200 * MS + ",\"dead_letter_subject\":\"dlq.pushed\"");
            c.jetStream().publish("orders.a", "a".getBytes(StandardCharsets.UTF_8));
            assertNotNull(push.nextMessage(Duration.ofSeconds(2)), "the one delivery");
            MessageInfo dead = awaitDeadLetter(jsm, 1);
            assertEquals("dlq.pushed", dead.getSubject());
            assertEquals("1", dead.getHeaders().getFirst("Nats-DLQ-Deliveries"));
            assertEquals("MaxDeliveries", dead.getHeaders().getFirst("Nats-DLQ-Reason"));
        }
    }

    @Test
    void aTerminatedMessageGoesWithItsReasonOnce() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            streams(jsm);
            create(c, "ORDERS", "t", "\"ack_policy\":\"explicit\",\"dead_letter_subject\":\"dlq.term\"");
            JetStream js = c.jetStream();
            publishWithHeaders(js);
            js.publish("orders.other", "other".getBytes(StandardCharsets.UTF_8));
            Subscription advisories = c.subscribe("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.ORDERS.t");
            c.flush(Duration.ofSeconds(1));

            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("ORDERS", "t"));
            List<Message> got = sub.fetch(2, Duration.ofSeconds(2));
            assertEquals(2, got.size());
            Message m = got.get(0);
            assertNotNull(c.request(m.getReplyTo(), "+TERM bad payload".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2)), "the +TERM is answered");
            assertNotNull(c.request(m.getReplyTo(), "+TERM again".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2)), "a second +TERM is answered");
            got.get(1).term(); // no reason text

            MessageInfo dead = awaitDeadLetter(jsm, 2);
            MessageInfo first = jsm.getMessage("DLQ", 1);
            assertEquals("Terminated", first.getHeaders().getFirst("Nats-DLQ-Reason"));
            assertEquals("bad payload", first.getHeaders().getFirst("Nats-DLQ-Term-Reason"));
            assertEquals("1", first.getHeaders().getFirst("Nats-DLQ-Deliveries"));
            assertEquals("1", first.getHeaders().getFirst("Nats-DLQ-Sequence"));
            assertEquals("x", first.getHeaders().getFirst("App"));
            assertEquals("2", dead.getHeaders().getFirst("Nats-DLQ-Sequence"), "the second is the other message");
            assertEquals("orders.other", dead.getHeaders().getFirst("Nats-DLQ-Subject"));
            assertNull(dead.getHeaders().getFirst("Nats-DLQ-Term-Reason"));
            assertEquals(2, jsm.getStreamInfo("DLQ").getStreamState().getMsgCount(), "the repeated +TERM sent nothing");

            JsonNode advisory = JSON.readTree(advisories.nextMessage(Duration.ofSeconds(2)).getData());
            assertEquals("bad payload", advisory.path("reason").asText(), "upstream's advisory names the reason: " + advisory);
        }
    }

    @Test
    void deadLetterSubjectsThatCouldLoopOrAreNotLiteralAreRefused() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            streams(jsm);
            jsm.addStream(StreamConfiguration.builder().name("AGG").subjects("agg.>").storageType(StorageType.Memory)
                    .sources(io.nats.client.api.Source.builder().name("ORDERS").build()).build());
            String base = "\"ack_policy\":\"explicit\",\"dead_letter_subject\":";
            assertEquals("10052 dead letter subject can not contain wildcards", error(create(c, "ORDERS", "a", base + "\"dlq.*\"")));
            assertEquals("10052 dead letter subject can not contain wildcards", error(create(c, "ORDERS", "a", base + "\"dlq.>\"")));
            assertEquals("10052 invalid dead letter subject", error(create(c, "ORDERS", "a", base + "\"dlq..x\"")));
            assertEquals("10052 dead letter subject can not be a subject of the consumer's stream",
                    error(create(c, "ORDERS", "a", base + "\"orders.dead\"")));
            assertEquals("10052 dead letter subject can not be a subject of the consumer's stream",
                    error(create(c, "AGG", "a", base + "\"orders.dead\"")), "what a source brings in loops too");
            assertEquals("10052 dead letter subject can not be a reserved subject",
                    error(create(c, "ORDERS", "a", base + "\"$JS.API.STREAM.LIST\"")));
            assertTrue(jsm.getConsumerNames("ORDERS").isEmpty());

            JsonNode plain = create(c, "ORDERS", "a", "\"ack_policy\":\"explicit\"");
            assertTrue(plain.path("config").path("dead_letter_subject").isMissingNode(), "left out when not set");
            JsonNode updated = create(c, "ORDERS", "a", base + "\"dlq.a\"");
            assertEquals("dlq.a", updated.path("config").path("dead_letter_subject").asText(), "an update may set it");
            assertEquals("dlq.a", JSON.readTree(c.request("$JS.API.CONSUMER.INFO.ORDERS.a", new byte[0],
                    Duration.ofSeconds(2)).getData()).path("config").path("dead_letter_subject").asText());
        }
    }

    /** A stream updated to take the dead-letter subject keeps the consumer, which then sends nothing. */
    @Test
    void aStreamThatLaterTakesTheSubjectKeepsTheConsumerButGetsNoDeadLetters() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").build());
            assertNull(create(c, "ORDERS", "t", "\"ack_policy\":\"explicit\",\"dead_letter_subject\":\"dlq.x\"")
                    .get("error"));
            jsm.updateStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>", "dlq.>").build());
        }
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertEquals("dlq.x", JSON.readTree(c.request("$JS.API.CONSUMER.INFO.ORDERS.t", new byte[0],
                    Duration.ofSeconds(2)).getData()).path("config").path("dead_letter_subject").asText(),
                    "the consumer came back after the restart");
            JetStream js = c.jetStream();
            js.publish("orders.a", "a".getBytes(StandardCharsets.UTF_8));
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("ORDERS", "t"));
            Message m = sub.fetch(1, Duration.ofSeconds(2)).get(0);
            assertNotNull(c.request(m.getReplyTo(), "+TERM".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2)));
            js.publish("orders.b", "b".getBytes(StandardCharsets.UTF_8)); // stored after anything the +TERM sent
            assertEquals(2, jsm.getStreamInfo("ORDERS").getStreamState().getMsgCount(), "no dead letter stored in ORDERS");
        }
    }
}
