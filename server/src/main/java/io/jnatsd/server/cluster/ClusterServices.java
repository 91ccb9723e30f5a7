package io.jnatsd.server.cluster;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;
import java.util.Collection;
import java.util.List;

/** What the cluster needs from the server that owns it. */
public interface ClusterServices {
    ServerLog log();

    String serverId();

    String serverName();

    /** The NATS version this server speaks, as INFO gives it. */
    String version();

    /** The account routed messages and interest name, or null when this server has no such account. */
    Account account(String name);

    Collection<Account> accounts();

    /** The system account's name, or null without one: routes pin it, as upstream 2.10 does. */
    String systemAccountName();

    /** The URLs this server's clients can reach it at ({@code host:port}), for the peers' clients. */
    List<String> clientConnectUrls();

    /** The URLs this server's WebSocket clients can reach it at ({@code ws_connect_urls}); empty without WebSocket. */
    List<String> websocketConnectUrls();

    /** The cluster's client URLs changed (a server joined or left): clients get an INFO with them. */
    void connectUrlsChanged();

    /** This server's leaf node URL ({@code host:port}) for the peers to pass to their leaf nodes, or null. */
    default String leafNodeUrl() {
        return null;
    }

    /** A route registered, went away or brought a new INFO: leaf nodes hear the cluster's leaf node URLs again. */
    default void routesChanged() {
    }

    /** This server's gateway URL ({@code host:port}) for the peers to put in their gateway INFO, or null. */
    default String gatewayUrl() {
        return null;
    }

    /** The port of this server's Raft transport (clustered JetStream) for the route INFO, or 0 without one. */
    default int raftPort() {
        return 0;
    }

    /** A route brought an INFO about another cluster's gateway (its {@code gateway} field set): the raw JSON. */
    default void gatewayInfo(byte[] json) {
    }
}
