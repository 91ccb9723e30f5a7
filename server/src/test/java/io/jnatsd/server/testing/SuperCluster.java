package io.jnatsd.server.testing;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Clusters of test servers on loopback joined by gateways: each cluster ({@code A}, {@code B},
 * ...) is one or more servers of one kind each (jnatsd embedded, or upstream as a process),
 * routed together; every server has a gateway listener, and every cluster's first server names
 * the other clusters' first servers only, so the rest of the super-cluster is learnt by gossip.
 * Every server has HTTP monitoring.
 */
public final class SuperCluster implements AutoCloseable {
    private final List<List<TestServer>> clusters = new ArrayList<>();
    private final int[][] gatewayPorts;
    private final int[][] routePorts;
    private final String extraConfig;
    private final String gatewayConfig;

    private SuperCluster(Impl[][] kinds, String extraConfig, String gatewayConfig) throws Exception {
        this.extraConfig = extraConfig;
        this.gatewayConfig = gatewayConfig;
        gatewayPorts = new int[kinds.length][];
        routePorts = new int[kinds.length][];
        for (int c = 0; c < kinds.length; c++) {
            gatewayPorts[c] = new int[kinds[c].length];
            routePorts[c] = new int[kinds[c].length];
            for (int i = 0; i < kinds[c].length; i++) {
                gatewayPorts[c][i] = TestServer.freePort();
                routePorts[c][i] = TestServer.freePort();
            }
        }
    }

    /** Starts cluster {@code i} with {@code kinds[i]}, then waits until every server reaches every other cluster. */
    public static SuperCluster start(Impl[]... kinds) throws Exception {
        return start("", kinds);
    }

    /** As {@link #start(Impl[]...)} with more top-level lines in every server's config. */
    public static SuperCluster start(String extraConfig, Impl[]... kinds) throws Exception {
        return start(extraConfig, "", kinds);
    }

    /** As {@link #start(String, Impl[]...)} with more lines in every {@code gateway {}} block. */
    public static SuperCluster start(String extraConfig, String gatewayConfig, Impl[]... kinds) throws Exception {
        SuperCluster s = new SuperCluster(kinds, extraConfig, gatewayConfig);
        try {
            for (int c = 0; c < kinds.length; c++) {
                List<TestServer> nodes = new ArrayList<>();
                s.clusters.add(nodes);
                for (int i = 0; i < kinds[c].length; i++) {
                    nodes.add(TestServer.startMonitored(kinds[c][i], s.config(c, i), null));
                }
            }
            s.awaitConnected(Duration.ofSeconds(20));
        } catch (Exception | AssertionError e) {
            s.close();
            throw e;
        }
        return s;
    }

    public static String name(int cluster) {
        return String.valueOf((char) ('A' + cluster));
    }

    /** The config of server {@code i} of cluster {@code c}. */
    String config(int c, int i) {
        StringBuilder b = new StringBuilder();
        b.append("server_name: ").append(name(c)).append(i).append('\n').append(extraConfig).append('\n');
        if (routePorts[c].length > 1) {
            b.append("cluster {\n  name: ").append(name(c)).append("\n  listen: \"127.0.0.1:").append(routePorts[c][i])
                    .append("\"\n  routes: [\"nats-route://127.0.0.1:").append(routePorts[c][0]).append("\"]\n}\n");
        }
        b.append("gateway {\n  name: ").append(name(c)).append("\n  listen: \"127.0.0.1:").append(gatewayPorts[c][i]).append("\"\n");
        b.append(gatewayConfig).append('\n');
        b.append("  gateways: [\n");
        for (int o = 0; o < gatewayPorts.length; o++) {
            if (o == c || i != 0) continue;
            b.append("    {name: ").append(name(o)).append(", url: \"nats://127.0.0.1:").append(gatewayPorts[o][0]).append("\"}\n");
        }
        b.append("  ]\n}\n");
        return b.toString();
    }

    public TestServer server(int cluster, int i) {
        return clusters.get(cluster).get(i);
    }

    public int gatewayPort(int cluster, int i) {
        return gatewayPorts[cluster][i];
    }

    /** A client of one server that does not wander to others. */
    public Connection connect(int cluster, int i) throws Exception {
        return Nats.connect(new Options.Builder().server(server(cluster, i).url()).noRandomize()
                .ignoreDiscoveredServers().connectionTimeout(Duration.ofSeconds(5)).build());
    }

    public Connection connect(int cluster, int i, String user, String password) throws Exception {
        return Nats.connect(new Options.Builder().server(server(cluster, i).url()).noRandomize().userInfo(user, password)
                .ignoreDiscoveredServers().connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** Waits until a message published on every server reaches a subscriber on every server of the other clusters. */
    public void awaitConnected(Duration timeout) throws Exception {
        for (int c = 0; c < clusters.size(); c++) {
            for (int i = 0; i < clusters.get(c).size(); i++) {
                try (Connection sub = connect(c, i)) {
                    for (int oc = 0; oc < clusters.size(); oc++) {
                        if (oc == c) continue;
                        for (int oi = 0; oi < clusters.get(oc).size(); oi++) {
                            try (Connection pub = connect(oc, oi)) {
                                awaitInterest(timeout, pub, sub);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Waits until {@code publisher} reaches {@code subscriber}'s interest, across gateways. */
    public static void awaitInterest(Duration timeout, Connection publisher, Connection subscriber) throws Exception {
        String probe = "probe." + io.nats.client.NUID.nextGlobal();
        Subscription s = subscriber.subscribe(probe);
        subscriber.flush(Duration.ofSeconds(2));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            publisher.publish(probe, new byte[] {'p'});
            publisher.flush(Duration.ofSeconds(2));
            if (s.nextMessage(Duration.ofMillis(50)) != null) break;
            if (System.nanoTime() > deadline) throw new AssertionError("gateway interest did not spread");
        }
        s.unsubscribe();
        subscriber.flush(Duration.ofSeconds(2));
    }

    @Override
    public void close() throws Exception {
        for (List<TestServer> nodes : clusters) {
            for (TestServer n : nodes) {
                try {
                    n.close();
                } catch (Exception ignored) {
                    // closing the rest matters more
                }
            }
        }
    }
}
