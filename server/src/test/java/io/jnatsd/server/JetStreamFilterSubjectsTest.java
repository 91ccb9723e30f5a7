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
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several filters on one consumer ({@code filter_subjects}, nats-server 2.10): validation with
 * upstream's errors, delivery to pull and push consumers, num_pending across the filters, and
 * updates. Upstream 2.9.10, the oracle installed here, ignores the field, and jnats refuses
 * several filters against a server that says it is 2.9.10, so the consumers are created with raw
 * API requests and the tests run against jnatsd only; codes and texts are upstream 2.12's.
 */
class JetStreamFilterSubjectsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestServer start() throws Exception {
        return TestServer.startJetStream(Impl.JNATSD, dir);
    }

    private static void stream(JetStreamManagement jsm, RetentionPolicy retention) throws Exception {
        jsm.addStream(StreamConfiguration.builder().name("F").subjects("f.>").retentionPolicy(retention)
                .storageType(StorageType.Memory).build());
    }

    /** CONSUMER.CREATE with {@code config} (a JSON object's inside) on {@code apiSubject}'s tail. */
    static JsonNode create(Connection c, String tail, String config) throws Exception {
        Message m = c.request("$JS.API.CONSUMER.CREATE.F." + tail,
                ("{\"stream_name\":\"F\",\"config\":{" + config + "}}").getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(3));
        assertNotNull(m, "an API answer");
        return JSON.readTree(m.getData());
    }

    private static String error(JsonNode resp) {
        JsonNode e = resp.path("error");
        assertFalse(e.isMissingNode(), "an error: " + resp);
        return e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    private static void publish(JetStream js, String... subjects) throws Exception {
        for (String s : subjects) js.publish(s, s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> subjects(List<Message> msgs) {
        return msgs.stream().map(Message::getSubject).toList();
    }

    @Test
    void invalidFiltersGetUpstreamsErrors() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            stream(c.jetStreamManagement(), RetentionPolicy.Limits);
            assertEquals("10136 consumer cannot have both FilterSubject and FilterSubjects specified",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subject\":\"f.a\",\"filter_subjects\":[\"f.b\"]")));
            assertEquals("10139 consumer filter in FilterSubjects cannot be empty",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subjects\":[\"f.a\",\"\"]")));
            assertEquals("10138 consumer subject filters cannot overlap",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subjects\":[\"f.a\",\"f.*\"]")));
            assertEquals("10138 consumer subject filters cannot overlap",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subjects\":[\"f.>\",\"f.a.b\"]")));
            assertEquals("10138 consumer subject filters cannot overlap",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subjects\":[\"f.a\",\"f.a\"]")));
            assertEquals("10052 invalid subject",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subjects\":[\"f.a\",\"f..b\"]")));
            assertEquals("10093 consumer filter subject is not a valid subset of the interest subjects",
                    error(create(c, "a", "\"durable_name\":\"a\",\"filter_subjects\":[\"f.a\",\"g.a\"]")));
            assertEquals("10137 consumer with multiple subject filters cannot use subject based API",
                    error(create(c, "a.f.a", "\"name\":\"a\",\"filter_subjects\":[\"f.a\"]")));
            assertEquals("10137 consumer with multiple subject filters cannot use subject based API",
                    error(create(c, "a.f.a", "\"name\":\"a\",\"filter_subject\":\"f.a\",\"filter_subjects\":[\"f.b\"]")));
            assertTrue(c.jetStreamManagement().getConsumerNames("F").isEmpty(), "none of them was created");

            // filters that share some subjects but hold neither the other are allowed, as upstream
            JsonNode ok = create(c, "ok", "\"durable_name\":\"ok\",\"filter_subjects\":[\"f.*.c\",\"f.b.*\"]");
            assertNull(ok.get("error"), ok.toString());
            assertEquals("[\"f.*.c\",\"f.b.*\"]", ok.path("config").path("filter_subjects").toString());
            assertNull(ok.path("config").get("filter_subject"), "filter_subject is left out");
        }
    }

    @Test
    void pullConsumerGetsEveryFilterInStreamOrderAndCountsPendingAcrossThem() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            publish(js, "f.a", "f.b", "f.c.1", "f.d", "f.c.2", "f.a");
            JsonNode info = create(c, "p", "\"durable_name\":\"p\",\"ack_policy\":\"explicit\","
                    + "\"filter_subjects\":[\"f.a\",\"f.c.>\"]");
            assertEquals(4, info.path("num_pending").asLong(), info.toString());

            publish(js, "f.b", "f.c.3");
            assertEquals(5, jsm.getConsumerInfo("F", "p").getNumPending(), "only the matching one counts");

            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("F", "p"));
            List<Message> got = new ArrayList<>();
            for (int i = 0; i < 10 && got.size() < 5; i++) got.addAll(sub.fetch(5 - got.size(), Duration.ofMillis(500)));
            assertEquals(List.of("f.a", "f.c.1", "f.c.2", "f.a", "f.c.3"), subjects(got));
            assertEquals(List.of(1L, 3L, 5L, 6L, 8L), got.stream().map(m -> m.metaData().streamSequence()).toList());
            got.forEach(Message::ack);
            assertEquals(0, jsm.getConsumerInfo("F", "p").getNumPending());
        }
    }

    @Test
    void pushConsumerGetsOnlyWhatItsFiltersMatch() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            stream(c.jetStreamManagement(), RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            publish(js, "f.x", "f.y", "f.z");
            Subscription sub = c.subscribe("dlv.push");
            c.flush(Duration.ofSeconds(1));
            JsonNode info = create(c, "push", "\"durable_name\":\"push\",\"deliver_subject\":\"dlv.push\","
                    + "\"filter_subjects\":[\"f.x\",\"f.z\"]");
            assertNull(info.get("error"), info.toString());
            publish(js, "f.y", "f.z", "f.x");
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Message m = sub.nextMessage(Duration.ofSeconds(3));
                assertNotNull(m, "delivery " + i);
                got.add(m.getSubject());
            }
            assertEquals(List.of("f.x", "f.z", "f.z", "f.x"), got);
            assertNull(sub.nextMessage(Duration.ofMillis(200)), "f.y is not delivered");
        }
    }

    @Test
    void lastPerSubjectTakesTheLastOfEverySubjectOfEveryFilter() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            stream(c.jetStreamManagement(), RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            publish(js, "f.a", "f.b", "f.c", "f.a", "f.b", "f.c");
            JsonNode info = create(c, "l", "\"durable_name\":\"l\",\"deliver_policy\":\"last_per_subject\","
                    + "\"filter_subjects\":[\"f.a\",\"f.c\"]");
            assertEquals(2, info.path("num_pending").asLong(), info.toString());
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("F", "l"));
            List<Message> got = sub.fetch(5, Duration.ofMillis(500));
            assertEquals(List.of(4L, 6L), got.stream().map(m -> m.metaData().streamSequence()).toList());
        }
    }

    @Test
    void anUpdateChangesTheFiltersWhereTheConsumerStands() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            publish(js, "f.a", "f.b", "f.c", "f.a", "f.b", "f.c");
            create(c, "u", "\"durable_name\":\"u\",\"ack_policy\":\"explicit\",\"filter_subject\":\"f.a\"");
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("F", "u"));
            List<Message> first = sub.fetch(1, Duration.ofMillis(500));
            assertEquals(List.of(1L), first.stream().map(m -> m.metaData().streamSequence()).toList());
            first.forEach(Message::ack);

            JsonNode updated = create(c, "u", "\"durable_name\":\"u\",\"ack_policy\":\"explicit\","
                    + "\"filter_subjects\":[\"f.b\",\"f.c\"]");
            assertNull(updated.get("error"), updated.toString());
            assertEquals("[\"f.b\",\"f.c\"]", updated.path("config").path("filter_subjects").toString());
            assertEquals(4, updated.path("num_pending").asLong(), "recounted from where it stood: " + updated);
            List<Message> rest = new ArrayList<>();
            for (int i = 0; i < 10 && rest.size() < 4; i++) rest.addAll(sub.fetch(4 - rest.size(), Duration.ofMillis(500)));
            assertEquals(List.of(2L, 3L, 5L, 6L), rest.stream().map(m -> m.metaData().streamSequence()).toList());

            assertEquals("10138 consumer subject filters cannot overlap", error(create(c, "u",
                    "\"durable_name\":\"u\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.b\",\"f.>\"]")));
        }
    }

    @Test
    void workQueueFiltersMustStayDisjointOnUpdate() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            stream(c.jetStreamManagement(), RetentionPolicy.WorkQueue);
            String a = "\"durable_name\":\"a\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.a\",\"f.b\"]";
            assertNull(create(c, "a", a).get("error"));
            assertEquals("10100 filtered consumer not unique on workqueue stream", error(create(c, "b",
                    "\"durable_name\":\"b\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.c\",\"f.*.x\",\"f.b\"]")));
            assertNull(create(c, "b", "\"durable_name\":\"b\",\"ack_policy\":\"explicit\","
                    + "\"filter_subjects\":[\"f.c\",\"f.d.>\"]").get("error"));
            assertEquals("10100 filtered consumer not unique on workqueue stream", error(create(c, "b",
                    "\"durable_name\":\"b\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.c\",\"f.b\"]")));
            assertNull(create(c, "a", "\"durable_name\":\"a\",\"ack_policy\":\"explicit\","
                    + "\"filter_subjects\":[\"f.a\",\"f.e\"]").get("error"), "its own old filters do not count");
        }
    }

    @Test
    void interestStreamDropsWhatOnlyTheOldFiltersWanted() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, RetentionPolicy.Interest);
            create(c, "i", "\"durable_name\":\"i\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.a\",\"f.b\"]");
            publish(c.jetStream(), "f.a", "f.b", "f.a", "f.c");
            assertEquals(3, jsm.getStreamInfo("F").getStreamState().getMsgCount(), "f.c interests nobody");
            create(c, "i", "\"durable_name\":\"i\",\"ack_policy\":\"explicit\",\"filter_subjects\":[\"f.a\"]");
            assertEquals(2, jsm.getStreamInfo("F").getStreamState().getMsgCount(), "f.b is nobody's now");
            assertEquals(2, jsm.getConsumerInfo("F", "i").getNumPending());
        }
    }

    /** Filters that share a subject without one holding the other (allowed): its messages count and go once. */
    @Test
    void aSubjectTwoFiltersShareIsCountedAndDeliveredOnce() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm, RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            publish(js, "f.b.c", "f.a.c", "f.b.d", "f.x.y", "f.b.c");
            JsonNode info = create(c, "s", "\"durable_name\":\"s\",\"filter_subjects\":[\"f.*.c\",\"f.b.*\"]");
            assertEquals(4, info.path("num_pending").asLong(), info.toString());
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("F", "s"));
            List<Message> got = new ArrayList<>();
            for (int i = 0; i < 10 && got.size() < 4; i++) got.addAll(sub.fetch(10, Duration.ofMillis(300)));
            assertEquals(List.of(1L, 2L, 3L, 5L), got.stream().map(m -> m.metaData().streamSequence()).toList());

            JsonNode last = create(c, "l", "\"durable_name\":\"l\",\"deliver_policy\":\"last_per_subject\","
                    + "\"filter_subjects\":[\"f.*.c\",\"f.b.*\"]");
            assertEquals(3, last.path("num_pending").asLong(), "f.a.c, f.b.d and f.b.c once: " + last);
            JetStreamSubscription lsub = js.subscribe(null, PullSubscribeOptions.bind("F", "l"));
            List<Message> lasts = new ArrayList<>();
            for (int i = 0; i < 10 && lasts.size() < 3; i++) lasts.addAll(lsub.fetch(10, Duration.ofMillis(300)));
            assertEquals(List.of(2L, 3L, 5L), lasts.stream().map(m -> m.metaData().streamSequence()).toList());
        }
    }
}
