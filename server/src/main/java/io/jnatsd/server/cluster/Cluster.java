package io.jnatsd.server.cluster;

import io.jnatsd.protocol.route.RouteWriter;
import io.jnatsd.server.config.ClusterOptions;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.conn.ConnectionHandler;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InterestListener;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.PeerTls;
import io.jnatsd.server.net.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This server's side of a cluster (upstream's routes): the route listener, the routes it
 * dials (seeds from {@code routes}, and servers it learns of by gossip), one registered
 * route per peer server (a full mesh, duplicates resolved), and the account interest every
 * route is told about (RS+/RS-, as an {@link InterestListener} on every account).
 */
public final class Cluster implements InterestListener {
    private static final int SOCKET_HIGH_WATER_MARK = 64 * 1024 * 1024;
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(2);

    /** Upstream's pause between two attempts to reach a route (DEFAULT_ROUTE_CONNECT). */
    private static final Duration CONNECT_DELAY = Duration.ofSeconds(1);
    /** The longest pause with {@code connect_backoff}. */
    private static final Duration MAX_CONNECT_DELAY = Duration.ofSeconds(30);

    /** The options in force; replaced whole by a reload ({@link #reload}). */
    private volatile ServerOptions opts;
    private volatile ClusterOptions co;
    private final ClusterServices server;
    /** TLS on every route when the cluster has a {@code tls} block; null for plaintext. */
    private volatile PeerTls tls;
    private volatile RoutePermissionFilter imports;
    private volatile RoutePermissionFilter exports;
    private final AtomicLong routeIds = new AtomicLong();
    /** Registered routes, one per peer server id. */
    private final Map<String, RouteConnection> byServerId = new ConcurrentHashMap<>();
    /** Every route connection, registered or not (for shutdown and monitoring). */
    private final Set<RouteConnection> all = ConcurrentHashMap.newKeySet();
    /** Seed URLs found to lead back to this server: never dialled again. */
    private final Set<URI> toSelf = ConcurrentHashMap.newKeySet();
    private volatile String name;
    /** Whether the name is still one this server made up (none configured, none adopted from a peer). */
    private volatile boolean dynamicName;
    private Transport transport;
    private Channel listener;
    private volatile boolean running;

    public Cluster(ServerOptions opts, ClusterServices server) {
        this.opts = opts;
        this.co = opts.cluster;
        this.server = server;
        this.tls = co.tls == null ? null : PeerTls.create(co.tls, server.log());
        var perms = co.permissions;
        this.imports = RoutePermissionFilter.of(perms == null ? null : perms.importPermission());
        this.exports = RoutePermissionFilter.of(perms == null ? null : perms.exportPermission());
        this.dynamicName = co.name == null || co.name.isEmpty();
        this.name = dynamicName ? randomName() : co.name;
    }

    /** Binds the route listener and starts dialling the seeds. */
    public void start(Transport transport) throws InterruptedException {
        this.transport = transport;
        running = true;
        int port = co.port < 0 ? 0 : co.port;
        listener = transport.listen(co.host, port, SOCKET_HIGH_WATER_MARK, this::accepted);
        server.log().notice("Cluster name is %s", name);
        server.log().notice("Listening for route connections on %s:%d", displayHost(), port());
        for (URI seed : co.routes) dial(seed, true, 0);
    }

    public void shutdown() {
        running = false;
        if (listener != null) listener.close().syncUninterruptibly();
        for (RouteConnection r : all) r.close("Server Shutdown");
    }

    private void accepted(SocketChannel ch) {
        if (tls != null) tls.installAccepted(ch.pipeline(), ch.alloc());
        RouteConnection r = new RouteConnection(this, ch, null);
        all.add(r);
        ch.pipeline().addLast(new ConnectionHandler(r));
    }

    /**
     * Dials a route URL. A configured seed ({@code explicit}) is tried until it answers, as
     * upstream; a server learnt by gossip is tried {@code connect_retries} more times.
     */
    private void dial(URI url, boolean explicit, int attempt) {
        if (!running || toSelf.contains(url)) return;
        InetSocketAddress address = ClusterOptions.address(url);
        transport.connect(address.getHostString(), address.getPort(), SOCKET_HIGH_WATER_MARK, DIAL_TIMEOUT, ch -> {
            if (tls != null) tls.installDialled(ch.pipeline(), ch.alloc(), address.getHostString(), address.getPort());
            RouteConnection r = new RouteConnection(this, ch, url);
            all.add(r);
            ch.pipeline().addLast(new ConnectionHandler(r));
        }).addListener(f -> {
            if (f.isSuccess()) return;
            int next = attempt + 1;
            String why = f.cause() == null ? "?" : f.cause().getMessage();
            if (next == 1 || next % 30 == 0) server.log().error("Error trying to connect to route (attempt %d): %s", next, why);
            else server.log().debug("Error trying to connect to route (attempt %d): %s", next, why);
            if (explicit || next <= co.connectRetries) later(() -> dial(url, explicit, next), next);
        });
    }

    private void later(Runnable r) {
        later(r, 0);
    }

    /**
     * Runs {@code r} after upstream's reconnect pause, with a little jitter so that two servers
     * dialling each other drift apart; with {@code connect_backoff} the pause doubles with each
     * failed attempt up to {@link #MAX_CONNECT_DELAY}, as upstream 2.12.
     */
    private void later(Runnable r, int failedAttempts) {
        if (!running) return;
        long delay = CONNECT_DELAY.toMillis();
        if (co.connectBackoff && failedAttempts > 1) {
            delay = Math.min(MAX_CONNECT_DELAY.toMillis(), delay << Math.min(failedAttempts - 1, 5));
        }
        long jitter = ThreadLocalRandom.current().nextLong(delay / 5 + 1);
        transport.workers().next().schedule(r, delay + jitter, TimeUnit.MILLISECONDS);
    }

    // ---- called by routes ----

    /**
     * A route's INFO named its server: registers it unless that server has a route already.
     * Then it learns this server's whole interest, the other servers learn of the new one
     * (gossip) and clients learn its client URLs. False for a duplicate, which the caller closes.
     */
    boolean addRoute(RouteConnection r) {
        String id = r.remoteId();
        synchronized (byServerId) {
            RouteConnection existing = byServerId.get(id);
            if (existing != null && existing != r) {
                if (!keepsOver(r, existing, id)) return false;
                existing.retire();
            }
            byServerId.put(id, r);
        }
        for (Account a : server.accounts()) a.replayInterest(sendTo(r));
        if (byServerId.size() > 1) gossip(r);
        if (!co.noAdvertise) server.connectUrlsChanged();
        return true;
    }

    /**
     * Two routes to one server (both dialled at once): both servers keep the one dialled by the
     * server with the smaller id, so they agree without a word and neither is left without a
     * route. (Upstream keeps whichever it registered first; when that differs between two
     * servers both routes close and the seeds are dialled again.)
     */
    private boolean keepsOver(RouteConnection candidate, RouteConnection existing, String peerId) {
        boolean weDialPreferred = serverId().compareTo(peerId) < 0;
        boolean candidatePreferred = (candidate.solicitedUrl() != null) == weDialPreferred;
        boolean existingPreferred = (existing.solicitedUrl() != null) == weDialPreferred;
        return candidatePreferred && !existingPreferred;
    }

    private InterestListener sendTo(RouteConnection r) {
        return (account, subject, queue, count) -> {
            if (imports.allows(subject)) r.sendInterest(interestProto(account, subject, queue, count));
        };
    }

    /** Tells every other route's server where to dial the new one (upstream's forwardNewRouteInfoToKnownServers). */
    private void gossip(RouteConnection joined) {
        RouteInfo info = joined.remoteInfo();
        String ip = info.ip();
        if (ip == null || ip.isEmpty()) {
            InetSocketAddress a = joined.remoteSocketAddress();
            String host = a == null ? info.host() : a.getAddress().getHostAddress();
            ip = "nats-route://" + hostPort(host, info.port()) + "/";
        }
        byte[] line = info.gossiped(ip).line();
        for (RouteConnection r : byServerId.values()) {
            if (r != joined) r.sendInfo(line);
        }
    }

    /** A route told of a server this one may not know: dial it, once, unless already connected. */
    void implicitRoute(RouteInfo info) {
        String id = info.serverId();
        if (id == null || id.equals(serverId()) || byServerId.containsKey(id)) return;
        String ip = info.ip();
        if (ip == null || ip.isEmpty()) return;
        URI url;
        try {
            url = URI.create(ip);
        } catch (IllegalArgumentException e) {
            server.log().error("Error parsing URL from INFO: %s", e.getMessage());
            return;
        }
        for (URI seed : co.routes) {
            if (sameHostPort(seed, url)) return; // a seed is dialled on its own
        }
        if (co.username != null && info.authRequired()) {
            url = URI.create(url.getScheme() + "://" + co.username + ":" + co.password + "@"
                    + url.getHost() + ":" + url.getPort() + "/");
        }
        dial(url, false, 0);
    }

    /** A route's peer sent a new INFO (its client URLs changed): clients hear of it. */
    void connectUrlsChanged() {
        if (!co.noAdvertise) server.connectUrlsChanged();
    }

    void routeToSelf(RouteConnection r) {
        if (r.solicitedUrl() != null) toSelf.add(r.solicitedUrl());
    }

    /**
     * A route closed. When it was the one to its server, that server is dialled again: for
     * ever when it is a seed (whichever side dialled the route that closed), a few times when
     * it was learnt by gossip (upstream's retry of a route that was up).
     */
    void routeClosed(RouteConnection r) {
        all.remove(r);
        String id = r.remoteId();
        boolean wasRegistered;
        synchronized (byServerId) {
            wasRegistered = id != null && byServerId.remove(id, r);
        }
        if (wasRegistered && !co.noAdvertise) server.connectUrlsChanged();
        if (!running || r.noReconnect() || (id != null && byServerId.containsKey(id))) return; // removed, or a duplicate
        URI url = r.solicitedUrl() != null ? r.solicitedUrl() : seedOf(r.remoteInfo());
        if (url == null || toSelf.contains(url)) return;
        boolean explicit = co.routes.stream().anyMatch(seed -> sameHostPort(seed, url));
        if (explicit) later(() -> dial(url, true, 0));
        else if (wasRegistered) later(() -> dial(url, false, Math.max(0, 1 - co.connectRetries)));
    }

    /** The seed URL naming the server {@code info} describes (its advertised route address), or null. */
    private URI seedOf(RouteInfo info) {
        if (info == null || info.host() == null) return null;
        for (URI seed : co.routes) {
            InetSocketAddress a = ClusterOptions.address(seed);
            if (a.getPort() == info.port() && a.getHostString().equalsIgnoreCase(info.host())) return seed;
        }
        return null;
    }

    // ---- reload ----

    /**
     * A reloaded configuration whose listener is unchanged (the caller refused anything else):
     * authorization, permissions, TLS for new routes, the name, advertising, and the seeds
     * (removed ones closed for good, new ones dialled), as upstream's clusterOption and routesOption.
     * {@code freshTls} is the block's TLS, built by the caller before anything changed (null for none).
     */
    public void reload(ServerOptions fresh, PeerTls freshTls) {
        ClusterOptions old = co;
        RoutePermissionFilter oldImports = imports;
        ClusterOptions neu = fresh.cluster;
        tls = freshTls;
        imports = RoutePermissionFilter.of(neu.permissions == null ? null : neu.permissions.importPermission());
        exports = RoutePermissionFilter.of(neu.permissions == null ? null : neu.permissions.exportPermission());
        opts = fresh;
        co = neu;
        synchronized (this) {
            if (neu.name != null && !neu.name.isEmpty() && !neu.name.equals(name)) {
                name = neu.name;
                dynamicName = false;
            }
        }
        for (URI gone : old.routes) {
            if (neu.routes.stream().anyMatch(u -> sameHostPort(u, gone))) continue;
            for (RouteConnection r : all) {
                if (r.solicitedUrl() != null && sameHostPort(r.solicitedUrl(), gone)) {
                    r.removedFromConfig();
                    server.log().notice("Removed route %s", gone);
                }
            }
        }
        for (URI added : neu.routes) {
            if (running && old.routes.stream().noneMatch(u -> sameHostPort(u, added))) dial(added, true, 0);
        }
        boolean permissionsChanged = !java.util.Objects.equals(old.permissions, neu.permissions);
        if (permissionsChanged) {
            for (RouteConnection r : byServerId.values()) {
                for (Account a : server.accounts()) a.replayInterest(permissionDelta(r, oldImports, imports));
            }
        }
        for (RouteConnection r : all) r.clusterReloaded(permissionsChanged);
    }

    /** Interest the new import permissions let through is announced, and what they stop is withdrawn. */
    private InterestListener permissionDelta(RouteConnection r, RoutePermissionFilter before, RoutePermissionFilter now) {
        return (account, subject, queue, count) -> {
            boolean was = before.allows(subject);
            boolean is = now.allows(subject);
            if (is && !was) r.sendInterest(interestProto(account, subject, queue, count));
            else if (was && !is) r.sendInterest(interestProto(account, subject, queue, 0));
        };
    }

    // ---- interest ----

    @Override
    public void interestChanged(Account account, String subject, String queue, int count) {
        if (byServerId.isEmpty() || !imports.allows(subject)) return;
        byte[] proto = interestProto(account, subject, queue, count);
        for (RouteConnection r : byServerId.values()) r.sendInterest(proto);
    }

    private static byte[] interestProto(Account account, String subject, String queue, int count) {
        ByteBuf b = Unpooled.buffer(account.name().length() + subject.length() + 32);
        try {
            if (count > 0) RouteWriter.writeSubscribe(b, account.name(), subject, queue, queue == null ? 0 : count);
            else RouteWriter.writeUnsubscribe(b, account.name(), subject, queue);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    // ---- what routes ask ----

    byte[] infoLine() {
        List<String> urls = co.noAdvertise ? List.of() : server.clientConnectUrls();
        String host = co.advertise != null && !co.advertise.isEmpty()
                ? advertisedHost() : displayHost();
        int port = co.advertise != null && !co.advertise.isEmpty() ? advertisedPort() : port();
        return RouteInfo.of(serverId(), server.serverName(), server.version(), host, port, name,
                dynamicName, urls, authRequired(), tls != null, opts.maxPayload, null).line();
    }

    byte[] connectLine(URI url) {
        String user = co.username;
        String pass = co.password;
        String ui = url.getUserInfo();
        if (ui != null) {
            int colon = ui.indexOf(':');
            user = colon < 0 ? ui : ui.substring(0, colon);
            pass = colon < 0 ? null : ui.substring(colon + 1);
        }
        return new RouteConnect(serverId(), name, true, true, user, pass, null, null,
                dynamicName, tls != null).line();
    }

    boolean credentialsOk(RouteConnect c) {
        if (!authRequired()) return true;
        return constantTimeEquals(co.username, c.user()) && constantTimeEquals(co.password, c.pass());
    }

    private static boolean constantTimeEquals(String expected, String given) {
        if (expected == null || given == null) return expected == given;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a peer may have messages on {@code subject} from here (its RS+ is accepted). */
    boolean canExport(String subject) {
        return exports.allows(subject);
    }

    /**
     * Whether a peer's cluster name is this cluster's. A name this server made up (none
     * configured) gives way, as upstream's: to a configured one, or to a smaller made-up one.
     */
    synchronized boolean acceptsName(String peerName, boolean peerDynamic) {
        if (name.equals(peerName)) return true;
        if (!dynamicName || peerName == null || peerName.isEmpty()) return false;
        if (!peerDynamic || name.compareTo(peerName) < 0) {
            server.log().notice("Cluster name updated to %s", peerName);
            name = peerName;
            dynamicName = peerDynamic;
            return true;
        }
        return false;
    }

    /** The cluster's name; a dynamic one is replaced by the first configured name a peer brings. */
    public String name() {
        return name;
    }

    long nextRouteId() { return routeIds.incrementAndGet(); }
    ServerLog log() { return server.log(); }
    String serverId() { return server.serverId(); }
    Account account(String accountName) { return server.account(accountName); }
    boolean authRequired() { return co.username != null && !co.username.isEmpty(); }
    int maxPayload() { return opts.maxPayload; }
    long maxPending() { return opts.maxPending; }
    Duration pingInterval() { return co.effectivePingInterval(opts); }
    int pingMax() { return co.effectivePingMax(opts); }
    Duration writeDeadline() { return co.effectiveWriteDeadline(opts); }
    Duration authTimeout() { return co.effectiveAuthTimeout(); }

    // ---- facts for monitoring and clients ----

    /** The bound route port. */
    public int port() {
        return listener == null ? co.port : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The route URL other servers can use as a seed for this one. */
    public String routeUrl() {
        String host = displayHost();
        return "nats-route://" + hostPort(host.equals("0.0.0.0") ? "127.0.0.1" : host, port());
    }

    /** Registered routes' client URLs, for this server's clients' {@code connect_urls}. */
    public List<String> peersClientUrls() {
        List<String> out = new ArrayList<>();
        for (RouteConnection r : byServerId.values()) {
            for (String u : r.remoteConnectUrls()) {
                if (!out.contains(u)) out.add(u);
            }
        }
        return out;
    }

    public int routeCount() {
        return byServerId.size();
    }

    /** The server ids of the peers this server has a route to. */
    public Collection<String> peerIds() {
        return List.copyOf(byServerId.keySet());
    }

    /** One row per registered route, for /routez and /varz. */
    public List<RouteStats> routes() {
        List<RouteStats> out = new ArrayList<>();
        for (RouteConnection r : byServerId.values()) {
            URI url = r.solicitedUrl();
            out.add(RouteStats.of(r, url != null && co.routes.stream().anyMatch(seed -> sameHostPort(seed, url))));
        }
        return out;
    }

    /** The route listener's host as configured ({@code 0.0.0.0} for every interface). */
    public String listenHost() {
        return displayHost();
    }

    /** The seed URLs, as /varz lists them. */
    public List<URI> seeds() {
        return co.routes;
    }

    /** Whether clients are told of the other servers' URLs ({@code no_advertise} unset). */
    public boolean advertises() {
        return !co.noAdvertise;
    }

    private String displayHost() {
        String h = co.host;
        return h == null || h.isEmpty() ? "0.0.0.0" : h;
    }

    private String advertisedHost() {
        String a = co.advertise;
        int colon = a.lastIndexOf(':');
        return colon < 0 ? a : a.substring(0, colon);
    }

    private int advertisedPort() {
        String a = co.advertise;
        int colon = a.lastIndexOf(':');
        return colon < 0 ? port() : Integer.parseInt(a.substring(colon + 1));
    }

    /** {@code host:port}, an IPv6 host in brackets, as NATS URLs write them. */
    public static String hostPort(String host, int port) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static boolean sameHostPort(URI a, URI b) {
        return a.getPort() == b.getPort() && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost());
    }

    private static String randomName() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 22; i++) b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        return b.toString();
    }
}
