package io.jnatsd.server.monitor;

import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ServerStats;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.jetstream.JetStream;
import java.time.Instant;
import java.util.List;

/**
 * What monitoring reads from the running server; the server (a higher layer) implements it.
 * Every method may be called from the monitoring thread while clients come and go.
 */
public interface MonitoredServer {
    String serverId();

    String serverName();

    /** The NATS server version whose behaviour is served ({@code version} in INFO and /varz). */
    String version();

    String jnatsdVersion();

    int protocolVersion();

    ServerOptions options();

    /** The client listen host as configured, {@code 0.0.0.0} when unset. */
    String clientHost();

    /** The bound client port. */
    int clientPort();

    Instant startTime();

    Instant configLoadTime();

    boolean authRequired();

    ServerStats stats();

    /** Server-wide message counters, closed connections included; consistent with each other. */
    MessageTotals messageTotals();

    /** Messages and bytes the account's clients sent (in) and were sent (out), closed ones included. */
    MessageTotals accountTotals(Account account);

    /** The open client connections, in no particular order. */
    List<ClientConnection> connections();

    /** Closed client connections, oldest first, at most {@code max_closed_clients}. */
    ClosedConnections closedConnections();

    /** Every account, the global one ({@code $G}) first. */
    List<Account> accounts();

    /** The system account's name, or null when there is none. */
    String systemAccount();

    /** This server's side of the cluster, or null when it is not clustered. */
    default io.jnatsd.server.cluster.Cluster cluster() {
        return null;
    }

    /** This server's leaf node connections, or null when it has neither a leaf node port nor remotes. */
    default io.jnatsd.server.leaf.LeafNodes leafNodes() {
        return null;
    }

    /** This server's gateways, or null without a gateway block. */
    default io.jnatsd.server.gateway.Gateways gateways() {
        return null;
    }

    /** The live MQTT connections (upstream counts and lists them with the clients). */
    default List<io.jnatsd.server.mqtt.MqttConnection> mqttConnections() {
        return List.of();
    }

    /** The bound MQTT port; 0 without an MQTT listener. */
    default int mqttPort() {
        return 0;
    }

    /** The bound WebSocket port; 0 without a WebSocket listener. */
    default int websocketPort() {
        return 0;
    }

    /** Reloads the configuration file, as SIGHUP does; throws when nothing was applied. */
    default void reloadConfig() throws io.jnatsd.server.config.ReloadRefusedException {
        throw new io.jnatsd.server.config.ReloadRefusedException("config reload not supported");
    }

    /** The running JetStream service, or null when JetStream is not enabled. */
    default JetStream jetStream() {
        return null;
    }
}
