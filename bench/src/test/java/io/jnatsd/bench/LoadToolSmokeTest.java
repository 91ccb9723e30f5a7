package io.jnatsd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void unreachableServerFails() {
        assertEquals(1, new picocli.CommandLine(new LoadTool()).execute(
                "--url", "nats://127.0.0.1:1", "-w", "pub", "--msgs", "10"));
    }
}
