package io.jnatsd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every workload of the load tool, with tiny counts, against an embedded jnatsd. */
@Timeout(60)
class LoadToolSmokeTest {
    private static NatsServer server;

    @BeforeAll
    static void start() throws Exception {
        String store = java.nio.file.Files.createTempDirectory("jnatsd-bench-js").toString();
        server = NatsServer.builder().port(0).options(o -> {
            o.jetstream = true; // for the JetStream and KV workloads
            o.storeDir = store;
        }).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static BenchConfig config(Workload w, int size, BenchConfig.SubMode mode) {
        boolean latency = w.measuresLatency();
        // a small batch and key set, so that several fetches and key cycles happen
        return new BenchConfig(server.clientUrl(), w, size, latency ? 200 : 3_000, 3, latency ? 20 : 300,
                Duration.ofSeconds(10), mode, 64 * 1024, 256, 50);
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void everyWorkloadRunsAndVerifies(Workload w) throws Exception {
        Result r = LoadRun.run(config(w, 128, BenchConfig.SubMode.DISPATCHER));
        assertTrue(r.elapsedNanos() > 0);
        assertTrue(r.msgsPerSec() > 0);
        String json = r.toJson();
        assertTrue(json.startsWith("{\"workload\":\"" + w.id() + "\""), json);
        assertTrue(json.endsWith("}") && !json.contains(",}"), json);
        if (w.measuresLatency()) {
            assertNotNull(r.latency());
            assertEquals(200, r.latency().getTotalCount());
            assertTrue(json.contains("\"p99_us\":"), json);
        } else {
            assertNull(r.latency());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Workload.class, names = {"PUBSUB", "QUEUE"})
    void syncSubscribersWork(Workload w) throws Exception {
        LoadRun.run(config(w, 16, BenchConfig.SubMode.SYNC));
    }

    @Test
    void largePayloadsFanOut() throws Exception {
        BenchConfig c = new BenchConfig(server.clientUrl(), Workload.FANOUT, 65536, 100, 3, 10,
                Duration.ofSeconds(10), BenchConfig.SubMode.DISPATCHER, 256 * 1024);
        Result r = LoadRun.run(c);
        assertEquals(3 * r.msgsPerSec(), r.deliveriesPerSec(), 1e-6 * r.deliveriesPerSec());
    }

    @Test
    void commandLineExitsZeroAndRejectsTooSmallPayloads() {
        String url = server.clientUrl();
        assertEquals(0, new picocli.CommandLine(new LoadTool()).execute(
                "--url", url, "-w", "pubsub", "--msgs", "500", "--size", "16", "--json"));
        assertEquals(2, new picocli.CommandLine(new LoadTool()).execute(
                "--url", url, "-w", "pubsub", "--msgs", "500", "--size", "4"));
        assertEquals(0, new picocli.CommandLine(new LoadTool()).execute(
                "--url", url, "-w", "pub", "--msgs", "500", "--size", "0"));
    }

    @Test
    void defaultsFollowTheWorkload() {
        LoadTool pull = new LoadTool();
        pull.workload = "js-pull";
        assertEquals(16, pull.config().size());
        assertEquals(1_000_000, pull.config().msgs());
        assertEquals(100_000, pull.config().warmup());
        LoadTool kv = new LoadTool();
        kv.workload = "kv-get";
        assertEquals(128, kv.config().size());
        assertEquals(20_000, kv.config().msgs());
        assertEquals(2_000, kv.config().warmup());
        kv.size = 1024;
        assertEquals(1024, kv.config().size(), "an explicit size wins");
    }

    @Test
    void subscribersGoWhereTheyAreToldRoundRobin() {
        LoadTool q = new LoadTool();
        q.workload = "queue";
        q.url = "nats://h:1";
        assertFalse(q.config().acrossServers(), "by default every connection is on --url");
        assertEquals("nats://h:1", q.config().subscriberUrl(3));
        q.memberUrls = java.util.List.of("nats://h:1", " nats://h:2", "nats://h:3");
        BenchConfig c = q.config();
        assertTrue(c.acrossServers());
        assertEquals("nats://h:1", c.subscriberUrl(0));
        assertEquals("nats://h:2", c.subscriberUrl(4));
        assertEquals("nats://h:3", c.subscriberUrl(8));
        assertEquals(java.util.List.of("nats://h:1", "nats://h:2", "nats://h:3"), c.subscriberServers());
        LoadTool r = new LoadTool();
        r.workload = "reqrep";
        r.url = "nats://h:1";
        r.subUrl = "nats://h:2";
        r.memberUrls = java.util.List.of("nats://h:3");
        assertEquals("nats://h:2", r.config().subscriberUrl(0), "the responder is on --sub-url");
        LoadTool js = new LoadTool();
        js.workload = "js-pub";
        js.subUrl = "nats://h:2";
        assertFalse(js.config().acrossServers(), "publishing keeps every connection on --url");
        js.workload = "js-pull";
        assertEquals("nats://h:2", js.config().subscriberUrl(0), "the consumer is on --sub-url");
        js.workload = "kv-get";
        assertFalse(js.config().acrossServers(), "KV keeps every connection on --url");
    }

    /**
     * The same server under two names counts as two: the interest probe runs (and answers at
     * once), and a queue run reports which server's members took what.
     */
    @ParameterizedTest
    @EnumSource(value = Workload.class, names = {"PUBSUB", "QUEUE", "REQREP"})
    void subscribersOnAnotherUrlAreProbedFirst(Workload w) throws Exception {
        String other = server.clientUrl().replace("127.0.0.1", "localhost");
        BenchConfig base = config(w, 16, BenchConfig.SubMode.DISPATCHER);
        BenchConfig c = new BenchConfig(base.url(), w, 16, base.msgs(), 3, base.warmup(), base.stall(), base.subMode(),
                base.bufferSize(), base.batch(), base.keys(), other, java.util.List.of(base.url(), other));
        Result r = LoadRun.run(c);
        assertNotNull(r.across());
        String json = r.toJson();
        assertTrue(json.contains("\"interest_ms\":"), json);
        if (w == Workload.QUEUE) {
            assertEquals(2, r.across().receivedByServer().size(), json);
            assertEquals(c.warmup() + c.msgs(), r.across().receivedByServer().values().stream().mapToLong(Long::longValue).sum());
        } else {
            assertNull(r.across().receivedByServer());
        }
    }

    /** The consumer on another URL than the stream's publisher: created, fed and verified there. */
    @ParameterizedTest
    @EnumSource(value = Workload.class, names = {"JS_PULL", "JS_PUSH"})
    void consumersGoToTheSubUrl(Workload w) throws Exception {
        String other = server.clientUrl().replace("127.0.0.1", "localhost");
        BenchConfig base = config(w, 16, BenchConfig.SubMode.DISPATCHER);
        BenchConfig c = new BenchConfig(base.url(), w, 16, base.msgs(), 3, base.warmup(), base.stall(), base.subMode(),
                base.bufferSize(), base.batch(), base.keys(), other, java.util.List.of());
        assertEquals(other, c.subscriberUrl(0));
        assertTrue(LoadRun.run(c).elapsedNanos() > 0);
    }

    @Test
    void replicasReachTheConfigAndMustBePositive() {
        LoadTool t = new LoadTool();
        t.workload = "kv-put";
        assertEquals(1, t.config().replicas(), "one replica unless told");
        t.replicas = 3;
        assertEquals(3, t.config().replicas());
        assertEquals(2, new picocli.CommandLine(new LoadTool()).execute(
                "--url", server.clientUrl(), "-w", "js-pub", "--msgs", "10", "--replicas", "0"));
    }

    @Test
    void meshProbeSeesEveryPathDeliver() throws Exception {
        String url = server.clientUrl();
        assertTrue(MeshProbe.run(new String[] {url, url.replace("127.0.0.1", "localhost"), url}, Duration.ofSeconds(10)));
    }

    @Test
    void jetStreamProbeCreatesAndWritesAStreamThenDeletesIt() throws Exception {
        String url = server.clientUrl();
        assertTrue(JetStreamProbe.run(new String[] {url, url.replace("127.0.0.1", "localhost")}, Duration.ofSeconds(10), 1));
        try (io.nats.client.Connection c = io.nats.client.Nats.connect(url)) {
            assertTrue(c.jetStreamManagement().getStreamNames().stream().noneMatch(n -> n.startsWith("BENCH_PROBE_")));
        }
    }

    @Test
    void unreachableServerFails() {
        assertEquals(1, new picocli.CommandLine(new LoadTool()).execute(
                "--url", "nats://127.0.0.1:1", "-w", "pub", "--msgs", "10"));
    }
}
