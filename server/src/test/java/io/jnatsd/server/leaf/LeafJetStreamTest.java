package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.External;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.Mirror;
import io.nats.client.api.PublishAck;
import io.nats.client.api.Source;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JetStream across a leaf connection, hub in domain {@code hub} and leaf in domain {@code leaf},
 * each jnatsd or upstream nats-server 2.9.10: {@code $JS.<domain>.API} reaches the JetStream
 * of the server owning the domain, so a stream and a key-value bucket in one are used from a
 * client of the other through the official client's domain option, and streams mirror and
 * source across domains ({@code external.api}). The plain {@code $JS.API} stays on each side.
 */
class LeafJetStreamTest {
    @TempDir
    Path dir;

    static Stream<Arguments> mixes() {
        return LeafNodeInteropTest.mixes();
    }

    private LeafPair start(Impl hubImpl, Impl leafImpl) throws Exception {
        Path hubStore = Files.createDirectories(dir.resolve("hub"));
        Path leafStore = Files.createDirectories(dir.resolve("leaf"));
        return LeafPair.start(hubImpl, leafImpl, "server_name: HUB\njetstream { store_dir: \"" + hubStore + "\", domain: hub }\n",
                "", "", "", "server_name: LEAF\njetstream { store_dir: \"" + leafStore + "\", domain: leaf }\n");
    }

    private static JetStreamOptions domain(String d) {
        return JetStreamOptions.builder().domain(d).requestTimeout(Duration.ofSeconds(2)).build();
    }

    @ParameterizedTest
    @MethodSource("mixes")
    void aHubStreamIsUsedFromTheLeafAndALeafStreamFromTheHub(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = start(hubImpl, leafImpl); Connection hub = p.hubClient(); Connection leaf = p.leafClient()) {
            hub.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                    .storageType(StorageType.Memory).build());
            JetStreamManagement hubFromLeaf = leaf.jetStreamManagement(domain("hub"));
            StreamInfo info = eventually(() -> hubFromLeaf.getStreamInfo("ORDERS"));
            assertEquals("ORDERS", info.getConfiguration().getName());
            assertEquals("hub", hubFromLeaf.getAccountStatistics().getDomain());
            assertEquals("leaf", leaf.jetStreamManagement().getAccountStatistics().getDomain(), "$JS.API stays on the leaf");

            JetStream js = leaf.jetStream(domain("hub"));
            PublishAck ack = eventually(() -> js.publish("orders.1", bytes("one")));
            assertEquals("ORDERS", ack.getStream());
            assertEquals("hub", ack.getDomain());
            js.publish("orders.2", bytes("two"));

            JetStreamSubscription sub = js.subscribe("orders.>", PullSubscribeOptions.builder().durable("D").build());
            List<Message> got = sub.fetch(2, Duration.ofSeconds(5));
            assertEquals(List.of("one", "two"), got.stream().map(TestServer::text).toList());
            got.forEach(Message::ack);
            leaf.flush(Duration.ofSeconds(2));
            TestServer.await(5000, () -> TestServer.consumerInfo(hub, "ORDERS", "D").getAckFloor().getConsumerSequence() == 2);

            leaf.jetStreamManagement().addStream(StreamConfiguration.builder().name("LOCAL").subjects("local.>")
                    .storageType(StorageType.Memory).build());
            JetStreamManagement leafFromHub = hub.jetStreamManagement(domain("leaf"));
            eventually(() -> leafFromHub.getStreamInfo("LOCAL"));
            leaf.jetStream().publish("local.1", bytes("x"));
            assertEquals(1, leafFromHub.getStreamInfo("LOCAL").getStreamState().getMsgCount());
            assertEquals(List.of("LOCAL"), leafFromHub.getStreamNames());
            assertEquals(List.of("ORDERS"), hub.jetStreamManagement().getStreamNames(), "the hub's own API is its own");
        }
    }

    @ParameterizedTest
    @MethodSource("mixes")
    void aHubBucketIsUsedFromTheLeaf(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = start(hubImpl, leafImpl); Connection hub = p.hubClient(); Connection leaf = p.leafClient()) {
            KeyValueOptions inHub = KeyValueOptions.builder().jsDomain("hub").jsRequestTimeout(Duration.ofSeconds(2)).build();
            eventually(() -> leaf.keyValueManagement(inHub).create(KeyValueConfiguration.builder().name("CFG")
                    .storageType(StorageType.Memory).build()));
            KeyValue kv = leaf.keyValue("CFG", inHub);
            assertEquals(1, kv.put("color", "red"));
            assertEquals("red", new String(kv.get("color").getValue(), StandardCharsets.UTF_8));
            assertEquals("red", new String(hub.keyValue("CFG").get("color").getValue(), StandardCharsets.UTF_8),
                    "the bucket lives in the hub");
            hub.keyValue("CFG").put("size", "L");
            assertEquals("L", new String(kv.get("size").getValue(), StandardCharsets.UTF_8));
            assertEquals(List.of(), leaf.keyValueManagement().getBucketNames(), "nothing in the leaf's own domain");
        }
    }

    /** A leaf stream mirrors a hub stream by the hub's domain API, and keeps up with it. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aLeafStreamMirrorsAHubStream(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = start(hubImpl, leafImpl); Connection hub = p.hubClient(); Connection leaf = p.leafClient()) {
            hub.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                    .storageType(StorageType.Memory).build());
            for (int i = 1; i <= 3; i++) hub.jetStream().publish("orders." + i, bytes("o" + i));
            JetStreamManagement leafJsm = leaf.jetStreamManagement();
            eventually(() -> leaf.jetStreamManagement(domain("hub")).getStreamInfo("ORDERS"));
            leafJsm.addStream(StreamConfiguration.builder().name("ORDERS_COPY").storageType(StorageType.Memory)
                    .mirror(Mirror.builder().sourceName("ORDERS").external(External.builder().api("$JS.hub.API").build()).build())
                    .build());
            TestServer.await(10_000, () -> count(leafJsm, "ORDERS_COPY") == 3);
            hub.jetStream().publish("orders.4", bytes("o4"));
            TestServer.await(10_000, () -> count(leafJsm, "ORDERS_COPY") == 4);
            var m = leafJsm.getMessage("ORDERS_COPY", 4);
            assertEquals("o4", new String(m.getData(), StandardCharsets.UTF_8));
            assertEquals("orders.4", m.getSubject());
        }
    }

    /** A hub stream sources a leaf stream by the leaf's domain API. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aHubStreamSourcesALeafStream(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = start(hubImpl, leafImpl); Connection hub = p.hubClient(); Connection leaf = p.leafClient()) {
            leaf.jetStreamManagement().addStream(StreamConfiguration.builder().name("EVENTS").subjects("events.>")
                    .storageType(StorageType.Memory).build());
            for (int i = 1; i <= 2; i++) leaf.jetStream().publish("events." + i, bytes("e" + i));
            JetStreamManagement hubJsm = hub.jetStreamManagement();
            eventually(() -> hub.jetStreamManagement(domain("leaf")).getStreamInfo("EVENTS"));
            hubJsm.addStream(StreamConfiguration.builder().name("ALL_EVENTS").storageType(StorageType.Memory)
                    .sources(Source.builder().sourceName("EVENTS").external(External.builder().api("$JS.leaf.API").build()).build())
                    .build());
            TestServer.await(10_000, () -> count(hubJsm, "ALL_EVENTS") == 2);
            leaf.jetStream().publish("events.3", bytes("e3"));
            TestServer.await(10_000, () -> count(hubJsm, "ALL_EVENTS") == 3);
            var m = hubJsm.getMessage("ALL_EVENTS", 3);
            assertEquals("e3", new String(m.getData(), StandardCharsets.UTF_8));
            assertEquals("events.3", m.getSubject());
        }
    }

    /** With the same domain on both sides nothing maps across, and each side's API answers only there. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aDomainOfThisServerNeverLeavesIt(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = start(hubImpl, leafImpl); Connection hub = p.hubClient(); Connection leaf = p.leafClient()) {
            eventually(() -> leaf.jetStreamManagement(domain("hub")).getAccountStatistics());
            assertEquals("leaf", leaf.jetStreamManagement(domain("leaf")).getAccountStatistics().getDomain());
            assertEquals("hub", hub.jetStreamManagement(domain("hub")).getAccountStatistics().getDomain());
            assertThrows(Exception.class, () -> leaf.jetStreamManagement(domain("nowhere")).getAccountStatistics());
        }
    }

    private static long count(JetStreamManagement jsm, String stream) {
        try {
            return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Retries {@code call} until interest has crossed the leaf connection (bounded). */
    private static <T> T eventually(Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                T t = call.call();
                assertNotNull(t);
                return t;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }
}
