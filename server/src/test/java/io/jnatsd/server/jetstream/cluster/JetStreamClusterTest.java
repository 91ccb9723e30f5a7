package io.jnatsd.server.jetstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.FixedPorts;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestCluster;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clustered JetStream: three jnatsd servers, each listing every route, form a meta group and
 * place replicated streams on Raft groups. Published messages are acknowledged once a majority
 * holds them, reach every replica with the same sequence, time and bytes, and survive the loss of
 * the leader. (jnatsd only: the checks read each replica's store, which upstream does not expose.)
 */
class JetStreamClusterTest {
    /** API calls retried while the groups elect give up sooner than the client's default. */
    private static final io.nats.client.JetStreamOptions QUICK = io.nats.client.JetStreamOptions.builder()
            .requestTimeout(Duration.ofSeconds(2)).build();
    private final List<Path> dirs = new ArrayList<>();
    private final int[] raftPorts = new int[3];
    private final int[] httpPorts = new int[3];
    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        FixedPorts ports = new FixedPorts(); // a server restarts on its Raft port
        for (int i = 0; i < 3; i++) {
            dirs.add(Files.createTempDirectory("jscluster-" + i));
            raftPorts[i] = ports.next();
            httpPorts[i] = ports.next();
        }
        cluster = TestCluster.startFullySeeded(this::jetstream, Impl.JNATSD, Impl.JNATSD, Impl.JNATSD);
    }

    private String jetstream(int i) {
        return "jetstream { store_dir: \"" + dirs.get(i) + "\", raft_port: " + raftPorts[i] + " }\nhttp: \"127.0.0.1:" + httpPorts[i] + "\"";
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** Retries an API call until the cluster answers it (the meta group and stream groups elect within seconds). */
    private static <T> T eventually(Call<T> call) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                return call.run();
            } catch (java.io.IOException | JetStreamApiException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StreamInfo createR3(Connection c, String name, String subject) throws Exception {
        JetStreamManagement jsm = c.jetStreamManagement(QUICK);
        return eventually(() -> jsm.addStream(StreamConfiguration.builder().name(name).subjects(subject)
                .storageType(StorageType.File).replicas(3).build()));
    }

    @Test
    void replicatedStreamAcksFromAnyServerAndEveryReplicaHoldsTheSameMessages() throws Exception {
        try (Connection c0 = cluster.connect(0); Connection c1 = cluster.connect(1); Connection c2 = cluster.connect(2)) {
            StreamInfo created = createR3(c0, "ORDERS", "orders.>");
            assertEquals(3, created.getConfiguration().getReplicas());
            List<Connection> conns = List.of(c0, c1, c2);
            // a leader change right after the create (elections on a loaded machine) leaves a moment
            // without a subscriber: publishes retry, with message ids, so a retry never duplicates
            for (int i = 0; i < 300; i++) {
                int n = i;
                PublishAck ack = eventually(() -> conns.get(n % 3).jetStream(QUICK).publish("orders." + (n % 7), bytes("m" + n),
                        io.nats.client.PublishOptions.builder().messageId("m" + n).build()));
                assertEquals("ORDERS", ack.getStream());
            }
            StreamInfo info = eventually(() -> c2.jetStreamManagement(QUICK).getStreamInfo("ORDERS"));
            assertEquals(300, info.getStreamState().getMsgCount());
            assertNotNull(info.getClusterInfo().getLeader());
            assertEquals(2, info.getClusterInfo().getReplicas().size());
            // every replica applied the same messages, stamped alike
            TestServer.await(10_000, () -> replicaLastSeqs("ORDERS").stream().allMatch(s -> s == 300));
            // /jsz: every server names the same meta leader of a group of three; the stream's detail its leader and replicas
            String metaLeader = null;
            for (int i = 0; i < 3; i++) {
                var jsz = new io.jnatsd.server.testing.MonitorHttp("http://127.0.0.1:" + httpPorts[i])
                        .json("/jsz?accounts=true&streams=true");
                var meta = jsz.path("meta_cluster");
                assertEquals("c1", meta.path("name").asText());
                assertEquals(3, meta.path("cluster_size").asInt());
                if (metaLeader == null) metaLeader = meta.path("leader").asText();
                assertEquals(metaLeader, meta.path("leader").asText());
                var detail = jsz.path("account_details").get(0).path("stream_detail").get(0);
                assertEquals("ORDERS", detail.path("name").asText());
                assertEquals(info.getClusterInfo().getLeader(), detail.path("cluster").path("leader").asText());
            }
            // an update is committed by the meta leader and applied by every replica
            StreamInfo updated = eventually(() -> c1.jetStreamManagement(QUICK).updateStream(StreamConfiguration.builder(
                    info.getConfiguration()).description("second").build()));
            assertEquals("second", updated.getConfiguration().getDescription());
            TestServer.await(10_000, () -> java.util.stream.IntStream.range(0, 3)
                    .allMatch(n -> "second".equals(replica(n, "ORDERS").config().description)));
            for (long seq = 1; seq <= 300; seq += 37) assertReplicasHoldTheSame("ORDERS", seq);
        }
    }

    @Test
    void leaderLossElectsAnotherAndNothingAcknowledgedIsLost() throws Exception {
        try (Connection c0 = cluster.connect(0)) {
            createR3(c0, "EVENTS", "events.>");
        }
        int leader = leaderIndex("EVENTS");
        int other = (leader + 1) % 3;
        long acked = 0;
        try (Connection c = cluster.connect(other)) {
            JetStream js = c.jetStream(QUICK);
            for (int i = 0; i < 100; i++) {
                var id = io.nats.client.PublishOptions.builder().messageId("a" + i).build();
                eventually(() -> js.publish("events.a", bytes("before"), id));
                acked++;
            }
        }
        cluster.stop(leader);
        try (Connection c = cluster.connect(other)) {
            JetStream js = c.jetStream(QUICK);
            for (int i = 0; i < 100; i++) {
                var id = io.nats.client.PublishOptions.builder().messageId("b" + i).build();
                PublishAck ack = eventually(() -> js.publish("events.b", bytes("after"), id));
                assertTrue(ack.getSeqno() > 100);
                acked++;
            }
            StreamInfo info = eventually(() -> c.jetStreamManagement(QUICK).getStreamInfo("EVENTS"));
            assertEquals(acked, info.getStreamState().getMsgCount());
            assertNotEquals(nodeName(leader), info.getClusterInfo().getLeader());
        }
        cluster.restart(leader, Impl.JNATSD);
        long total = acked;
        TestServer.await(20_000, () -> replicaLastSeq(leader, "EVENTS") == total);
        assertReplicasHoldTheSame("EVENTS", total);
    }

    @Test
    void aDurableConsumerContinuesOnTheNewLeaderWithoutRedeliveringWhatWasAcked() throws Exception {
        try (Connection c0 = cluster.connect(0)) {
            createR3(c0, "JOBS", "jobs.>");
        }
        int leader = leaderIndex("JOBS");
        int other = (leader + 1) % 3;
        try (Connection c = cluster.connect(other)) {
            JetStream js = c.jetStream(QUICK);
            for (int i = 1; i <= 20; i++) {
                var id = io.nats.client.PublishOptions.builder().messageId("j" + i).build();
                int n = i;
                eventually(() -> js.publish("jobs.x", bytes("job" + n), id));
            }
            c.jetStreamManagement(QUICK).addOrUpdateConsumer("JOBS", io.nats.client.api.ConsumerConfiguration.builder()
                    .durable("worker").ackPolicy(io.nats.client.api.AckPolicy.Explicit).build());
            var sub = js.subscribe(null, io.nats.client.PullSubscribeOptions.bind("JOBS", "worker"));
            List<io.nats.client.Message> first = sub.fetch(10, Duration.ofSeconds(5));
            assertEquals(10, first.size());
            for (io.nats.client.Message m : first) m.ackSync(Duration.ofSeconds(5));
            // the acks reach the replicas with the consumer's next state write (a tenth of a second)
            TestServer.await(10_000, () -> replicaAckFloor(other, "JOBS", "worker") == 10
                    && replicaAckFloor((leader + 2) % 3, "JOBS", "worker") == 10);
        }
        cluster.stop(leader);
        try (Connection c = cluster.connect(other)) {
            var info = eventually(() -> c.jetStreamManagement(QUICK).getConsumerInfo("JOBS", "worker"));
            assertEquals(10, info.getAckFloor().getStreamSequence());
            JetStream js = c.jetStream(QUICK);
            var sub = js.subscribe(null, io.nats.client.PullSubscribeOptions.bind("JOBS", "worker"));
            List<String> rest = new ArrayList<>();
            for (io.nats.client.Message m : sub.fetch(20, Duration.ofSeconds(3))) {
                rest.add(new String(m.getData(), StandardCharsets.UTF_8));
                m.ack();
            }
            List<String> expected = new ArrayList<>();
            for (int i = 11; i <= 20; i++) expected.add("job" + i);
            assertEquals(expected, rest, "the new leader delivers what was not acked, and only that");
        }
    }

    @Test
    void aReplicatedKeyValueBucketKeepsWorkingAcrossALeaderLoss() throws Exception {
        try (Connection c = cluster.connect(0)) {
            var kvm = c.keyValueManagement(io.nats.client.KeyValueOptions.builder().jetStreamOptions(QUICK).build());
            eventually(() -> kvm.create(io.nats.client.api.KeyValueConfiguration.builder().name("CFG").replicas(3)
                    .storageType(StorageType.File).build()));
            var kv = c.keyValue("CFG", io.nats.client.KeyValueOptions.builder().jetStreamOptions(QUICK).build());
            eventually(() -> kv.put("color", "blue"));
            assertEquals("blue", new String(eventually(() -> kv.get("color")).getValue(), StandardCharsets.UTF_8));
        }
        int leader = leaderIndex("KV_CFG");
        cluster.stop(leader);
        try (Connection c = cluster.connect((leader + 1) % 3)) {
            var kv = eventually(() -> c.keyValue("CFG", io.nats.client.KeyValueOptions.builder().jetStreamOptions(QUICK).build()));
            assertEquals("blue", new String(eventually(() -> kv.get("color")).getValue(), StandardCharsets.UTF_8));
            eventually(() -> kv.put("color", "green"));
            assertEquals("green", new String(kv.get("color").getValue(), StandardCharsets.UTF_8));
            assertEquals(2, kv.get("color").getRevision());
        }
    }

    @Test
    void tooFewServersForTheReplicasIsRefusedAsUpstreamDoes() throws Exception {
        try (Connection c = cluster.connect(0)) {
            JetStreamManagement jsm = c.jetStreamManagement(QUICK);
            eventually(() -> jsm.getAccountStatistics());
            JetStreamApiException e = org.junit.jupiter.api.Assertions.assertThrows(JetStreamApiException.class,
                    () -> jsm.addStream(StreamConfiguration.builder().name("R5").subjects("r5").replicas(5).build()));
            assertEquals(10005, e.getApiErrorCode());
            assertEquals("no suitable peers for placement", e.getErrorDescription());
        }
    }

    private static String nodeName(int i) {
        return "n" + i;
    }

    private int leaderIndex(String stream) throws Exception {
        try (Connection c = cluster.connect(0)) {
            String leader = eventually(() -> c.jetStreamManagement(QUICK).getStreamInfo(stream)).getClusterInfo().getLeader();
            return Integer.parseInt(leader.substring(1));
        }
    }

    private io.jnatsd.server.jetstream.stream.Stream replica(int node, String stream) {
        var ja = cluster.node(node).embedded().jetStream().server().jsAccounts().stream()
                .filter(a -> a.account.name().equals("$G")).findFirst().orElseThrow();
        return ja.stream(stream);
    }

    private long replicaLastSeq(int node, String stream) {
        var s = replica(node, stream);
        return s == null ? -1 : s.store().state().lastSeq();
    }

    private List<Long> replicaLastSeqs(String stream) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) out.add(replicaLastSeq(i, stream));
        return out;
    }

    /** The ack floor (stream sequence) of a consumer as this server's copy of it holds it. */
    private long replicaAckFloor(int node, String stream, String consumer) {
        var s = replica(node, stream);
        if (s == null) return -1;
        return s.store().consumerStore(consumer).state().ackFloor().streamSeq(); // the stream's store owns it: not closed here
    }

    private void assertReplicasHoldTheSame(String stream, long seq) {
        var first = replica(0, stream).store().load(seq);
        assertNotNull(first, "message " + seq);
        for (int i = 1; i < 3; i++) {
            var m = replica(i, stream).store().load(seq);
            assertNotNull(m, "message " + seq + " on n" + i);
            assertEquals(first.subject(), m.subject());
            assertEquals(first.timestampNanos(), m.timestampNanos(), "the leader's stamp on every replica");
            assertEquals(new String(first.payload(), StandardCharsets.UTF_8), new String(m.payload(), StandardCharsets.UTF_8));
        }
    }
}
