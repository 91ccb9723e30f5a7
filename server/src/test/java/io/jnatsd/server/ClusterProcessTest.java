package io.jnatsd.server;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.ChildJnatsd;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three jnatsd processes clustered from the command line, as an operator starts them, one of
 * them SIGKILLed and started again: the survivors carry on, and the restarted server rejoins.
 */
class ClusterProcessTest {
    @TempDir
    Path dir;

    private final int[] clientPorts = new int[3];
    private final int[] routePorts = new int[3];

    private ChildJnatsd start(int i) throws Exception {
        List<String> args = new ArrayList<>(List.of("-n", "n" + i, "--cluster_name", "c1",
                "--cluster", "nats://127.0.0.1:" + routePorts[i], "--routes", "nats-route://127.0.0.1:" + routePorts[0]));
        return ChildJnatsd.start(clientPorts[i], dir.resolve("n" + i + ".log"), List.of("-Xmx256m"), args);
    }

    @Test
    void aSigkilledServerIsReplacedAndRejoinsWhileTheOthersCarryOn() throws Exception {
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = TestServer.freePort();
            routePorts[i] = TestServer.freePort();
        }
        ChildJnatsd[] nodes = new ChildJnatsd[3];
        try {
            for (int i = 0; i < 3; i++) nodes[i] = start(i);
            try (Connection a = nodes[0].connect(); Connection c = nodes[2].connect()) {
                // Clients learn the other servers' URLs from INFO (connect_urls).
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (a.getServers().size() < 3 && System.nanoTime() < deadline) Thread.sleep(20);
                assertTrue(a.getServers().stream().anyMatch(u -> u.contains(":" + clientPorts[1])), a.getServers().toString());
                assertTrue(a.getServers().stream().anyMatch(u -> u.contains(":" + clientPorts[2])), a.getServers().toString());

                Subscription onC = c.subscribe("carry.on");
                c.flush(Duration.ofSeconds(2));
                awaitInterest(a, c);

                nodes[1].kill();
                for (int i = 0; i < 50; i++) a.publish("carry.on", bytes(Integer.toString(i)));
                a.flush(Duration.ofSeconds(2));
                for (int i = 0; i < 50; i++) {
                    var m = onC.nextMessage(Duration.ofSeconds(2));
                    assertNotNull(m, "message " + i + " after a peer died");
                    assertEquals(Integer.toString(i), text(m));
                }

                nodes[1] = start(1);
                try (Connection b = nodes[1].connect()) {
                    Subscription onB = b.subscribe("back.again");
                    b.flush(Duration.ofSeconds(2));
                    awaitInterest(a, b);
                    awaitInterest(c, b);
                    a.publish("back.again", bytes("from 0"));
                    c.publish("back.again", bytes("from 2"));
                    a.flush(Duration.ofSeconds(2));
                    c.flush(Duration.ofSeconds(2));
                    List<String> got = new ArrayList<>();
                    for (int i = 0; i < 2; i++) got.add(text(onB.nextMessage(Duration.ofSeconds(2))));
                    assertTrue(got.containsAll(List.of("from 0", "from 2")), got.toString());
                }
            }
        } finally {
            for (ChildJnatsd n : nodes) if (n != null) n.close();
        }
        assertTrue(Files.readString(dir.resolve("n1.log")).contains("Route connection created"));
    }
}
