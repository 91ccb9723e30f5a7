package io.jnatsd.server;

import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.cluster.RouteTotals;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ServerStats;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.monitor.ClosedConnections;
import io.jnatsd.server.monitor.MessageTotals;
import io.jnatsd.server.monitor.MonitoredServer;
import java.time.Instant;
import java.util.List;

/** The running server as monitoring sees it (monitoring sits below the server and may not name it). */
final class MonitorBridge implements MonitoredServer {
    private final NatsServer server;
    private final ClientRegistry clients;

    MonitorBridge(NatsServer server, ClientRegistry clients) {
        this.server = server;
        this.clients = clients;
    }

    @Override public String serverId() { return server.serverId(); }
    @Override public String serverName() { return server.serverName(); }
    @Override public String version() { return Versions.NATS_COMPATIBLE; }
    @Override public String jnatsdVersion() { return Versions.jnatsd(); }
    @Override public int protocolVersion() { return Versions.PROTO; }
    @Override public ServerOptions options() { return server.options(); }
    @Override public String clientHost() { return server.displayHost(); }
    @Override public int clientPort() { return server.port(); }
    @Override public Instant startTime() { return server.startTime(); }
    @Override public Instant configLoadTime() { return server.configLoadTime(); }
    @Override public boolean authRequired() { return clients.authRequired(); }
    @Override public ServerStats stats() { return clients.stats(); }
    /** Clients' and, as upstream counts them, routes' and gateways' messages. */
    @Override
    public MessageTotals messageTotals() {
        MessageTotals t = clients.messageTotals();
        Cluster cluster = server.cluster();
        if (cluster != null) {
            RouteTotals r = cluster.totals();
            t = new MessageTotals(t.inMsgs() + r.inMsgs(), t.inBytes() + r.inBytes(),
                    t.outMsgs() + r.outMsgs(), t.outBytes() + r.outBytes());
        }
        var gateways = server.gateways();
        if (gateways != null) {
            var g = gateways.totals();
            t = new MessageTotals(t.inMsgs() + g.inMsgs(), t.inBytes() + g.inBytes(),
                    t.outMsgs() + g.outMsgs(), t.outBytes() + g.outBytes());
        }
        return t;
    }
    @Override public MessageTotals accountTotals(Account account) { return clients.accountTotals(account); }
    @Override public List<ClientConnection> connections() { return clients.all(); }
    @Override public ClosedConnections closedConnections() { return clients.closed(); }
    @Override public List<Account> accounts() {
        List<Account> all = new java.util.ArrayList<>(server.accounts().all());
        all.sort(java.util.Comparator.comparing(Account::name));
        return all;
    }
    @Override public String systemAccount() { return server.accounts().systemAccountName(); }
    @Override public io.jnatsd.server.jetstream.JetStream jetStream() { return server.jetStream(); }
    @Override public io.jnatsd.server.cluster.Cluster cluster() { return server.cluster(); }
    @Override public io.jnatsd.server.leaf.LeafNodes leafNodes() { return server.leafNodes(); }
    @Override public io.jnatsd.server.gateway.Gateways gateways() { return server.gateways(); }
    @Override public void reloadConfig() throws io.jnatsd.server.config.ReloadRefusedException { server.reload(); }
    @Override public int websocketPort() { return server.websocketPort(); }
    @Override public int mqttPort() { return server.mqttPort(); }
    @Override public List<io.jnatsd.server.mqtt.MqttConnection> mqttConnections() {
        return server.mqtt() == null ? List.of() : server.mqtt().connections();
    }
}
