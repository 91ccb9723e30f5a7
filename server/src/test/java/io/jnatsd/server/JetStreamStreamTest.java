package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.startJetStream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.CompressionOption;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Streams through the official client's JetStream APIs, against jnatsd and upstream alike. */
class JetStreamStreamTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Impl.class)
    void createPublishGetDeletePurge(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamInfo created = jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                    .storageType(StorageType.File).build());
            assertEquals("ORDERS", created.getConfiguration().getName());
            assertEquals(List.of("orders.>"), created.getConfiguration().getSubjects());
            assertEquals(-1, created.getConfiguration().getMaxMsgs());
            assertEquals(Duration.ofMinutes(2), created.getConfiguration().getDuplicateWindow());
            assertEquals(0, created.getStreamState().getMsgCount());

            JetStream js = c.jetStream();
            PublishAck a1 = js.publish("orders.new", bytes("one"));
            assertEquals("ORDERS", a1.getStream());
            assertEquals(1, a1.getSeqno());
            assertFalse(a1.isDuplicate());
            js.publish(NatsMessage.builder().subject("orders.paid").headers(new Headers().add("X-K", "v")).data(bytes("two")).build());
            js.publish("orders.new", bytes("three"));

            StreamInfo info = jsm.getStreamInfo("ORDERS");
            assertEquals(3, info.getStreamState().getMsgCount());
            assertEquals(1, info.getStreamState().getFirstSequence());
            assertEquals(3, info.getStreamState().getLastSequence());
            assertEquals(2, info.getStreamState().getSubjectCount());

            MessageInfo m2 = jsm.getMessage("ORDERS", 2);
            assertEquals("orders.paid", m2.getSubject());
            assertArrayEquals(bytes("two"), m2.getData());
            assertEquals("v", m2.getHeaders().getFirst("X-K"));
            assertEquals(3, jsm.getLastMessage("ORDERS", "orders.new").getSeq());
            assertEquals(3, jsm.getNextMessage("ORDERS", 2, "orders.new").getSeq());

            assertTrue(jsm.deleteMessage("ORDERS", 1));
            JetStreamApiException gone = assertThrows(JetStreamApiException.class, () -> jsm.getMessage("ORDERS", 1));
            assertEquals(10037, gone.getApiErrorCode());
            assertEquals(2, jsm.getStreamInfo("ORDERS").getStreamState().getMsgCount());

            assertEquals(1, jsm.purgeStream("ORDERS", io.nats.client.PurgeOptions.subject("orders.paid")).getPurged());
            assertEquals(1, jsm.getStreamInfo("ORDERS").getStreamState().getMsgCount());
            assertEquals(List.of("ORDERS"), jsm.getStreamNames());
            assertTrue(jsm.deleteStream("ORDERS"));
            JetStreamApiException notFound = assertThrows(JetStreamApiException.class, () -> jsm.getStreamInfo("ORDERS"));
            assertEquals(10059, notFound.getApiErrorCode());
            assertEquals(404, notFound.getErrorCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void configRejections(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("A").subjects("a.>").build());
            JetStreamApiException overlap = assertThrows(JetStreamApiException.class,
                    () -> jsm.addStream(StreamConfiguration.builder().name("B").subjects("a.b").build()));
            assertEquals(10065, overlap.getApiErrorCode());
            JetStreamApiException exists = assertThrows(JetStreamApiException.class,
                    () -> jsm.addStream(StreamConfiguration.builder().name("A").subjects("a.>").maxMessages(5).build()));
            assertEquals(10058, exists.getApiErrorCode());
            // the same config again is fine
            assertEquals("A", jsm.addStream(StreamConfiguration.builder().name("A").subjects("a.>").build()).getConfiguration().getName());
            JetStreamApiException replicas = assertThrows(JetStreamApiException.class,
                    () -> jsm.addStream(StreamConfiguration.builder().name("R").subjects("r").replicas(3).build()));
            assertEquals(10074, replicas.getApiErrorCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void publishPreconditionsAndDuplicates(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("P").subjects("p.>").build());
            JetStream js = c.jetStream();
            PublishAck first = js.publish("p.x", bytes("1"), PublishOptions.builder().messageId("id-1").build());
            PublishAck again = js.publish("p.x", bytes("1"), PublishOptions.builder().messageId("id-1").build());
            assertTrue(again.isDuplicate());
            assertEquals(first.getSeqno(), again.getSeqno());

            JetStreamApiException lastSeq = assertThrows(JetStreamApiException.class,
                    () -> js.publish("p.x", bytes("2"), PublishOptions.builder().expectedLastSequence(7).build()));
            assertEquals(10071, lastSeq.getApiErrorCode());
            assertEquals(2, js.publish("p.x", bytes("2"), PublishOptions.builder().expectedLastSequence(1).build()).getSeqno());

            JetStreamApiException stream = assertThrows(JetStreamApiException.class,
                    () -> js.publish("p.x", bytes("3"), PublishOptions.builder().expectedStream("OTHER").build()));
            assertEquals(10060, stream.getApiErrorCode());
            JetStreamApiException subjSeq = assertThrows(JetStreamApiException.class,
                    () -> js.publish("p.y", bytes("3"), PublishOptions.builder().expectedLastSubjectSequence(5).build()));
            assertEquals(10071, subjSeq.getApiErrorCode());
            JetStreamApiException msgId = assertThrows(JetStreamApiException.class,
                    () -> js.publish("p.y", bytes("3"), PublishOptions.builder().expectedLastMsgId("nope").build()));
            assertEquals(10070, msgId.getApiErrorCode());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void limitsDiscardOldAndNew(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("OLD").subjects("old").maxMessages(3).build());
            jsm.addStream(StreamConfiguration.builder().name("NEW").subjects("new").maxMessages(3)
                    .discardPolicy(DiscardPolicy.New).build());
            jsm.addStream(StreamConfiguration.builder().name("PER").subjects("per.*").maxMessagesPerSubject(1).build());
            JetStream js = c.jetStream();
            for (int i = 0; i < 5; i++) js.publish("old", bytes("m" + i));
            StreamInfo old = jsm.getStreamInfo("OLD");
            assertEquals(3, old.getStreamState().getMsgCount());
            assertEquals(3, old.getStreamState().getFirstSequence());
            for (int i = 0; i < 3; i++) js.publish("new", bytes("m" + i));
            JetStreamApiException full = assertThrows(JetStreamApiException.class, () -> js.publish("new", bytes("x")));
            assertEquals(10077, full.getApiErrorCode());
            assertEquals("maximum messages exceeded", full.getErrorDescription());
            js.publish("per.a", bytes("1"));
            js.publish("per.a", bytes("2"));
            js.publish("per.b", bytes("3"));
            StreamInfo per = jsm.getStreamInfo("PER");
            assertEquals(2, per.getStreamState().getMsgCount());
            assertArrayEquals(bytes("2"), jsm.getLastMessage("PER", "per.a").getData());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD")
    void streamsAndMessagesSurviveARestart(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve("restart"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("KEEP").subjects("keep.>").maxMessages(100).build());
            JetStream js = c.jetStream();
            for (int i = 0; i < 50; i++) js.publish("keep." + (i % 5), bytes("payload-" + i));
            c.jetStreamManagement().deleteMessage("KEEP", 10);
        }
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo("KEEP");
            assertEquals(49, info.getStreamState().getMsgCount());
            assertEquals(100, info.getConfiguration().getMaxMsgs());
            assertEquals(50, info.getStreamState().getLastSequence());
            for (long seq = 1; seq <= 50; seq++) {
                if (seq == 10) continue;
                assertArrayEquals(bytes("payload-" + (seq - 1)), jsm.getMessage("KEEP", seq).getData());
            }
            assertEquals(51, c.jetStream().publish("keep.0", bytes("after")).getSeqno());
        }
    }

    /** A JSON-like payload that compresses well, about 4 KiB. */
    private static byte[] compressible(int i) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 4000) sb.append("{\"order\":").append(i).append(",\"status\":\"shipped\",\"region\":\"eu\"}\n");
        return bytes(sb.toString());
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD")
    void compressedStreamReportsItAndSurvivesARestart(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve("compressed"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        // More than one 8 MiB block, so that a sealed block is compressed.
        int count = 2500;
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            StreamInfo created = c.jetStreamManagement().addStream(StreamConfiguration.builder().name("ZIP")
                    .subjects("zip.>").storageType(StorageType.File).compressionOption(CompressionOption.S2).build());
            assertEquals(CompressionOption.S2, created.getConfiguration().getCompressionOption());
            JetStream js = c.jetStream();
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) acks.add(js.publishAsync("zip." + (i % 3), compressible(i)));
            for (CompletableFuture<PublishAck> a : acks) a.get(30, TimeUnit.SECONDS);
        }
        long onDisk;
        try (var files = Files.walk(store)) {
            onDisk = files.filter(p -> p.toString().endsWith(".blk")).mapToLong(p -> p.toFile().length()).sum();
        }
        long payloadBytes = (long) count * compressible(0).length;
        assertTrue(onDisk * 2 < payloadBytes, onDisk + " bytes of blocks for " + payloadBytes + " bytes of payload");
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo("ZIP");
            assertEquals(CompressionOption.S2, info.getConfiguration().getCompressionOption());
            assertEquals(count, info.getStreamState().getMsgCount());
            for (int seq = 1; seq <= count; seq++) {
                assertArrayEquals(compressible(seq - 1), jsm.getMessage("ZIP", seq).getData(), "message " + seq);
            }
            assertEquals(count - 1, jsm.getLastMessage("ZIP", "zip." + ((count - 2) % 3)).getSeq());
        }
    }
}
