package io.jnatsd.server.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.config.GatewayOptions;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.conn.ConnectionHandler;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.NameHash;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.PeerTls;
import io.jnatsd.server.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * This server's gateways: the listener other clusters' servers connect to, the remote clusters
 * it dials (configured, or learnt from an INFO, an inbound connection or a route's gossip), one
 * outbound connection per remote cluster and any number of inbound ones, and what they share:
 * the gateway INFO, the reply mapping prefix ({@code _GR_.<cluster hash>.<server hash>.}) and
 * this cluster's interest ({@link GatewayInterest}).
 */
public final class Gateways {
    private static final int SOCKET_HIGH_WATER_MARK = 64 * 1024 * 1024;
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(2);
    /** Upstream's defaultSolicitGatewaysDelay: the cluster forms before other clusters are dialled. */
    private static final long SOLICIT_DELAY_MILLIS = Long.getLong("jnatsd.gateway.solicitDelayMillis", 1000);
    /** Upstream's defaultGatewayConnectDelay and defaultGatewayReconnectDelay. */
    private static final long RECONNECT_DELAY_MILLIS = 1000;
    /**
     * Upstream 2.9 switches every account to interest-only mode as soon as an inbound gateway
     * registers; {@code -Djnatsd.gateway.optimistic=true} keeps the optimistic mode (upstream's
     * test-only GatewayDoNotForceInterestOnlyMode), to test it against older peers' behaviour.
     */
    static final boolean OPTIMISTIC = Boolean.getBoolean("jnatsd.gateway.optimistic");

    private final ServerOptions opts;
    private final GatewayOptions go;
    private final GatewayServices server;
    private final LongSupplier cids;
    private final String name;
    private final String clusterHash;
    private final String replyPrefix;
    private final PeerTls tls;
    private final Map<String, GatewayRemote> remotes = new ConcurrentHashMap<>();
    private final Map<String, GatewayConnection> outbound = new ConcurrentHashMap<>();
    private final Set<GatewayConnection> all = ConcurrentHashMap.newKeySet();
    private final RecentSubscriptions recent = new RecentSubscriptions();
    private final GatewayInterest interest;
    private Transport transport;
    private Channel listener;
    private volatile boolean running;
    /** What closed connections received and sent: in msgs, in bytes, out msgs, out bytes. */
    private final long[] closedTotals = new long[4];
    /** The gateway URLs last sent to inbound connections, to send a new INFO only when they change. */
    private volatile List<String> lastUrls = List.of();

    public Gateways(ServerOptions opts, GatewayServices server, LongSupplier cids) {
        this.opts = opts;
        this.go = opts.gateway;
        this.server = server;
        this.cids = cids;
        this.name = go.name;
        this.clusterHash = NameHash.of(name, 6);
        this.replyPrefix = GatewayConnection.REPLY_PREFIX + clusterHash + "." + NameHash.of(server.serverId(), 6) + ".";
        this.tls = go.tls == null ? null : PeerTls.create(go.tls, server.log());
        this.interest = new GatewayInterest(name, recent, !OPTIMISTIC);
        for (GatewayOptions.Remote r : go.gateways) {
            if (!r.name.equals(name)) remotes.put(r.name, GatewayRemote.of(r, go.tls));
        }
    }

    /** Binds the listener, then dials the configured remotes after upstream's short delay. */
    public void start(Transport transport) throws InterruptedException {
        this.transport = transport;
        running = true;
        server.eachAccount(this::accountAdded);
        int port = go.port < 0 ? 0 : go.port;
        listener = transport.listen(go.host, port, SOCKET_HIGH_WATER_MARK, this::accepted);
        ServerLog log = server.log();
        log.notice("Gateway name is %s", name);
        log.notice("Listening for gateways connections on %s", hostPort(go.listenHost(), port()));
        if (go.advertise != null && !go.advertise.isEmpty()) log.notice("Advertise address for gateway \"%s\" is set to %s", name, url());
        else log.notice("Address for gateway \"%s\" is %s", name, url());
        transport.workers().next().schedule(() -> {
            for (GatewayRemote r : remotes.values()) if (!r.implicit) dial(r);
        }, SOLICIT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    public void shutdown() {
        running = false;
        if (listener != null) listener.close().syncUninterruptibly();
        for (GatewayConnection c : all) c.close("Server Shutdown");
    }

    private void accountAdded(Account a) {
        interest.accountAdded(a);
        for (GatewayConnection c : outbound.values()) subscribeFor(c, a);
    }

    private void accepted(SocketChannel ch) {
        if (tls != null) tls.installAccepted(ch.pipeline(), ch.alloc());
        GatewayConnection c = new GatewayConnection(this, ch, null, null);
        all.add(c);
        ch.pipeline().addLast(new ConnectionHandler(c));
    }

    private void dial(GatewayRemote remote) {
        if (!running || outbound.containsKey(remote.name)) return;
        List<URI> urls = remote.shuffled();
        if (urls.isEmpty()) return;
        int attempt = remote.nextAttempt();
        dialEach(remote, urls, 0, attempt);
    }

    /** Tries the URLs in turn; after the last, waits and starts again (an implicit remote gives up after connect_retries). */
    private void dialEach(GatewayRemote remote, List<URI> urls, int i, int attempt) {
        if (!running) return;
        if (i == urls.size()) {
            if (remote.implicit && (go.connectRetries == 0 || attempt > go.connectRetries) && !hasInbound(remote.name)) {
                remotes.remove(remote.name, remote);
                return;
            }
            transport.workers().next().schedule(() -> dial(remote), RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        URI url = urls.get(i);
        String kind = remote.implicit ? "implicit" : "explicit";
        String host = url.getHost();
        int port = url.getPort();
        String text = "Connecting to " + kind + " gateway \"" + remote.name + "\" (" + GatewayRemote.hostPort(url) + ") at "
                + hostPort(host, port) + " (attempt " + attempt + ")";
        if (attempt == 1) server.log().notice("%s", text);
        else server.log().debug("%s", text);
        PeerTls remoteTls = remote.tls == null ? null : remote.tls == go.tls ? tls : PeerTls.create(remote.tls, server.log());
        transport.connect(host, port, SOCKET_HIGH_WATER_MARK, DIAL_TIMEOUT, ch -> {
            if (remoteTls != null) remoteTls.installDialled(ch.pipeline(), ch.alloc(), host, port);
            GatewayConnection c = new GatewayConnection(this, ch, remote, url);
            all.add(c);
            ch.pipeline().addLast(new ConnectionHandler(c));
        }).addListener(f -> {
            if (f.isSuccess()) return;
            String why = f.cause() == null ? "?" : f.cause().getMessage();
            String err = "Error connecting to " + kind + " gateway \"" + remote.name + "\" (" + GatewayRemote.hostPort(url)
                    + ") at " + hostPort(host, port) + " (attempt " + attempt + "): " + why;
            if (attempt == 1) server.log().error("%s", err);
            else server.log().debug("%s", err);
            dialEach(remote, urls, i + 1, attempt);
        });
    }

    private boolean hasInbound(String gateway) {
        for (GatewayConnection c : all) if (!c.outbound() && c.registered() && gateway.equals(c.remoteGateway())) return true;
        return false;
    }

    // ---- called by connections ----

    boolean registerOutbound(GatewayConnection c) {
        return outbound.putIfAbsent(c.remote().name, c) == null;
    }

    /** Subscriptions an outbound connection needs in every account to be handed messages. */
    void subscribeForOutbound(GatewayConnection c) {
        for (Account a : server.accounts()) subscribeFor(c, a);
    }

    private void subscribeFor(GatewayConnection c, Account a) {
        c.subscribeOwn(a, GatewayConnection.REPLY_PREFIX + c.remote().hash + ".>",
                !c.outboundInterest().peerInterestOnly());
    }

    /**
     * An inbound connection registered: it hears this cluster's interest; its cluster is dialled
     * if it is not yet (upstream's implicit gateway), and it hears of every other cluster this
     * server knows (gossip), so that every cluster reaches every other.
     */
    void registerInbound(GatewayConnection c, List<String> urls) {
        interest.register(c);
        implicitGateway(c.remoteGateway(), urls);
        for (GatewayRemote r : remotes.values()) {
            if (r.name.equals(c.remoteGateway())) continue;
            List<String> hp = r.hostPorts();
            if (!hp.isEmpty()) c.sendLine(GatewayJson.gossipLine(server.serverId(), null, r.name, hp));
        }
    }

    /** A remote learnt from an INFO (upstream's processImplicitGateway): its URLs added, or dialled when new. */
    void implicitGateway(String gateway, List<String> urls) {
        if (gateway == null || gateway.isEmpty() || gateway.equals(name)) return;
        if (go.rejectUnknown && !remotes.containsKey(gateway)) return;
        GatewayRemote known = remotes.get(gateway);
        if (known != null) {
            known.add(urls);
            return;
        }
        GatewayRemote r = new GatewayRemote(gateway, List.of(), go.tls, true);
        r.add(urls);
        if (!r.hasUrls() || remotes.putIfAbsent(gateway, r) != null) return;
        dial(r);
    }

    /** Tells this cluster's other servers of a gateway (upstream's forwardNewGatewayToLocalCluster). */
    void forwardToCluster(String gateway, List<String> urls) {
        server.sendToRoutes(GatewayJson.gossipLine("GW" + server.serverId(), server.serverName(), gateway, urls));
    }

    void closed(GatewayConnection c) {
        synchronized (closedTotals) {
            all.remove(c);
            closedTotals[0] += c.inMsgs();
            closedTotals[1] += c.inBytes();
            closedTotals[2] += c.outMsgs();
            closedTotals[3] += c.outBytes();
        }
        interest.unregister(c);
        if (!c.outbound()) return;
        outbound.remove(c.remote().name, c);
        GatewayRemote r = c.remote();
        if (!running || remotes.get(r.name) != r) return;
        long delay = ThreadLocalRandom.current().nextLong(100) + (r.implicit ? 0 : RECONNECT_DELAY_MILLIS);
        transport.workers().next().schedule(() -> dial(r), delay, TimeUnit.MILLISECONDS);
    }

    boolean configured(String gateway) {
        GatewayRemote r = remotes.get(gateway);
        if (r != null && !r.implicit) return true;
        for (GatewayOptions.Remote g : go.gateways) if (g.name.equals(gateway)) return true;
        return false;
    }

    boolean mapsReply(String account, String reply) {
        return recent.matches(account, reply);
    }

    // ---- the cluster side: routes ----

    /** A route brought another cluster's gateway (gossip): dialled, as upstream's processGatewayInfoFromRoute. */
    public void infoFromRoute(byte[] json) {
        try {
            ObjectNode info = GatewayJson.parse(json, "INFO");
            if (info.path("gateway_cmd").asInt(0) != GatewayJson.CMD_GOSSIP) {
                server.log().error("Unknown command %d from server %s", info.path("gateway_cmd").asInt(0), GatewayJson.text(info, "server_id"));
                return;
            }
            implicitGateway(GatewayJson.text(info, "gateway"), GatewayJson.strings(info, "gateway_urls"));
        } catch (java.io.IOException e) {
            server.log().error("invalid gateway INFO from a route: %s", e.getMessage());
        }
    }

    /**
     * The routes changed: a new route hears which clusters this server has an outbound connection
     * to (upstream's sendGatewayConfigsToRoute), and inbound connections hear the cluster's
     * gateway URLs again when they changed.
     */
    public void routesChanged() {
        for (GatewayConnection c : outbound.values()) {
            List<String> hp = c.remote().hostPorts();
            if (!hp.isEmpty()) server.sendToRoutes(GatewayJson.gossipLine("GW" + server.serverId(), null, c.remote().name, hp));
        }
        List<String> urls = urls();
        if (urls.equals(lastUrls)) return;
        lastUrls = urls;
        byte[] line = infoLine();
        for (GatewayConnection c : all) if (!c.outbound() && c.registered()) c.sendLine(line);
    }

    // ---- what connections share ----

    /** This server's gateway INFO, as upstream's: host and port, every gateway URL of the cluster, nrp and iom. */
    byte[] infoLine() {
        ObjectNode o = io.jnatsd.server.conn.PeerJson.JSON.createObjectNode();
        o.put("server_id", server.serverId());
        o.put("server_name", server.serverName());
        o.put("version", server.version());
        o.put("proto", 0);
        o.put("go", "");
        String[] hp = advertised();
        o.put("host", hp[0]);
        o.put("port", Integer.parseInt(hp[1]));
        o.put("headers", true);
        if (go.username != null && !go.username.isEmpty()) o.put("auth_required", true);
        if (tls != null) {
            o.put("tls_required", true);
            o.put("tls_verify", true);
        }
        o.put("max_payload", opts.maxPayload);
        o.put("gateway", name);
        var a = o.putArray("gateway_urls");
        List<String> urls = urls();
        lastUrls = urls;
        urls.forEach(a::add);
        o.put("gateway_url", url());
        o.put("gateway_nrp", true);
        if (!OPTIMISTIC) o.put("gateway_iom", true);
        return GatewayJson.line("INFO", o);
    }

    /** The CONNECT of an outbound connection: the URL's credentials, else the block's; this server's id and gateway name. */
    byte[] connectLine(URI url, GatewayRemote remote) {
        String user = go.username;
        String pass = go.password;
        String ui = url == null ? null : url.getUserInfo();
        if (ui != null) {
            int colon = ui.indexOf(':');
            user = colon < 0 ? ui : ui.substring(0, colon);
            pass = colon < 0 ? "" : ui.substring(colon + 1);
        }
        ObjectNode o = io.jnatsd.server.conn.PeerJson.JSON.createObjectNode();
        o.put("echo", false);
        o.put("verbose", false);
        o.put("pedantic", false);
        if (user != null && !user.isEmpty()) o.put("user", user);
        if (pass != null && !pass.isEmpty()) o.put("pass", pass);
        o.put("tls_required", remote.tls != null);
        o.put("name", server.serverId());
        o.put("lang", "");
        o.put("version", "");
        o.put("protocol", 0);
        o.put("gateway", name);
        o.put("headers", false);
        o.put("no_responders", false);
        return GatewayJson.line("CONNECT", o);
    }

    /** This server's gateway URL and those the cluster's other servers announced on their routes. */
    private List<String> urls() {
        Set<String> out = new LinkedHashSet<>();
        out.add(url());
        out.addAll(server.clusterGatewayUrls());
        return new ArrayList<>(out);
    }

    /** This server's gateway URL ({@code host:port}): {@code advertise}, else the listen address. */
    public String url() {
        String[] hp = advertised();
        return hostPort(hp[0], Integer.parseInt(hp[1]));
    }

    private String[] advertised() {
        String a = go.advertise;
        if (a != null && !a.isEmpty()) {
            int colon = a.lastIndexOf(':');
            return colon < 0 ? new String[] {a, String.valueOf(port())} : new String[] {a.substring(0, colon), a.substring(colon + 1)};
        }
        String host = go.listenHost();
        if (host.equals("0.0.0.0") || host.equals("::")) host = "127.0.0.1";
        return new String[] {host, String.valueOf(port())};
    }

    ServerLog log() { return server.log(); }
    GatewayServices services() { return server; }
    ServerOptions options() { return opts; }
    GatewayOptions gatewayOptions() { return go; }
    GatewayInterest interest() { return interest; }
    String clusterHash() { return clusterHash; }

    /** This server's 6-character hash in reply subjects mapped here ({@code _GR_.<cluster>.<server>.}). */
    String serverHash() { return replyPrefix.substring(GatewayConnection.REPLY_PREFIX.length() + 7, GatewayConnection.REPLY_PREFIX.length() + 13); }
    String replyPrefix() { return replyPrefix; }
    long nextCid() { return cids.getAsLong(); }

    // ---- facts for monitoring ----

    public String name() {
        return name;
    }

    /** The bound gateway port, or the configured one before start. */
    public int port() {
        return listener == null ? go.port : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Registered connections, outbound by remote cluster name. */
    public Map<String, GatewayStats> outboundStats() {
        Map<String, GatewayStats> out = new java.util.TreeMap<>();
        for (GatewayConnection c : outbound.values()) if (c.registered()) out.put(c.remoteGateway(), GatewayStats.of(c));
        return out;
    }

    /** Registered inbound connections, by remote cluster name. */
    public Map<String, List<GatewayStats>> inboundStats() {
        Map<String, List<GatewayStats>> out = new java.util.TreeMap<>();
        for (GatewayConnection c : all) {
            if (c.outbound() || !c.registered()) continue;
            out.computeIfAbsent(c.remoteGateway(), k -> new ArrayList<>()).add(GatewayStats.of(c));
        }
        out.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(GatewayStats::cid)));
        return out;
    }

    /** The remote clusters known, configured or implicit, with their URLs (for /varz). */
    public Map<String, GatewayStats.Remote> remotes() {
        Map<String, GatewayStats.Remote> out = new java.util.TreeMap<>();
        for (GatewayRemote r : remotes.values()) out.put(r.name, new GatewayStats.Remote(r.name, r.implicit, r.hostPorts()));
        return out;
    }

    /**
     * The subscriptions gateways hold in {@code account}'s index (the other clusters' interest,
     * the reply routes, the optimistic catch-alls): upstream keeps them apart from the account,
     * so its counts leave them out, and /varz and /accountz subtract them.
     */
    public int subscriptionsIn(Account account) {
        int n = 0;
        for (GatewayConnection c : outbound.values()) n += c.subscriptionsIn(account);
        return n;
    }

    /** What every gateway connection, open or closed, received and sent (upstream counts them in the server's totals). */
    public GatewayStats.Totals totals() {
        synchronized (closedTotals) {
            long[] t = closedTotals.clone();
            for (GatewayConnection c : all) {
                t[0] += c.inMsgs();
                t[1] += c.inBytes();
                t[2] += c.outMsgs();
                t[3] += c.outBytes();
            }
            return new GatewayStats.Totals(t[0], t[1], t[2], t[3]);
        }
    }

    public int outboundCount() {
        return outbound.size();
    }

    public int inboundCount() {
        int n = 0;
        for (GatewayConnection c : all) if (!c.outbound() && c.registered()) n++;
        return n;
    }

    static String hostPort(String host, int port) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }

}
