package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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
import io.nats.client.api.StorageType;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic batch publish (2.12, ADR-50): {@code allow_atomic}, {@code Nats-Batch-Id},
 * {@code Nats-Batch-Sequence}, {@code Nats-Batch-Commit} ({@code 1} or {@code eob}), the
 * {@code jetstream { limits { batch {} } }} ceilings, and the batch's all-or-nothing checks.
 * Upstream 2.9.10 has no batches, so this runs against jnatsd only; the expected bytes and texts
 * are upstream's at 2.12. Publishes are raw requests (jnats 2.25 has no batch API).
 */
class JetStreamAtomicBatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestServer start(String limits) throws Exception {
        Path store = Files.createDirectories(dir.resolve("batch"));
        return TestServer.start(Impl.JNATSD, "jetstream { store_dir: \"" + store + "\"" + (limits.isEmpty() ? "" : ", limits { batch { "
                + limits + " } }") + " }");
    }

    /** Publishes one batch message; the reply as text ("" for the empty reply a staged message gets). */
    private static String send(Connection c, String subject, String payload, String id, long seq, String... more) throws Exception {
        Headers h = new Headers();
        if (id != null) h.add("Nats-Batch-Id", id);
        if (seq > 0) h.add("Nats-Batch-Sequence", Long.toString(seq));
        for (int i = 0; i + 1 < more.length; i += 2) h.add(more[i], more[i + 1]);
        Message m = c.request(NatsMessage.builder().subject(subject).headers(h).data(bytes(payload)).build(), Duration.ofSeconds(5));
        assertNotNull(m, "no reply on " + subject);
        return m.getData() == null ? "" : new String(m.getData(), StandardCharsets.UTF_8);
    }

    private static String errorOf(String ack) throws Exception {
        JsonNode e = JSON.readTree(ack).path("error");
        return e.isMissingNode() ? "" : e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    private static long count(JetStreamManagement jsm, String stream) throws Exception {
        return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
    }

    @Test
    void aBatchIsStoredOnlyWhenCommittedAndAllTogether() throws Exception {
        try (TestServer s = start(""); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("B").subjects("b.>").allowAtomicPublish().build());
            c.jetStream().publish("b.before", bytes("0"));
            assertEquals("", send(c, "b.x", "1", "b1", 1));
            assertEquals("", send(c, "b.y", "2", "b1", 2));
            // another publisher's message is not held up by an open batch
            assertEquals(2, c.jetStream().publish("b.other", bytes("o")).getSeqno());
            assertEquals(2, count(jsm, "B"));
            assertEquals("{\"stream\":\"B\", \"seq\":5,\"batch\":\"b1\",\"count\":3}", send(c, "b.x", "3", "b1", 3, "Nats-Batch-Commit", "1"));
            assertEquals(5, count(jsm, "B"));
            MessageInfo first = jsm.getMessage("B", 3);
            assertEquals("b1", first.getHeaders().getFirst("Nats-Batch-Id"));
            assertEquals("1", first.getHeaders().getFirst("Nats-Batch-Sequence"));
            assertEquals("1", jsm.getMessage("B", 5).getHeaders().getFirst("Nats-Batch-Commit"));

            // committed by an end-of-batch message, which is not stored itself
            assertEquals("", send(c, "b.z", "a", "b2", 1));
            assertEquals("", send(c, "b.z", "b", "b2", 2));
            assertEquals("{\"stream\":\"B\", \"seq\":7,\"batch\":\"b2\",\"count\":2}", send(c, "b.z", "ignored", "b2", 3, "Nats-Batch-Commit", "eob"));
            assertEquals("1", jsm.getMessage("B", 7).getHeaders().getFirst("Nats-Batch-Commit"));
            assertEquals(7, jsm.getStreamInfo("B").getStreamState().getLastSequence());
        }
    }

    @Test
    void batchMessagesUpstreamRefuses() throws Exception {
        try (TestServer s = start(""); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("B").subjects("b.>").allowAtomicPublish().build());
            jsm.addStream(StreamConfiguration.builder().name("P").subjects("p").build());
            assertEquals("400 10174 atomic publish is disabled", errorOf(send(c, "p", "x", "id", 1)));
            assertEquals("400 10179 atomic publish batch ID is invalid", errorOf(send(c, "b.a", "x", "i".repeat(65), 1)));
            assertEquals("400 10175 atomic publish sequence is missing", errorOf(send(c, "b.a", "x", "id", 0)));
            assertEquals("400 10175 atomic publish sequence is missing", errorOf(send(c, "b.a", "x", "id", 0, "Nats-Batch-Sequence", "one")));
            assertEquals("400 10176 atomic publish batch is incomplete", errorOf(send(c, "b.a", "x", "late", 2)));
            assertEquals("400 10176 atomic publish batch is incomplete", errorOf(send(c, "b.a", "x", "eob1", 1, "Nats-Batch-Commit", "eob")));
            assertEquals("400 10200 atomic publish batch commit is invalid", errorOf(send(c, "b.a", "x", "bad", 1, "Nats-Batch-Commit", "yes")));
            // a gap drops the batch: what follows is incomplete too
            assertEquals("", send(c, "b.a", "x", "gap", 1));
            assertEquals("400 10176 atomic publish batch is incomplete", errorOf(send(c, "b.a", "x", "gap", 3)));
            assertEquals("400 10176 atomic publish batch is incomplete", errorOf(send(c, "b.a", "x", "gap", 2, "Nats-Batch-Commit", "1")));
            // the batch's own consistency rules, checked at the commit: nothing of a refused batch is stored
            assertEquals("", send(c, "b.a", "x", "lmi", 1));
            assertEquals("400 10177 atomic publish unsupported header used: Nats-Expected-Last-Msg-Id",
                    errorOf(send(c, "b.a", "x", "lmi", 2, "Nats-Batch-Commit", "1", "Nats-Expected-Last-Msg-Id", "m")));
            assertEquals("", send(c, "b.a", "x", "dup", 1, "Nats-Msg-Id", "same"));
            assertEquals("400 10201 atomic publish batch contains duplicate message id",
                    errorOf(send(c, "b.b", "x", "dup", 2, "Nats-Batch-Commit", "1", "Nats-Msg-Id", "same")));
            assertEquals("", send(c, "b.a", "x", "els", 1, "Nats-Expected-Last-Sequence", "0"));
            assertEquals("400 10164 wrong last sequence",
                    errorOf(send(c, "b.a", "x", "els", 2, "Nats-Batch-Commit", "1", "Nats-Expected-Last-Sequence", "1")));
            assertEquals("", send(c, "b.s", "x", "elss", 1));
            assertEquals("400 10164 wrong last sequence",
                    errorOf(send(c, "b.t", "x", "elss", 2, "Nats-Batch-Commit", "1", "Nats-Expected-Last-Subject-Sequence", "0",
                            "Nats-Expected-Last-Subject-Sequence-Subject", "b.s")));
            assertEquals(0, count(jsm, "B"));
            // an expected last sequence on the first message holds
            assertEquals("", send(c, "b.a", "x", "ok", 1, "Nats-Expected-Last-Sequence", "0"));
            assertEquals("{\"stream\":\"B\", \"seq\":2,\"batch\":\"ok\",\"count\":2}", send(c, "b.a", "y", "ok", 2, "Nats-Batch-Commit", "1"));
            assertEquals("400 10198 stream mirrors can not also use atomic publishing",
                    errorOf(new String(c.request("$JS.API.STREAM.CREATE.M", bytes("{\"name\":\"M\",\"mirror\":{\"name\":\"B\"},\"allow_atomic\":true}"),
                            Duration.ofSeconds(5)).getData(), StandardCharsets.UTF_8)));
        }
    }

    @Test
    void discardNewLimitsRefuseTheWholeBatch() throws Exception {
        try (TestServer s = start(""); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("L").subjects("l.>").allowAtomicPublish()
                    .maxMessages(2).discardPolicy(DiscardPolicy.New).storageType(StorageType.Memory).build());
            c.jetStream().publish("l.a", bytes("0"));
            assertEquals("", send(c, "l.a", "1", "big", 1));
            assertEquals("503 10077 maximum messages exceeded", errorOf(send(c, "l.a", "2", "big", 2, "Nats-Batch-Commit", "1")));
            assertEquals(1, count(jsm, "L"));
        }
    }

    @Test
    void countersAddUpWithinABatch() throws Exception {
        try (TestServer s = start(""); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("CB").subjects("cb.>").allowAtomicPublish().allowMessageCounter().build());
            assertEquals("", send(c, "cb.n", "", "c1", 1, "Nats-Incr", "1"));
            assertEquals("{\"stream\":\"CB\", \"seq\":2,\"batch\":\"c1\",\"count\":2}", send(c, "cb.n", "", "c1", 2, "Nats-Batch-Commit", "1", "Nats-Incr", "2"));
            assertEquals("{\"val\":\"1\"}", new String(jsm.getMessage("CB", 1).getData(), StandardCharsets.UTF_8));
            assertEquals("{\"val\":\"3\"}", new String(jsm.getMessage("CB", 2).getData(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void schedulesInABatchAreCheckedAsPublishedOnes() throws Exception {
        try (TestServer s = start(""); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("SB").subjects("sb.>").allowAtomicPublish().allowMessageSchedules().build());
            String at = "@at " + java.time.Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            assertEquals("", send(c, "sb.a", "1", "s1", 1));
            assertEquals("400 10190 message schedules target is invalid", errorOf(send(c, "sb.sched", "2", "s1", 2,
                    "Nats-Batch-Commit", "1", "Nats-Schedule", at, "Nats-Schedule-Target", "elsewhere")));
            assertEquals(0, count(jsm, "SB"));
            assertEquals("", send(c, "sb.a", "1", "s2", 1));
            assertEquals("{\"stream\":\"SB\", \"seq\":2,\"batch\":\"s2\",\"count\":2}", send(c, "sb.sched", "2", "s2", 2,
                    "Nats-Batch-Commit", "1", "Nats-Schedule", at, "Nats-Schedule-Target", "sb.out"));
            assertEquals("sub", jsm.getMessage("SB", 2).getHeaders().getFirst("Nats-Rollup"));
        }
    }

    @Test
    void theServersBatchLimits() throws Exception {
        try (TestServer s = start("max_msgs: 2, max_inflight_per_stream: 1, timeout: \"500ms\""); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("B").subjects("b.>").allowAtomicPublish().build());
            assertEquals("", send(c, "b.a", "1", "one", 1));
            assertEquals("429 10210 atomic publish too many inflight", errorOf(send(c, "b.a", "1", "two", 1)));
            assertEquals("", send(c, "b.a", "2", "one", 2));
            assertEquals("400 10199 atomic publish batch is too large: 2", errorOf(send(c, "b.a", "3", "one", 3, "Nats-Batch-Commit", "1")));
            // an end-of-batch marker does not count
            assertEquals("", send(c, "b.a", "1", "eob", 1));
            assertEquals("", send(c, "b.a", "2", "eob", 2));
            assertEquals("{\"stream\":\"B\", \"seq\":2,\"batch\":\"eob\",\"count\":2}", send(c, "b.a", "", "eob", 3, "Nats-Batch-Commit", "eob"));
            // a batch left idle past the timeout is dropped
            assertEquals("", send(c, "b.a", "1", "idle", 1));
            long deadline = System.nanoTime() + 5_000_000_000L;
            String late;
            do {
                late = send(c, "b.a", "x", "probe", 1); // opens only once "idle" is gone (one batch per stream)
                if (late.isEmpty()) break;
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
            assertEquals("", late);
            assertEquals("400 10176 atomic publish batch is incomplete", errorOf(send(c, "b.a", "2", "idle", 2, "Nats-Batch-Commit", "1")));
            assertEquals(2, count(jsm, "B"));
        }
    }
}
