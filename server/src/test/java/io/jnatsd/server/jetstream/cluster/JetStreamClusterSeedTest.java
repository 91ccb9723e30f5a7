package io.jnatsd.server.jetstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.testing.FixedPorts;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Three servers started together, seeded through the first (whose routes name only itself, the
 * others' only it): the meta group waits for the mesh to settle, so every server forms the same
 * group of all three rather than the first one forming a group of its own. (jnatsd only.)
 */
class JetStreamClusterSeedTest {

    @Test
    void serversSeededThroughOneFormOneMetaGroupOfAll() throws Exception {
        List<Path> dirs = new ArrayList<>();
        int[] raftPorts = new int[3];
        int[] httpPorts = new int[3];
        FixedPorts ports = new FixedPorts();
        for (int i = 0; i < 3; i++) {
            dirs.add(Files.createTempDirectory("jsseed-" + i));
            raftPorts[i] = ports.next();
            httpPorts[i] = ports.next();
        }
        try (TestCluster cluster = TestCluster.start("", i -> "jetstream { store_dir: \"" + dirs.get(i) + "\", raft_port: "
                + raftPorts[i] + " }\nhttp: \"127.0.0.1:" + httpPorts[i] + "\"", Impl.JNATSD, Impl.JNATSD, Impl.JNATSD)) {
            Set<String> leaders = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                MonitorHttp http = new MonitorHttp("http://127.0.0.1:" + httpPorts[i]);
                var jsz = http.json("/jsz");
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
                while (!jsz.path("meta_cluster").has("leader") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    jsz = http.json("/jsz");
                }
                assertEquals(3, jsz.path("meta_cluster").path("cluster_size").asInt(), "n" + i + "'s meta group");
                leaders.add(jsz.path("meta_cluster").path("leader").asText());
            }
            assertEquals(1, leaders.size(), "one meta leader for all: " + leaders);
        }
    }
}
