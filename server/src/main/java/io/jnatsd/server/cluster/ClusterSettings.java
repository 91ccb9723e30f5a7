package io.jnatsd.server.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The settings a cluster runs with, resolved from the config file and the command line.
 * {@code name} null means none was configured: a random name is used and the first
 * configured name a peer brings is adopted, as upstream's dynamic cluster name.
 */
public record ClusterSettings(String name, String host, int port, String advertise, boolean noAdvertise,
                              List<URI> routes, String username, String password, String token,
                              Duration authTimeout, int connectRetries, Duration pingInterval, int pingMax,
                              Duration writeDeadline, int maxPayload, long maxPending) {
    /** Upstream's pause between two attempts to reach a route (DEFAULT_ROUTE_CONNECT). */
    public static final Duration CONNECT_DELAY = Duration.ofSeconds(1);

    public boolean authRequired() {
        return (username != null && !username.isEmpty()) || (token != null && !token.isEmpty());
    }
}
