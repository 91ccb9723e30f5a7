package io.jnatsd.server.jetstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.testing.FixedPorts;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestCerts;
import io.jnatsd.server.testing.TestCluster;
import io.nats.client.Connection;
import io.nats.client.JetStreamOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With a cluster {@code tls} block, clustered JetStream's Raft transport is mutual TLS with the
 * same certificates: the groups form and replicate over it. (jnatsd only: upstream carries its
 * Raft over the routes.)
 */
class JetStreamClusterTlsTest {

    @Test
    void replicatedStreamsRunOverTheClustersTls() throws Exception {
        TestCerts certs = TestCerts.get();
        List<Path> dirs = new ArrayList<>();
        int[] raftPorts = new int[3];
        FixedPorts ports = new FixedPorts();
        for (int i = 0; i < 3; i++) {
            dirs.add(Files.createTempDirectory("jstls-" + i));
            raftPorts[i] = ports.next();
        }
        try (TestCluster cluster = TestCluster.startFullySeeded(i -> certs.tlsBlock("verify: true\ntimeout: 3"),
                i -> "jetstream { store_dir: \"" + dirs.get(i) + "\", raft_port: " + raftPorts[i] + " }",
                Impl.JNATSD, Impl.JNATSD, Impl.JNATSD);
             Connection c = cluster.connect(1)) {
            JetStreamOptions quick = JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build();
            var jsm = c.jetStreamManagement(quick);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    jsm.addStream(StreamConfiguration.builder().name("SECURE").subjects("secure.>")
                            .storageType(StorageType.File).replicas(3).build());
                    break;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(200);
                }
            }
            var js = c.jetStream(quick);
            for (int i = 1; i <= 20; i++) {
                int n = i;
                var opts = io.nats.client.PublishOptions.builder().messageId("s" + n).build();
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (true) {
                    try {
                        js.publish("secure.x", ("m" + n).getBytes(StandardCharsets.UTF_8), opts);
                        break;
                    } catch (Exception e) {
                        if (System.nanoTime() > until) throw e;
                        Thread.sleep(100);
                    }
                }
            }
            var info = jsm.getStreamInfo("SECURE");
            assertEquals(20, info.getStreamState().getMsgCount());
            assertEquals(2, info.getClusterInfo().getReplicas().size());
        }
    }
}
