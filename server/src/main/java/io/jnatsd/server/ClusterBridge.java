package io.jnatsd.server;

import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.cluster.ClusterServices;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The server as its cluster sees it. */
final class ClusterBridge implements ClusterServices {
    private final NatsServer server;
    private final ClientRegistry clients;
    /** This server's own client URLs, found once: listing the interfaces costs milliseconds, and every client INFO needs them. */
    private volatile List<String> ownUrls;
    private volatile List<String> ownWebsocketUrls;

    ClusterBridge(NatsServer server, ClientRegistry clients) {
        this.server = server;
        this.clients = clients;
    }

    @Override public ServerLog log() { return server.log(); }
    @Override public String serverId() { return server.serverId(); }
    @Override public String serverName() { return server.serverName(); }
    @Override public String version() { return Versions.NATS_COMPATIBLE; }
    /** In operator mode an account a peer names is built from its JWT here too, as upstream looks it up. */
    @Override public Account account(String name) { return server.resolveAccount(name); }
    @Override public Collection<Account> accounts() { return server.accounts().all(); }
    @Override public String systemAccountName() { return server.accounts().systemAccountName(); }

    @Override
    public void connectUrlsChanged() {
        clients.sendInfoToAll();
    }

    @Override
    public String leafNodeUrl() {
        var leafs = server.leafNodes();
        return leafs == null ? null : leafs.advertisedUrl();
    }

    @Override
    public void routesChanged() {
        var leafs = server.leafNodes();
        if (leafs != null) leafs.sendInfoToAll();
        var gateways = server.gateways();
        if (gateways != null) gateways.routesChanged();
        var js = server.jetStream();
        if (js != null) js.routesChanged();
    }

    @Override
    public int raftPort() {
        var js = server.jetStream();
        return js == null ? 0 : js.raftPort();
    }

    @Override
    public String gatewayUrl() {
        var gateways = server.gateways();
        return gateways == null ? null : gateways.url();
    }

    @Override
    public void gatewayInfo(byte[] json) {
        var gateways = server.gateways();
        if (gateways != null) gateways.infoFromRoute(json);
        else server.log().error("Received information about a gateway from a route, but gateway is not configured");
    }

    /**
     * As upstream: the advertised client address when one is set; else the listen address, or,
     * when listening on every interface, each interface's global addresses.
     */
    @Override
    public List<String> clientConnectUrls() {
        List<String> urls = ownUrls;
        if (urls == null) ownUrls = urls = List.copyOf(findClientConnectUrls());
        return urls;
    }

    /** The same for the WebSocket listener ({@code ws_connect_urls}); empty without one. */
    @Override
    public List<String> websocketConnectUrls() {
        if (!server.options().websocket.enabled() || server.websocketPort() <= 0) return List.of();
        List<String> urls = ownWebsocketUrls;
        if (urls == null) {
            var ws = server.options().websocket;
            ownWebsocketUrls = urls = List.copyOf(findConnectUrls(ws.advertise, ws.host, server.websocketPort()));
        }
        return urls;
    }

    private List<String> findClientConnectUrls() {
        ServerOptions o = server.options();
        return findConnectUrls(o.clientAdvertise, o.host, server.port());
    }

    private static List<String> findConnectUrls(String advertise, String listenHost, int port) {
        if (advertise != null && !advertise.isEmpty()) {
            return List.of(advertise.contains(":") ? advertise : advertise + ":" + port);
        }
        String host = listenHost == null || listenHost.isEmpty() ? "0.0.0.0" : listenHost;
        if (!host.equals("0.0.0.0") && !host.equals("::")) return List.of(Cluster.hostPort(host, port));
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                for (InetAddress a : ni.inetAddresses().toList()) {
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) continue;
                    String ip = a.getHostAddress();
                    if (a instanceof Inet6Address) ip = ip.replaceAll("%.*$", "");
                    out.add(Cluster.hostPort(ip, port));
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }

}
