package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullRequestOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PriorityGroupState;
import io.nats.client.api.PriorityPolicy;
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
 * Priority groups on pull consumers (nats-server 2.11: priority_policy overflow and
 * pinned_client, Nats-Pin-Id, CONSUMER.UNPIN, pinned/unpinned advisories). Upstream 2.9.10, the
 * oracle installed here, predates them, so these run against jnatsd only; statuses and error
 * codes are upstream 2.11's.
 */
class JetStreamPriorityGroupsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestServer start() throws Exception {
        return TestServer.startJetStream(Impl.JNATSD, dir);
    }

    private static void stream(JetStreamManagement jsm) throws Exception {
        jsm.addStream(StreamConfiguration.builder().name("Q").subjects("q.>").storageType(StorageType.Memory).build());
    }

    private static void publish(JetStream js, int n) throws Exception {
        for (int i = 0; i < n; i++) js.publish("q.x", ("m" + i).getBytes(StandardCharsets.UTF_8));
    }

    /** A pull request sent by hand, so that its statuses and headers can be read as they come. */
    private static final class Puller implements AutoCloseable {
        private final Connection c;
        private final String inbox;
        private final Subscription sub;

        Puller(Connection c) throws Exception {
            this.c = c;
            this.inbox = c.createInbox();
            this.sub = c.subscribe(inbox);
            c.flush(Duration.ofSeconds(1));
        }

        void pull(String consumer, String json) {
            c.publish("$JS.API.CONSUMER.MSG.NEXT.Q." + consumer, inbox, json.getBytes(StandardCharsets.UTF_8));
        }

        Message next() throws InterruptedException {
            Message m = sub.nextMessage(Duration.ofSeconds(3));
            assertNotNull(m, "an answer to the pull request");
            return m;
        }

        /** The next answer, which must be a status; returns "code text". */
        String status() throws InterruptedException {
            Message m = next();
            assertTrue(m.isStatusMessage(), "a status, not a message: " + m);
            return m.getStatus().getCode() + " " + m.getStatus().getMessage();
        }

        @Override
        public void close() {
            sub.unsubscribe();
        }
    }

    private static JsonNode json(Message m) throws Exception {
        return JSON.readTree(m.getData());
    }

    private static int createError(JetStreamManagement jsm, ConsumerConfiguration cc) {
        return assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("Q", cc)).getApiErrorCode();
    }

    @Test
    void configValidationUsesUpstreamErrors() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            assertEquals(10159, createError(jsm, ConsumerConfiguration.builder().durable("a")
                    .priorityPolicy(PriorityPolicy.Overflow).build()), "a policy needs a group");
            assertEquals(10178, createError(jsm, ConsumerConfiguration.builder().durable("b").deliverSubject("dlv")
                    .priorityPolicy(PriorityPolicy.Overflow).priorityGroups("g").build()), "pull consumers only");
            assertEquals(10162, createError(jsm, ConsumerConfiguration.builder().durable("c")
                    .priorityPolicy(PriorityPolicy.PinnedClient).priorityGroups("no spaces").build()));
            assertEquals(10162, createError(jsm, ConsumerConfiguration.builder().durable("d")
                    .priorityPolicy(PriorityPolicy.PinnedClient).priorityGroups("seventeen-chars-x").build()));
            assertEquals(10196, createError(jsm, ConsumerConfiguration.builder().durable("e")
                    .priorityGroups("g").build()), "groups without a policy");

            ConsumerInfo ci = jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("ok")
                    .priorityPolicy(PriorityPolicy.PinnedClient).priorityGroups("A-z_0/9=").build());
            assertEquals(PriorityPolicy.PinnedClient, ci.getConsumerConfiguration().getPriorityPolicy());
            assertEquals(List.of("A-z_0/9="), ci.getConsumerConfiguration().getPriorityGroups());
            assertEquals(Duration.ofMinutes(2), ci.getConsumerConfiguration().getPriorityTimeout(),
                    "upstream's default priority_timeout for pinned_client");
        }
    }

    @Test
    void requestsWithoutAValidGroupAreRefused() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url()); Puller p = new Puller(c)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            publish(c.jetStream(), 1);
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("over")
                    .priorityPolicy(PriorityPolicy.Overflow).priorityGroups("g").build());
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("plain").build());

            p.pull("over", "{\"batch\":1}");
            assertEquals("400 Bad Request - Priority Group missing", p.status());
            p.pull("over", "1");
            assertEquals("400 Bad Request - Priority Group missing", p.status());
            p.pull("over", "{\"batch\":1,\"group\":\"other\"}");
            assertEquals("400 Bad Request - Invalid Priority Group", p.status());
            p.pull("over", "{\"batch\":1,\"group\":\"g\",\"id\":\"x\"}");
            assertEquals("400 Bad Request - Not a Pinned Client Priority consumer", p.status());
            p.pull("plain", "{\"batch\":1,\"min_pending\":3}");
            assertEquals("400 Bad Request - Not a Overflow Priority consumer", p.status());

            p.pull("over", "{\"batch\":1,\"group\":\"g\"}");
            Message m = p.next();
            assertFalse(m.isStatusMessage(), "a request naming the group is served");
            assertEquals("m0", new String(m.getData(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void overflowServesMinPendingOnlyWhileThatFarBehind() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            JetStream js = c.jetStream();
            publish(js, 2);
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("o").ackPolicy(AckPolicy.Explicit)
                    .priorityPolicy(PriorityPolicy.Overflow).priorityGroups("g").build());
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("Q", "o"));

            sub.pull(PullRequestOptions.builder(10).group("g").minPending(5).expiresIn(400).build());
            assertNull(sub.nextMessage(Duration.ofMillis(700)), "2 pending is below min_pending 5");

            publish(js, 4); // 6 pending now
            sub.pull(PullRequestOptions.builder(10).group("g").minPending(5).expiresIn(1000).build());
            List<String> got = new ArrayList<>();
            Message m;
            while ((m = sub.nextMessage(Duration.ofMillis(1500))) != null) got.add(new String(m.getData(), StandardCharsets.UTF_8));
            assertEquals(List.of("m0", "m1"), got, "served while 6 and 5 were pending, not at 4");

            sub.pull(PullRequestOptions.builder(10).group("g").expiresIn(1000).build());
            assertNotNull(sub.nextMessage(Duration.ofSeconds(2)), "without a threshold the group is served");
        }
    }

    @Test
    void overflowServesMinAckPendingOnceOthersHoldThatMany() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url()); Puller overflow = new Puller(c);
             Puller first = new Puller(c)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            publish(c.jetStream(), 3);
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("o").ackPolicy(AckPolicy.Explicit)
                    .priorityPolicy(PriorityPolicy.Overflow).priorityGroups("g").build());

            overflow.pull("o", "{\"batch\":1,\"group\":\"g\",\"min_ack_pending\":2,\"expires\":5000000000}");
            first.pull("o", "{\"batch\":2,\"group\":\"g\",\"expires\":5000000000}");
            assertEquals("m0", new String(first.next().getData(), StandardCharsets.UTF_8));
            assertEquals("m1", new String(first.next().getData(), StandardCharsets.UTF_8));
            Message m = overflow.next();
            assertFalse(m.isStatusMessage());
            assertEquals("m2", new String(m.getData(), StandardCharsets.UTF_8),
                    "the overflow request waits until two deliveries await their ack");
        }
    }

    @Test
    void pinnedClientGetsEverythingUntilUnpinnedOrTimedOut() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url()); Puller a = new Puller(c);
             Puller b = new Puller(c)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            publish(c.jetStream(), 5);
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("pin").ackPolicy(AckPolicy.None)
                    .priorityPolicy(PriorityPolicy.PinnedClient).priorityGroups("g")
                    .priorityTimeout(Duration.ofMillis(800)).build());
            Subscription pinned = c.subscribe("$JS.EVENT.ADVISORY.CONSUMER.PINNED.Q.pin");
            Subscription unpinned = c.subscribe("$JS.EVENT.ADVISORY.CONSUMER.UNPINNED.Q.pin");
            c.flush(Duration.ofSeconds(1));

            a.pull("pin", "{\"batch\":1,\"group\":\"g\",\"expires\":5000000000}");
            Message m0 = a.next();
            String pin = m0.getHeaders().getFirst("Nats-Pin-Id");
            assertNotNull(pin, "the first client served is pinned");
            JsonNode advisory = json(pinned.nextMessage(Duration.ofSeconds(2)));
            assertEquals("io.nats.jetstream.advisory.v1.consumer_group_pinned", advisory.get("type").asText());
            assertEquals("g", advisory.get("group").asText());
            assertEquals(pin, advisory.get("pinned_id").asText());

            PriorityGroupState state = jsm.getConsumerInfo("Q", "pin").getPriorityGroupStates().get(0);
            assertEquals("g", state.getGroup());
            assertEquals(pin, state.getPinnedClientId());
            assertNotNull(state.getPinnedTime());

            b.pull("pin", "{\"batch\":1,\"group\":\"g\",\"id\":\"not-the-pin\",\"expires\":5000000000}");
            assertEquals("423 Nats-Pin-Id mismatch", b.status());
            b.pull("pin", "{\"batch\":1,\"group\":\"g\",\"expires\":300000000}");
            assertTrue(b.status().startsWith("408"), "another client waits while one is pinned, here until it expires");

            a.pull("pin", "{\"batch\":1,\"group\":\"g\",\"expires\":5000000000,\"id\":\"" + pin + "\"}");
            assertEquals(pin, a.next().getHeaders().getFirst("Nats-Pin-Id"));

            assertTrue(jsm.unpinConsumer("Q", "pin", "g"));
            JsonNode admin = json(unpinned.nextMessage(Duration.ofSeconds(2)));
            assertEquals("io.nats.jetstream.advisory.v1.consumer_group_unpinned", admin.get("type").asText());
            assertEquals("admin", admin.get("reason").asText());
            assertNull(jsm.getConsumerInfo("Q", "pin").getPriorityGroupStates().get(0).getPinnedClientId());

            a.pull("pin", "{\"batch\":1,\"group\":\"g\",\"expires\":5000000000,\"id\":\"" + pin + "\"}");
            assertEquals("423 Nats-Wrong-Pin-Id", a.status(), "the old pin is no good after UNPIN");
            b.pull("pin", "{\"batch\":1,\"group\":\"g\",\"expires\":5000000000}");
            String newPin = b.next().getHeaders().getFirst("Nats-Pin-Id");
            assertNotNull(newPin);
            assertNotEquals(pin, newPin, "the next client served gets a new pin");

            // no pull from the pinned client for priority_timeout: the pin goes
            JsonNode timeout = json(unpinned.nextMessage(Duration.ofSeconds(3)));
            assertEquals("timeout", timeout.get("reason").asText());
            a.pull("pin", "{\"batch\":1,\"group\":\"g\",\"expires\":5000000000}");
            String third = a.next().getHeaders().getFirst("Nats-Pin-Id");
            assertNotNull(third);
            assertNotEquals(newPin, third);
        }
    }

    @Test
    void unpinChecksTheGroup() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("pin")
                    .priorityPolicy(PriorityPolicy.PinnedClient).priorityGroups("g").build());
            assertEquals(10160, assertThrows(JetStreamApiException.class, () -> jsm.unpinConsumer("Q", "pin", "h"))
                    .getApiErrorCode());
            assertEquals(10014, assertThrows(JetStreamApiException.class, () -> jsm.unpinConsumer("Q", "none", "g"))
                    .getApiErrorCode());
            JsonNode noGroup = json(c.request("$JS.API.CONSUMER.UNPIN.Q.pin", "{}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2)));
            assertEquals(10025, noGroup.get("error").get("err_code").asInt(), "a missing group is invalid JSON upstream");
        }
    }

    /** 2.12's prioritized policy (ADR-42): requests carry priority 0-9, the lowest is served first. */
    @Test
    void prioritizedServesTheLowestPriorityFirst() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url()); Puller low = new Puller(c);
             Puller high = new Puller(c); Puller none = new Puller(c)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            ConsumerInfo ci = jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("p")
                    .ackPolicy(AckPolicy.Explicit).priorityPolicy(PriorityPolicy.Prioritized).priorityGroups("g").build());
            assertEquals(PriorityPolicy.Prioritized, ci.getConsumerConfiguration().getPriorityPolicy());
            assertEquals(Duration.ZERO, ci.getConsumerConfiguration().getPriorityTimeout() == null ? Duration.ZERO
                    : ci.getConsumerConfiguration().getPriorityTimeout(), "no pin, so no default timeout");

            none.pull("p", "{\"batch\":2,\"group\":\"g\",\"expires\":5000000000}"); // priority 0 when left out
            low.pull("p", "{\"batch\":2,\"group\":\"g\",\"priority\":7,\"expires\":5000000000}");
            high.pull("p", "{\"batch\":2,\"group\":\"g\",\"priority\":3,\"expires\":5000000000}");
            awaitWaiting(jsm, "p", 3);
            publish(c.jetStream(), 5);
            assertEquals("m0", new String(none.next().getData(), StandardCharsets.UTF_8));
            assertEquals("m1", new String(none.next().getData(), StandardCharsets.UTF_8));
            assertEquals("m2", new String(high.next().getData(), StandardCharsets.UTF_8));
            assertEquals("m3", new String(high.next().getData(), StandardCharsets.UTF_8));
            assertEquals("m4", new String(low.next().getData(), StandardCharsets.UTF_8),
                    "priority 7 waits until 0 and 3 are done");
        }
    }

    @Test
    void priorityMustBeZeroToNineWhateverThePolicy() throws Exception {
        try (TestServer s = start(); Connection c = Nats.connect(s.url()); Puller p = new Puller(c)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(jsm);
            publish(c.jetStream(), 1);
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("p")
                    .priorityPolicy(PriorityPolicy.Prioritized).priorityGroups("g").build());
            jsm.addOrUpdateConsumer("Q", ConsumerConfiguration.builder().durable("plain").build());
            assertEquals(10159, createError(jsm, ConsumerConfiguration.builder().durable("x")
                    .priorityPolicy(PriorityPolicy.Prioritized).build()), "a policy needs a group");
            assertEquals(10178, createError(jsm, ConsumerConfiguration.builder().durable("y").deliverSubject("dlv")
                    .priorityPolicy(PriorityPolicy.Prioritized).priorityGroups("g").build()), "pull consumers only");

            p.pull("p", "{\"batch\":1,\"group\":\"g\",\"priority\":10}");
            assertEquals("400 Bad Request - Priority must be between 0 and 9", p.status());
            p.pull("p", "{\"batch\":1,\"group\":\"g\",\"priority\":-1}");
            assertEquals("400 Bad Request - Priority must be between 0 and 9", p.status());
            p.pull("plain", "{\"batch\":1,\"priority\":10}");
            assertEquals("400 Bad Request - Priority must be between 0 and 9", p.status());
            p.pull("p", "{\"batch\":1,\"priority\":1}");
            assertEquals("400 Bad Request - Priority Group missing", p.status());
            p.pull("p", "{\"batch\":1,\"group\":\"g\",\"priority\":9}");
            Message m = p.next();
            assertFalse(m.isStatusMessage(), "priority 9 is served: " + m);
        }
    }

    private static void awaitWaiting(JetStreamManagement jsm, String consumer, int n) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (jsm.getConsumerInfo("Q", consumer).getNumWaiting() < n) {
            assertTrue(System.nanoTime() < deadline, "pull requests waiting");
            Thread.onSpinWait();
        }
    }
}
