package io.jnatsd.server;

import io.jnatsd.server.cluster.ClusterSettings;
import io.jnatsd.server.config.ServerOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The cluster settings the options describe, or none when no cluster port is configured. */
final class ClusterSetup {
    private ClusterSetup() {}

    static ClusterSettings settings(ServerOptions o) {
        if (o.clusterPort == 0) return null;
        List<URI> routes = new ArrayList<>();
        for (String r : o.routes) routes.add(URI.create(r.trim()));
        return new ClusterSettings(o.clusterName, o.clusterHost, o.clusterPort, o.clusterAdvertise,
                o.clusterNoAdvertise, routes, o.clusterUsername, o.clusterPassword, null, Duration.ofSeconds(2),
                o.clusterConnectRetries, o.pingInterval, o.pingMax, o.writeDeadline, o.maxPayload, o.maxPending);
    }
}
