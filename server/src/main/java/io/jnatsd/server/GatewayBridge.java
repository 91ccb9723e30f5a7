package io.jnatsd.server;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.gateway.GatewayServices;
import io.jnatsd.server.log.ServerLog;
import java.util.List;
import java.util.function.Consumer;

/** The server as its gateway connections see it. */
final class GatewayBridge implements GatewayServices {
    private final NatsServer server;

    GatewayBridge(NatsServer server) {
        this.server = server;
    }

    @Override public ServerLog log() { return server.log(); }
    @Override public String serverId() { return server.serverId(); }
    @Override public String serverName() { return server.serverName(); }

    @Override
    public boolean isDuplicateServerName(String name) {
        if (name == null || name.isEmpty()) return false;
        if (name.equals(server.serverName())) return true;
        return server.cluster() != null && server.cluster().routes().stream().anyMatch(r -> name.equals(r.remoteName()));
    }
    @Override public String version() { return Versions.NATS_COMPATIBLE; }
    /** In operator mode an account a peer names is built from its JWT here too. */
    @Override public Account account(String name) { return server.resolveAccount(name); }
    @Override public java.util.Collection<Account> accounts() { return server.accounts().all(); }
    @Override public void eachAccount(Consumer<Account> action) { server.accounts().eachAccount(action); }

    @Override
    public List<String> clusterGatewayUrls() {
        return server.cluster() == null ? List.of() : server.cluster().peersGatewayUrls();
    }

    @Override
    public void sendToRoutes(byte[] line) {
        if (server.cluster() != null) server.cluster().sendToRoutes(line);
    }

    @Override
    public boolean forwardToClusterServer(String serverHash, Account account, io.jnatsd.protocol.client.InboundMessage msg,
                                          io.jnatsd.server.core.FlushBatch batch) {
        return server.cluster() != null && server.cluster().forwardToServerByGatewayHash(serverHash, account, msg, batch);
    }
}
