package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.startJetStream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.Subscription;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.Republish;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.SubjectTransform;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stream features through the official client, against jnatsd and upstream alike where 2.9.10
 * has the feature (2.10+ and 2.11 features run against jnatsd only).
 */
class JetStreamFeaturesTest {
    @TempDir
    Path dir;

    private static int apiError(Executable e) {
        return assertThrows(JetStreamApiException.class, e::run).getApiErrorCode();
    }

    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sealedStreamRejectsPublishDeleteAndPurge(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamConfiguration cfg = StreamConfiguration.builder().name("SEAL").subjects("seal.>").build();
            jsm.addStream(cfg);
            JetStream js = c.jetStream();
            js.publish("seal.a", bytes("1"));
            js.publish("seal.b", bytes("2"));
            StreamInfo sealed = jsm.updateStream(StreamConfiguration.builder(cfg).seal().build());
            assertTrue(sealed.getConfiguration().getSealed());
            assertEquals(10109, apiError(() -> js.publish("seal.c", bytes("3"))));
            assertEquals(10109, apiError(() -> jsm.deleteMessage("SEAL", 1)));
            assertEquals(10109, apiError(() -> jsm.purgeStream("SEAL")));
            assertEquals(10052, apiError(() -> jsm.updateStream(cfg)));
            assertEquals(2, jsm.getStreamInfo("SEAL").getStreamState().getMsgCount());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void denyDeleteAndDenyPurge(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamConfiguration cfg = StreamConfiguration.builder().name("DENY").subjects("deny")
                    .denyDelete(true).denyPurge(true).build();
            jsm.addStream(cfg);
            c.jetStream().publish("deny", bytes("x"));
            assertEquals(10057, apiError(() -> jsm.deleteMessage("DENY", 1)));
            assertEquals(10110, apiError(() -> jsm.purgeStream("DENY")));
            assertEquals(10052, apiError(() -> jsm.updateStream(StreamConfiguration.builder(cfg).denyDelete(false).build())));
            assertEquals(1, jsm.getStreamInfo("DENY").getStreamState().getMsgCount());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void rollupSubAndAll(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ROLL").subjects("roll.>").allowRollup(true).build());
            jsm.addStream(StreamConfiguration.builder().name("NOROLL").subjects("noroll").build());
            JetStream js = c.jetStream();
            for (int i = 0; i < 3; i++) {
                js.publish("roll.a", bytes("a" + i));
                js.publish("roll.b", bytes("b" + i));
            }
            js.publish(NatsMessage.builder().subject("roll.a").headers(new Headers().add("Nats-Rollup", "sub"))
                    .data(bytes("a-roll")).build());
            StreamInfo afterSub = jsm.getStreamInfo("ROLL");
            assertEquals(4, afterSub.getStreamState().getMsgCount()); // b0..b2 and the rollup
            assertArrayEquals(bytes("a-roll"), jsm.getLastMessage("ROLL", "roll.a").getData());
            js.publish(NatsMessage.builder().subject("roll.b").headers(new Headers().add("Nats-Rollup", "all"))
                    .data(bytes("all")).build());
            assertEquals(1, jsm.getStreamInfo("ROLL").getStreamState().getMsgCount());
            assertEquals(10111, apiError(() -> js.publish(NatsMessage.builder().subject("noroll")
                    .headers(new Headers().add("Nats-Rollup", "all")).data(bytes("x")).build())));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD") // per-message TTL is a 2.11 feature
    void messageTtl(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("TTL").subjects("ttl.>").allowMessageTtl().build());
            jsm.addStream(StreamConfiguration.builder().name("NOTTL").subjects("nottl").build());
            JetStream js = c.jetStream();
            js.publish("ttl.short", bytes("gone soon"), PublishOptions.builder().messageTtlSeconds(1).build());
            js.publish("ttl.never", bytes("stays"), PublishOptions.builder().messageTtlNever().build());
            js.publish("ttl.plain", bytes("stays too"));
            assertEquals(10166, apiError(() -> js.publish("nottl", bytes("x"), PublishOptions.builder().messageTtlSeconds(1).build())));
            assertEquals(10165, apiError(() -> js.publish("ttl.bad", bytes("x"), PublishOptions.builder().messageTtlCustom("soon").build())));
            awaitCount(jsm, "TTL", 2, Duration.ofSeconds(5));
            assertEquals(10037, apiError(() -> jsm.getMessage("TTL", 1)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void maxAgeExpiresOldMessages(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("AGE").subjects("age").maxAge(Duration.ofMillis(700)).build());
            c.jetStream().publish("age", bytes("1"));
            c.jetStream().publish("age", bytes("2"));
            assertEquals(2, jsm.getStreamInfo("AGE").getStreamState().getMsgCount());
            awaitCount(jsm, "AGE", 0, Duration.ofSeconds(5));
            assertEquals(3, c.jetStream().publish("age", bytes("3")).getSeqno());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD") // subject_transform is a 2.10 feature
    void subjectTransformStoresUnderTheNewSubject(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamInfo info = jsm.addStream(StreamConfiguration.builder().name("TR").subjects("in.*.*")
                    .subjectTransform(SubjectTransform.builder().source("in.*.*").destination("out.{{wildcard(2)}}.{{wildcard(1)}}").build())
                    .build());
            assertEquals("out.{{wildcard(2)}}.{{wildcard(1)}}", info.getConfiguration().getSubjectTransform().getDestination());
            assertEquals(1, c.jetStream().publish("in.a.b", bytes("x")).getSeqno());
            MessageInfo m = jsm.getMessage("TR", 1);
            assertEquals("out.b.a", m.getSubject());
            assertEquals(10156, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("BAD").subjects("bad.*")
                    .subjectTransform(SubjectTransform.builder().source("bad.*").destination("x.{{nope(1)}}").build()).build())));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void republishAddsHeadersAndHeadersOnlyDropsTheBody(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("RP").subjects("rp.>")
                    .republish(Republish.builder().source("rp.>").destination("copy.>").build()).build());
            jsm.addStream(StreamConfiguration.builder().name("RPH").subjects("rph.>")
                    .republish(Republish.builder().source("rph.>").destination("meta.>").headersOnly(true).build()).build());
            Subscription copies = c.subscribe("copy.>");
            Subscription metas = c.subscribe("meta.>");
            c.flush(Duration.ofSeconds(2));
            JetStream js = c.jetStream();
            js.publish("rp.x", bytes("one"));
            js.publish(NatsMessage.builder().subject("rp.x").headers(new Headers().add("X-App", "v")).data(bytes("two")).build());
            js.publish("rp.y", bytes("three"));
            js.publish("rph.z", bytes("12345"));

            Message first = copies.nextMessage(Duration.ofSeconds(2));
            assertEquals("copy.x", first.getSubject());
            assertArrayEquals(bytes("one"), first.getData());
            assertEquals("RP", first.getHeaders().getFirst("Nats-Stream"));
            assertEquals("rp.x", first.getHeaders().getFirst("Nats-Subject"));
            assertEquals("1", first.getHeaders().getFirst("Nats-Sequence"));
            assertEquals("0", first.getHeaders().getFirst("Nats-Last-Sequence"));
            if (impl == Impl.JNATSD) assertNotNull(first.getHeaders().getFirst("Nats-Time-Stamp")); // 2.10+
            Message second = copies.nextMessage(Duration.ofSeconds(2));
            assertEquals("v", second.getHeaders().getFirst("X-App"));
            assertEquals("2", second.getHeaders().getFirst("Nats-Sequence"));
            assertEquals("1", second.getHeaders().getFirst("Nats-Last-Sequence"));
            Message third = copies.nextMessage(Duration.ofSeconds(2));
            assertEquals("copy.y", third.getSubject());
            assertEquals("0", third.getHeaders().getFirst("Nats-Last-Sequence"));

            Message meta = metas.nextMessage(Duration.ofSeconds(2));
            assertEquals("meta.z", meta.getSubject());
            assertEquals(0, meta.getData() == null ? 0 : meta.getData().length);
            assertEquals("5", meta.getHeaders().getFirst("Nats-Msg-Size"));
            assertEquals("RPH", meta.getHeaders().getFirst("Nats-Stream"));

            assertEquals(10052, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("CYCLE").subjects("cyc.>")
                    .republish(Republish.builder().source("cyc.>").destination("cyc.again.>").build()).build())));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void keyValueUsesDirectGetLastBySubject(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            c.keyValueManagement().create(KeyValueConfiguration.builder().name("B").maxHistoryPerKey(3).build());
            KeyValue kv = c.keyValue("B");
            kv.put("k1", bytes("v1"));
            kv.put("k1", bytes("v2"));
            kv.put("k2", bytes("w"));
            KeyValueEntry e = kv.get("k1");
            assertArrayEquals(bytes("v2"), e.getValue());
            assertEquals(2, e.getRevision());
            assertEquals(1, kv.get("k1", 1).getRevision());
            assertNull(kv.get("missing"));
            kv.delete("k2");
            assertNull(kv.get("k2"));
            assertTrue(c.jetStreamManagement().getStreamInfo("KV_B").getConfiguration().getAllowDirect());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void directGetSingle(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("D").subjects("d.>").allowDirect(true).build());
            JetStream js = c.jetStream();
            js.publish("d.a", bytes("a1"));
            js.publish(NatsMessage.builder().subject("d.b").headers(new Headers().add("X-K", "v")).data(bytes("b1")).build());
            js.publish("d.a", bytes("a2"));
            Message bySeq = c.request("$JS.API.DIRECT.GET.D", bytes("{\"seq\":2}"), Duration.ofSeconds(2));
            assertArrayEquals(bytes("b1"), bySeq.getData());
            assertEquals("v", bySeq.getHeaders().getFirst("X-K"));
            assertEquals("D", bySeq.getHeaders().getFirst("Nats-Stream"));
            assertEquals("d.b", bySeq.getHeaders().getFirst("Nats-Subject"));
            assertEquals("2", bySeq.getHeaders().getFirst("Nats-Sequence"));
            Message last = c.request("$JS.API.DIRECT.GET.D.d.a", null, Duration.ofSeconds(2));
            assertEquals("3", last.getHeaders().getFirst("Nats-Sequence"));
            Message next = c.request("$JS.API.DIRECT.GET.D", bytes("{\"seq\":2,\"next_by_subj\":\"d.a\"}"), Duration.ofSeconds(2));
            assertEquals("3", next.getHeaders().getFirst("Nats-Sequence"));
            Message missing = c.request("$JS.API.DIRECT.GET.D", bytes("{\"seq\":9}"), Duration.ofSeconds(2));
            assertEquals(404, missing.getStatus().getCode());
            Message empty = c.request("$JS.API.DIRECT.GET.D", new byte[0], Duration.ofSeconds(2));
            assertEquals(408, empty.getStatus().getCode());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD") // batched direct get came with 2.11
    void directGetBatchAndMultiLast(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("DB").subjects("db.>").allowDirect(true).build());
            JetStream js = c.jetStream();
            for (int i = 1; i <= 10; i++) js.publish("db." + (i % 3 == 0 ? "x" : "y"), bytes("m" + i));

            List<Message> batch = directBatch(c, "DB", "{\"seq\":2,\"batch\":4}");
            assertEquals(5, batch.size());
            assertEquals(List.of("2", "3", "4", "5"), batch.subList(0, 4).stream()
                    .map(m -> m.getHeaders().getFirst("Nats-Sequence")).toList());
            assertEquals("8", batch.get(0).getHeaders().getFirst("Nats-Num-Pending"));
            assertEquals("0", batch.get(0).getHeaders().getFirst("Nats-Last-Sequence"));
            assertEquals("2", batch.get(1).getHeaders().getFirst("Nats-Last-Sequence"));
            Message eob = batch.get(4);
            assertEquals(204, eob.getStatus().getCode());
            assertEquals("5", eob.getHeaders().getFirst("Nats-Num-Pending"));
            assertEquals("5", eob.getHeaders().getFirst("Nats-Last-Sequence"));

            List<Message> filtered = directBatch(c, "DB", "{\"next_by_subj\":\"db.x\",\"batch\":10}");
            assertEquals(List.of("3", "6", "9"), filtered.subList(0, 3).stream()
                    .map(m -> m.getHeaders().getFirst("Nats-Sequence")).toList());
            assertEquals(204, filtered.get(3).getStatus().getCode());
            assertEquals("0", filtered.get(3).getHeaders().getFirst("Nats-Num-Pending"));

            List<Message> bytesCapped = directBatch(c, "DB", "{\"seq\":1,\"batch\":10,\"max_bytes\":10}");
            assertEquals(3, bytesCapped.size()); // two messages of 6 bytes (subject + data) pass 10, then EOB

            List<Message> multi = directBatch(c, "DB", "{\"multi_last\":[\"db.x\",\"db.y\"]}");
            assertEquals(List.of("9", "10"), multi.subList(0, 2).stream()
                    .map(m -> m.getHeaders().getFirst("Nats-Sequence")).toList());
            assertEquals("1", multi.get(0).getHeaders().getFirst("Nats-Num-Pending"));
            assertEquals(204, multi.get(2).getStatus().getCode());
            assertEquals("10", multi.get(2).getHeaders().getFirst("Nats-UpTo-Sequence"));

            List<Message> upTo = directBatch(c, "DB", "{\"multi_last\":[\"db.*\"],\"up_to_seq\":7}");
            assertEquals(List.of("6", "7"), upTo.subList(0, 2).stream()
                    .map(m -> m.getHeaders().getFirst("Nats-Sequence")).toList());

            List<Message> none = directBatch(c, "DB", "{\"multi_last\":[\"nothing.here\"]}");
            assertEquals(404, none.get(0).getStatus().getCode());
            List<Message> bad = directBatch(c, "DB", "{\"last_by_subj\":\"db.x\",\"batch\":2}");
            assertEquals(408, bad.get(0).getStatus().getCode());

            String future = java.time.Instant.now().plusSeconds(60).toString();
            List<Message> late = directBatch(c, "DB", "{\"start_time\":\"" + future + "\"}");
            assertEquals(404, late.get(0).getStatus().getCode());
            String past = java.time.Instant.now().minusSeconds(60).toString();
            List<Message> early = directBatch(c, "DB", "{\"start_time\":\"" + past + "\",\"batch\":2}");
            assertEquals("1", early.get(0).getHeaders().getFirst("Nats-Sequence"));
            assertEquals(3, early.size());
            MessageInfo first = jsm.getFirstMessage("DB", java.time.ZonedDateTime.now().minusMinutes(1));
            assertEquals(1, first.getSeq());
        }
    }

    /** Sends a direct get request and collects replies up to a status (204 EOB, 404, 408, ...). */
    private static List<Message> directBatch(Connection c, String stream, String body) throws Exception {
        String inbox = c.createInbox();
        Subscription sub = c.subscribe(inbox);
        c.publish("$JS.API.DIRECT.GET." + stream, inbox, bytes(body));
        List<Message> out = new ArrayList<>();
        while (true) {
            Message m = sub.nextMessage(Duration.ofSeconds(2));
            assertNotNull(m, "no reply after " + out.size() + " messages");
            out.add(m);
            if (m.isStatusMessage()) break;
        }
        sub.unsubscribe();
        return out;
    }

    static void awaitCount(JetStreamManagement jsm, String stream, long count, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        long n;
        do {
            n = jsm.getStreamInfo(stream).getStreamState().getMsgCount();
            if (n == count) return;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(count, n, "messages in " + stream);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void noAckStreamStoresWithoutAcking(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("NA").subjects("na").noAck(true).build());
            c.publish("na", bytes("fire and forget"));
            Message reply = c.request("na", bytes("asks"), Duration.ofMillis(300));
            assertTrue(reply == null || reply.isStatusMessage());
            awaitCount(jsm, "NA", 2, Duration.ofSeconds(2));
            assertFalse(jsm.getStreamInfo("NA").getConfiguration().getSealed());
        }
    }
}
