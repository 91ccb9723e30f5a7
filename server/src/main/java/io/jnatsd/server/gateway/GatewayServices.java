package io.jnatsd.server.gateway;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.log.ServerLog;
import java.util.List;
import java.util.function.Consumer;

/** What gateway connections need from the server that owns them. */
public interface GatewayServices {
    ServerLog log();

    String serverId();

    String serverName();

    /**
     * Upstream's isDuplicateServerName: {@code name} (not empty) is this server's, or that of a
     * server of this cluster a route connects to.
     */
    boolean isDuplicateServerName(String name);

    /** The NATS version this server speaks, as INFO gives it. */
    String version();

    /** The account a gateway line names, or null when this server has none of that name. */
    Account account(String name);

    /** The accounts there are now. */
    java.util.Collection<Account> accounts();

    /** Calls {@code action} for every account there is, and for every account made from now on. */
    void eachAccount(Consumer<Account> action);

    /** The gateway URLs ({@code host:port}) the other servers of this cluster announced on their routes. */
    List<String> clusterGatewayUrls();

    /** Sends an INFO line to every route of this cluster (gateway gossip). */
    void sendToRoutes(byte[] line);

    /**
     * Sends a reply that came back over a gateway, its {@code _GR_} subject kept, to the server of
     * this cluster whose gateway hash is {@code serverHash}; false when no route leads there.
     */
    boolean forwardToClusterServer(String serverHash, Account account, InboundMessage msg, FlushBatch batch);
}
