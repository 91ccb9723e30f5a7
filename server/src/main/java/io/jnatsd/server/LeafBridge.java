package io.jnatsd.server;

import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.leaf.LeafNodeServices;
import io.jnatsd.server.log.ServerLog;

/** The server as its leaf node connections see it. */
final class LeafBridge implements LeafNodeServices {
    private final NatsServer server;

    LeafBridge(NatsServer server) {
        this.server = server;
    }

    @Override public ServerLog log() { return server.log(); }
    @Override public String serverId() { return server.serverId(); }
    @Override public String serverName() { return server.serverName(); }
    @Override public String version() { return Versions.NATS_COMPATIBLE; }
    /** In operator mode an account is built from its JWT when a leaf binds to it, as for a client. */
    @Override public Account account(String name) { return server.resolveAccount(name); }
    @Override public User authenticate(AuthRequest request) { return server.authenticator().authenticate(request); }
    @Override public boolean authRequired() { return server.authenticator().authRequired(); }
    @Override public boolean needsNonce() { return server.authenticator().needsNonce(); }
    @Override public boolean jetStream() { return server.options().jetstream; }
    @Override public String jetStreamDomain() { return server.options().jetstreamDomain; }
    @Override public String systemAccountName() { return server.accounts().systemAccountName(); }

    @Override
    public java.util.List<String> clusterLeafUrls() {
        return server.cluster() == null ? java.util.List.of() : server.cluster().peersLeafUrls();
    }

    @Override
    public String clusterName() {
        return server.cluster() == null ? null : server.cluster().name();
    }
}
