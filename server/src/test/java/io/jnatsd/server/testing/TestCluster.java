package io.jnatsd.server.testing;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster of test servers on loopback, each of its own kind (jnatsd embedded, or upstream
 * nats-server as a process), joined by routes. By default every node is seeded with node 0
 * only, so a mesh of three needs gossip to form.
 */
public final class TestCluster implements AutoCloseable {
    private final List<TestServer> nodes = new ArrayList<>();
    private final int[] routePorts;
    private final String name;
    private final java.util.function.IntFunction<String> extraClusterConfig;
    private final java.util.function.IntFunction<String> extraConfig;
    /** Every node lists every node's route URL (its own too), as operators often write one config for all. */
    private boolean seedAll;

    private TestCluster(int size, String name, java.util.function.IntFunction<String> extraClusterConfig,
                        java.util.function.IntFunction<String> extraConfig)
            throws Exception {
        this.routePorts = new int[size];
        for (int i = 0; i < size; i++) routePorts[i] = TestServer.freePort();
        this.name = name;
        this.extraClusterConfig = extraClusterConfig;
        this.extraConfig = extraConfig;
    }

    /** Starts one node per kind given, seeded with node 0, and waits until every pair carries messages. */
    public static TestCluster start(Impl... kinds) throws Exception {
        return start("", "", kinds);
    }

    /** As {@link #start(Impl...)} with more lines in each node's {@code cluster {}} block and at top level. */
    public static TestCluster start(String extraClusterConfig, String extraConfig, Impl... kinds) throws Exception {
        return start(extraClusterConfig, i -> extraConfig, kinds);
    }

    /** As {@link #start(String, String, Impl...)} with top-level lines of each node's own. */
    public static TestCluster start(String extraClusterConfig, java.util.function.IntFunction<String> extraConfig,
                                    Impl... kinds) throws Exception {
        return start(i -> extraClusterConfig, extraConfig, kinds);
    }

    /** As {@link #start(String, String, Impl...)} with {@code cluster {}} lines and top-level lines of each node's own. */
    public static TestCluster start(java.util.function.IntFunction<String> extraClusterConfig,
                                    java.util.function.IntFunction<String> extraConfig, Impl... kinds) throws Exception {
        TestCluster c = new TestCluster(kinds.length, "c1", extraClusterConfig, extraConfig);
        try {
            for (int i = 0; i < kinds.length; i++) c.nodes.add(c.startNode(i, kinds[i]));
            c.awaitMesh(Duration.ofSeconds(20));
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Starts one node per kind given, every one listing every route URL (its own included), all
     * started at once so that pairs dial each other at the same moment.
     */
    public static TestCluster startFullySeeded(Impl... kinds) throws Exception {
        return startFullySeeded(i -> "", kinds);
    }

    /** As {@link #startFullySeeded(Impl...)} with top-level lines of each node's own. */
    public static TestCluster startFullySeeded(java.util.function.IntFunction<String> extraConfig, Impl... kinds)
            throws Exception {
        return startFullySeeded(i -> "", extraConfig, kinds);
    }

    /** As {@link #startFullySeeded(Impl...)} with {@code cluster {}} lines and top-level lines of each node's own. */
    public static TestCluster startFullySeeded(java.util.function.IntFunction<String> extraClusterConfig,
                                               java.util.function.IntFunction<String> extraConfig, Impl... kinds)
            throws Exception {
        TestCluster c = new TestCluster(kinds.length, "c1", extraClusterConfig, extraConfig);
        c.seedAll = true;
        try {
            java.util.List<java.util.concurrent.Future<TestServer>> starting = new ArrayList<>();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(kinds.length);
            try {
                for (int i = 0; i < kinds.length; i++) {
                    int n = i;
                    starting.add(pool.submit(() -> c.startNode(n, kinds[n])));
                }
                for (var f : starting) c.nodes.add(f.get());
            } finally {
                pool.shutdown();
            }
            c.awaitMesh(Duration.ofSeconds(20));
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The config of node {@code i}: its route port, seeded with node 0 (or with every node). */
    String nodeConfig(int i) {
        StringBuilder routes = new StringBuilder();
        for (int j = 0; j < (seedAll ? routePorts.length : 1); j++) {
            if (j > 0) routes.append(", ");
            routes.append("\"nats-route://127.0.0.1:").append(routePorts[j]).append('"');
        }
        return "server_name: n" + i + "\n" + extraConfig.apply(i) + "\ncluster {\n  name: " + name + "\n  listen: \"127.0.0.1:"
                + routePorts[i] + "\"\n  routes: [" + routes + "]\n" + extraClusterConfig.apply(i) + "\n}\n";
    }

    private TestServer startNode(int i, Impl impl) throws Exception {
        return TestServer.start(impl, nodeConfig(i));
    }

    public TestServer node(int i) {
        return nodes.get(i);
    }

    public int size() {
        return nodes.size();
    }

    public int routePort(int i) {
        return routePorts[i];
    }

    /** Stops node {@code i} (its process or embedded server); {@link #restart} brings it back on the same ports. */
    public void stop(int i) throws Exception {
        nodes.get(i).close();
    }

    public void restart(int i, Impl impl) throws Exception {
        nodes.set(i, TestServer.start(impl, nodeConfig(i)));
    }

    /** A client of node {@code i} that does not wander to other nodes. */
    public Connection connect(int i) throws Exception {
        return Nats.connect(new Options.Builder().server(nodes.get(i).url()).noRandomize()
                .ignoreDiscoveredServers().connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /**
     * Waits until a message published on each node reaches a subscriber on each other node:
     * the routes are up and interest has spread.
     */
    public void awaitMesh(Duration timeout) throws Exception {
        for (int to = 0; to < nodes.size(); to++) {
            try (Connection sub = connect(to)) {
                for (int from = 0; from < nodes.size(); from++) {
                    if (from == to) continue;
                    try (Connection pub = connect(from)) {
                        awaitInterest(timeout, pub, sub);
                    }
                }
            }
        }
    }

    /**
     * Waits until {@code publisher}'s server knows the interest the {@code subscribers} created
     * so far: each subscriber subscribes to a fresh probe subject after its real ones, and since
     * one server's interest reaches another in order, the probe arriving means the rest has.
     */
    public static void awaitInterest(Connection publisher, Connection... subscribers) throws Exception {
        awaitInterest(Duration.ofSeconds(10), publisher, subscribers);
    }

    private static void awaitInterest(Duration timeout, Connection publisher, Connection... subscribers) throws Exception {
        for (Connection sub : subscribers) {
            String probe = "probe." + io.nats.client.NUID.nextGlobal();
            Subscription s = sub.subscribe(probe);
            sub.flush(Duration.ofSeconds(2));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                publisher.publish(probe, new byte[] {'p'});
                publisher.flush(Duration.ofSeconds(2));
                if (s.nextMessage(Duration.ofMillis(50)) != null) break;
                if (System.nanoTime() > deadline) throw new AssertionError("interest did not spread");
            }
            s.unsubscribe();
        }
    }

    @Override
    public void close() throws Exception {
        for (TestServer n : nodes) {
            try {
                n.close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }
}
