package io.jnatsd.server.cluster;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.route.RouteWriter;
import io.jnatsd.server.config.ClusterOptions;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.conn.ConnectionHandler;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
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
 * dials (seeds from {@code routes}, and servers it learns of by gossip), the routes to each
 * peer server (a {@link RoutePool}: a full mesh, duplicates resolved), and the account
 * interest every route is told about (RS+/RS-, as an {@link InterestListener} on every
 * account), each account's on the one route of each peer that carries it.
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
    /** Registered routes by peer server id. Changed under {@link #registration}. */
    private final Map<String, RoutePool> peers = new ConcurrentHashMap<>();
    private final Object registration = new Object();
    /** Whether routes are pooled ({@code pool_size} positive, upstream 2.10's default of 3). */
    private final boolean pooling;
    /** This server's pool size: which pool connection carries an account is computed with it. */
    private final int poolSize;
    /** Accounts with a route of their own to each pooled peer; the system account's too, as upstream. */
    private volatile Set<String> pinnedAccounts = Set.of();
    /** Closed routes' counters, so the server's totals do not drop when a route goes. Guarded by itself. */
    private final long[] closedTotals = new long[4];
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
        int configured = co.poolSize == 0 ? ClusterOptions.DEFAULT_POOL_SIZE : co.poolSize;
        this.pooling = configured > 0;
        this.poolSize = pooling ? configured : 1;
        this.name = dynamicName ? randomName() : co.name;
    }

    /** Binds the route listener and starts dialling the seeds. */
    public void start(Transport transport) throws InterruptedException {
        this.transport = transport;
        if (pooling) {
            Set<String> pinned = new java.util.LinkedHashSet<>(co.pinnedAccounts);
            String system = server.systemAccountName();
            if (system != null && !system.isEmpty()) pinned.add(system);
            pinnedAccounts = Set.copyOf(pinned);
        }
        running = true;
        int port = co.port < 0 ? 0 : co.port;
        listener = transport.listen(co.host, port, SOCKET_HIGH_WATER_MARK, this::accepted);
        server.log().notice("Cluster name is %s", name);
        if (co.compression.startsWith("s2")) {
            // No S2 codec on the JVM: the route INFO says "off", which every 2.10+ peer honours.
            server.log().warn("Route compression \"%s\" is not supported: routes run uncompressed (negotiated as \"off\")",
                    co.compression);
        }
        server.log().notice("Listening for route connections on %s:%d", displayHost(), port());
        for (URI seed : co.routes) dial(seed, true, 0, null, null);
    }

    public void shutdown() {
        running = false;
        if (listener != null) listener.close().syncUninterruptibly();
        for (RouteConnection r : all) r.close("Server Shutdown");
    }

    private void accepted(SocketChannel ch) {
        if (tls != null) tls.installAccepted(ch.pipeline(), ch.alloc());
        RouteConnection r = new RouteConnection(this, ch, null, null);
        all.add(r);
        ch.pipeline().addLast(new ConnectionHandler(r));
    }

    /**
     * Dials a route URL. A configured seed ({@code explicit}) is tried until it answers, as
     * upstream; a server learnt by gossip is tried {@code connect_retries} more times; another
     * connection for a peer's pool ({@code forPeer}, the peer's id) as long as that peer is
     * connected. {@code account}: the pinned account the route is for, or null.
     */
    private void dial(URI url, boolean explicit, int attempt, String account, String forPeer) {
        if (!running || toSelf.contains(url)) return;
        if (forPeer != null && !peers.containsKey(forPeer)) return;
        InetSocketAddress address = ClusterOptions.address(url);
        transport.connect(address.getHostString(), address.getPort(), SOCKET_HIGH_WATER_MARK, DIAL_TIMEOUT, ch -> {
            if (tls != null) tls.installDialled(ch.pipeline(), ch.alloc(), address.getHostString(), address.getPort());
            RouteConnection r = new RouteConnection(this, ch, url, account);
            all.add(r);
            ch.pipeline().addLast(new ConnectionHandler(r));
        }).addListener(f -> {
            if (f.isSuccess()) return;
            int next = attempt + 1;
            String why = f.cause() == null ? "?" : f.cause().getMessage();
            if (next == 1 || next % 30 == 0) server.log().error("Error trying to connect to route (attempt %d): %s", next, why);
            else server.log().debug("Error trying to connect to route (attempt %d): %s", next, why);
            if (explicit || forPeer != null || next <= co.connectRetries) {
                later(() -> dial(url, explicit, next, account, forPeer), next);
            }
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
     * A route's INFO named its server: registers it in that server's {@link RoutePool} (at the
     * pool index the dialling server chose, or as its account's pinned route) unless another
     * route holds that place. Then it learns this server's interest in the accounts it carries,
     * and, for a server's first route, the other servers learn of the new one (gossip) and
     * clients learn its client URLs. False for a duplicate, which the caller closes; a route
     * that breaks the pooling rules is closed here with upstream's error.
     */
    boolean addRoute(RouteConnection r) {
        RouteInfo info = r.remoteInfo();
        String id = info.serverId();
        boolean peerPooled = pooling && info.poolSize() > 0;
        String account = r.solicitedUrl() != null ? r.dialledAccount() : info.account();
        RoutePool peer;
        boolean first;
        boolean firstOfPool;
        synchronized (registration) {
            peer = peers.get(id);
            first = peer == null;
            firstOfPool = account == null && (peer == null || peer.poolEmpty());
            if (account != null) {
                if (!peerPooled) {
                    r.refuse("Not possible to have a dedicated route for account \"" + account + "\" between those servers");
                    return false;
                }
                if (!pinnedAccounts.contains(account)) {
                    r.refuse("No route for account \"" + account + "\"");
                    return false;
                }
            }
            if (peer == null) peer = new RoutePool(id, !peerPooled, Math.max(poolSize, info.poolSize()));
            else peer.growTo(info.poolSize());
            RouteConnection existing;
            int idx = 0;
            if (account != null) {
                existing = peer.pinned(account);
            } else {
                if (!peer.noPool) {
                    idx = r.solicitedUrl() != null ? peer.freeIndex() : info.poolIdx();
                    if (r.solicitedUrl() != null && idx < 0) {
                        server.log().debug("Route pool size reached, closing extra connection to \"%s\"", id);
                        return false;
                    }
                    if (idx < 0 || idx >= peer.size()) {
                        r.refuse("Invalid route pool index: " + idx + " - pool size is " + info.poolSize());
                        return false;
                    }
                }
                existing = peer.at(idx);
            }
            if (existing != null && existing != r) {
                if (!keepsOver(r, existing, id)) return false;
                existing.retire();
            }
            // Its INFO (with the pool index a dialled route announces) goes out before anything
            // another thread may send it once it is registered.
            r.registeredAt(new RoutePool.Slot(poolSize, idx, account));
            if (account != null) peer.putPinned(account, r);
            else peer.put(idx, r);
            peers.put(id, peer);
        }
        for (Account a : server.accounts()) {
            if (routeFor(peer, a.name()) == r) a.replayInterest(sendTo(r));
        }
        if ((firstOfPool || account != null) && peers.size() > 1) gossip(r);
        if (first && !co.noAdvertise) server.connectUrlsChanged();
        if (first) server.routesChanged();
        if (r.solicitedUrl() != null && !peer.noPool && wantsMore(peer, r)) r.growPoolAfterPong();
        return true;
    }

    /** The route to {@code peer} that carries {@code account}'s interest and messages, or null while it is not up. */
    private RouteConnection routeFor(RoutePool peer, String account) {
        if (peer.noPool) return peer.at(0);
        if (pinnedAccounts.contains(account)) return peer.pinned(account);
        return peer.at(RoutePool.poolIndex(account, poolSize));
    }

    /** Whether, from route {@code r} this server dialled, it should dial more to {@code peer}. */
    private boolean wantsMore(RoutePool peer, RouteConnection r) {
        if (r.pinnedAccount() != null) return false;
        if (peer.freeIndex() >= 0) return true;
        return r.poolIdx() == 0 && pinnedAccounts.stream().anyMatch(a -> peer.pinned(a) == null);
    }

    /**
     * The first PONG on a pooled route this server dialled proved the peer accepts it (as
     * upstream waits for): dial the pool's next connection, and, from the pool's first, the
     * pinned accounts' routes.
     */
    void growPool(RouteConnection r) {
        RoutePool peer = peers.get(r.remoteId());
        if (peer == null || peer.at(r.poolIdx()) != r) return;
        URI url = r.solicitedUrl();
        if (peer.freeIndex() >= 0) dial(url, false, 0, null, peer.serverId);
        if (r.poolIdx() != 0) return;
        for (String account : pinnedAccounts) {
            if (peer.pinned(account) == null) dial(url, false, 0, account, peer.serverId);
        }
    }

    /**
     * Two routes to one place (both dialled at once): both servers keep the one dialled by the
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
            if (imports.allows(subject)) {
                r.sendInterest(interestProto(r.pinnedAccount() == null ? account.name() : null, subject, queue, count));
            }
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
        byte[] line = info.gossiped(ip, joined.pinnedAccount()).line();
        for (RoutePool peer : peers.values()) {
            RouteConnection r = peer.first();
            if (r != null && !peer.serverId.equals(joined.remoteId())) r.sendInfo(line);
        }
    }

    /**
     * A route told of a server this one may not know: dial it, once, unless already connected;
     * or of a pinned route another server has to it, which this server then dials too.
     */
    void implicitRoute(RouteInfo info) {
        String id = info.serverId();
        if (id == null || id.equals(serverId())) return;
        RoutePool peer = peers.get(id);
        String account = info.account();
        if (account != null) {
            if (peer == null || peer.noPool || !pinnedAccounts.contains(account) || peer.pinned(account) != null) return;
        } else if (peer != null) {
            return;
        }
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
        dial(url, false, 0, account, account == null ? null : id);
    }

    /** A route's peer sent a new INFO (its client URLs changed): clients hear of it. */
    void connectUrlsChanged() {
        if (!co.noAdvertise) server.connectUrlsChanged();
        server.routesChanged();
    }

    /** A route's peer entered lame duck mode: its client URLs are no longer given to clients. */
    void peerInLameDuckMode(RouteConnection r) {
        RoutePool peer = peers.get(r.remoteId());
        if (peer == null || peer.lameDuck) return;
        peer.lameDuck = true;
        server.log().debug("Route %s is in lame duck mode", r.remoteId());
        connectUrlsChanged();
    }

    /** This server enters lame duck mode: every peer is told once (an INFO with {@code ldm}), as upstream. */
    public void enterLameDuckMode() {
        byte[] line = info(null).inLameDuckMode().line();
        for (RoutePool peer : peers.values()) {
            for (RouteConnection r : peer.all()) r.sendInfo(line);
        }
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
        synchronized (closedTotals) {
            all.remove(r);
            closedTotals[0] += r.inMsgs();
            closedTotals[1] += r.inBytes();
            closedTotals[2] += r.outMsgs();
            closedTotals[3] += r.outBytes();
        }
        String id = r.remoteId();
        boolean wasRegistered = false;
        boolean peerLeft = true;
        synchronized (registration) {
            RoutePool peer = id == null ? null : peers.get(id);
            if (peer != null) {
                wasRegistered = peer.remove(r);
                peerLeft = peer.isEmpty();
                if (peerLeft) peers.remove(id, peer);
            }
        }
        if (!running) return;
        if (!peerLeft) {
            // One connection of a pool (or a pinned one) went while the server stays: whoever
            // dialled it dials it again, for as long as that server is connected.
            if (wasRegistered && r.solicitedUrl() != null && !r.noReconnect()) {
                later(() -> dial(r.solicitedUrl(), false, 0, r.dialledAccount(), id));
            }
            return; // or a duplicate: the peer is still connected
        }
        if (wasRegistered && !co.noAdvertise) server.connectUrlsChanged();
        if (wasRegistered) server.routesChanged();
        if (r.noReconnect()) return; // a seed removed from the config
        URI url = r.solicitedUrl() != null ? r.solicitedUrl() : seedOf(r.remoteInfo());
        if (url == null || toSelf.contains(url)) return;
        boolean explicit = co.routes.stream().anyMatch(seed -> sameHostPort(seed, url));
        if (explicit) later(() -> dial(url, true, 0, null, null));
        else if (wasRegistered) later(() -> dial(url, false, Math.max(0, 1 - co.connectRetries), null, null));
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
            if (running && old.routes.stream().noneMatch(u -> sameHostPort(u, added))) dial(added, true, 0, null, null);
        }
        boolean permissionsChanged = !java.util.Objects.equals(old.permissions, neu.permissions);
        if (permissionsChanged) {
            for (RoutePool peer : peers.values()) {
                for (Account a : server.accounts()) {
                    RouteConnection r = routeFor(peer, a.name());
                    if (r != null) a.replayInterest(permissionDelta(r, oldImports, imports));
                }
            }
        }
        for (RouteConnection r : all) r.clusterReloaded(permissionsChanged);
    }

    /** Interest the new import permissions let through is announced, and what they stop is withdrawn. */
    private InterestListener permissionDelta(RouteConnection r, RoutePermissionFilter before, RoutePermissionFilter now) {
        return (account, subject, queue, count) -> {
            boolean was = before.allows(subject);
            boolean is = now.allows(subject);
            String named = r.pinnedAccount() == null ? account.name() : null;
            if (is && !was) r.sendInterest(interestProto(named, subject, queue, count));
            else if (was && !is) r.sendInterest(interestProto(named, subject, queue, 0));
        };
    }

    // ---- interest ----

    @Override
    public void interestChanged(Account account, String subject, String queue, int count) {
        if (peers.isEmpty() || !imports.allows(subject)) return;
        byte[] named = null;
        byte[] pinned = null;
        for (RoutePool peer : peers.values()) {
            RouteConnection r = routeFor(peer, account.name());
            if (r == null) continue;
            if (r.pinnedAccount() == null) {
                if (named == null) named = interestProto(account.name(), subject, queue, count);
                r.sendInterest(named);
            } else {
                if (pinned == null) pinned = interestProto(null, subject, queue, count);
                r.sendInterest(pinned);
            }
        }
    }

    /** RS+ or RS- ({@code count} 0); {@code account} null for a route pinned to it. */
    private static byte[] interestProto(String account, String subject, String queue, int count) {
        ByteBuf b = Unpooled.buffer((account == null ? 0 : account.length()) + subject.length() + 32);
        try {
            if (count > 0) RouteWriter.writeSubscribe(b, account, subject, queue, queue == null ? 0 : count);
            else RouteWriter.writeUnsubscribe(b, account, subject, queue);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    // ---- what routes ask ----

    /** This server's route INFO line; {@code slot} where the route sits. */
    byte[] infoLine(RoutePool.Slot slot) {
        return info(slot).line();
    }

    /** This server's route INFO; {@code slot} where the route sits, null for none (or without pooling). */
    private RouteInfo info(RoutePool.Slot slot) {
        List<String> urls = co.noAdvertise ? List.of() : server.clientConnectUrls();
        List<String> wsUrls = co.noAdvertise ? List.of() : server.websocketConnectUrls();
        String host = co.advertise != null && !co.advertise.isEmpty()
                ? advertisedHost() : displayHost();
        int port = co.advertise != null && !co.advertise.isEmpty() ? advertisedPort() : port();
        return RouteInfo.of(serverId(), server.serverName(), server.version(), host, port, name,
                dynamicName, urls, authRequired(), tls != null, opts.maxPayload, null, pooling ? slot : null, wsUrls,
                server.leafNodeUrl(), server.gatewayUrl(), server.raftPort());
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
    boolean pooling() { return pooling; }
    ServerLog log() { return server.log(); }
    String serverId() { return server.serverId(); }
    String serverName() { return server.serverName(); }
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
        return peersUrls(RouteInfo::connectUrls);
    }

    /** Registered routes' WebSocket URLs, for this server's WebSocket clients' {@code connect_urls}. */
    public List<String> peersWebsocketUrls() {
        return peersUrls(RouteInfo::wsConnectUrls);
    }

    /** Peers' URLs of one kind, but none of a peer in lame duck mode. */
    private List<String> peersUrls(java.util.function.Function<RouteInfo, List<String>> kind) {
        List<String> out = new ArrayList<>();
        for (RoutePool peer : peers.values()) {
            RouteConnection r = peer.first();
            if (r == null || peer.lameDuck || r.remoteInfo() == null) continue;
            for (String u : kind.apply(r.remoteInfo())) {
                if (!out.contains(u)) out.add(u);
            }
        }
        return out;
    }

    private volatile String gatewayServerHash;

    /** This server's 6-character hash, as gateway reply subjects name a server. */
    String gatewayServerHash() {
        String h = gatewayServerHash;
        if (h == null) gatewayServerHash = h = io.jnatsd.server.core.NameHash.of(serverId(), 6);
        return h;
    }

    /**
     * Passes a reply that came back over a gateway to the server of this cluster that its
     * {@code _GR_} subject names (upstream's routesIDByHash), on that server's route for
     * {@code account}: the requester is there, and its fresh inbox may not have reached this
     * server's interest yet. False when no route leads to a server of that hash.
     */
    public boolean forwardToServerByGatewayHash(String hash, Account account, InboundMessage msg, FlushBatch batch) {
        for (RoutePool peer : peers.values()) {
            if (!peer.gatewayHash.equals(hash)) continue;
            RouteConnection r = routeFor(peer, account.name());
            return r != null && r.forward(account, msg, null, batch);
        }
        return false;
    }

    /** Registered routes' gateway URLs, for this server's gateway INFO. */
    public List<String> peersGatewayUrls() {
        return peersUrls(RouteInfo::gatewayUrls);
    }

    /** Sends {@code line} (an INFO) on one route to each peer: gateway gossip. */
    public void sendToRoutes(byte[] line) {
        for (RoutePool peer : peers.values()) {
            RouteConnection r = peer.first();
            if (r != null) r.sendInfo(line);
        }
    }

    /** A route's INFO about another cluster's gateway. */
    void gatewayInfo(byte[] json) {
        server.gatewayInfo(json);
    }

    /** Registered routes' leaf node URLs, for this server's leaf nodes. */
    public List<String> peersLeafUrls() {
        return peersUrls(RouteInfo::leafNodeUrls);
    }

    /** Route connections, every pooled and pinned one (upstream's count for /varz and /routez). */
    public int routeCount() {
        int n = 0;
        for (RoutePool peer : peers.values()) n += peer.all().size();
        return n;
    }

    /** What every route, open or closed, received and sent. */
    public RouteTotals totals() {
        synchronized (closedTotals) {
            long[] t = closedTotals.clone();
            for (RouteConnection r : all) {
                t[0] += r.inMsgs();
                t[1] += r.inBytes();
                t[2] += r.outMsgs();
                t[3] += r.outBytes();
            }
            return new RouteTotals(t[0], t[1], t[2], t[3]);
        }
    }

    /** The servers this one has routes to. */
    public int peerCount() {
        return peers.size();
    }

    /** The server ids of the peers this server has a route to. */
    public Collection<String> peerIds() {
        return List.copyOf(peers.keySet());
    }

    /** The configured pool size, as /varz shows it (0 when pooling is off). */
    public int poolSize() {
        return pooling ? poolSize : 0;
    }

    /** One row per registered route connection, for /routez and /varz. */
    public List<RouteStats> routes() {
        List<RouteStats> out = new ArrayList<>();
        for (RoutePool peer : peers.values()) {
            for (RouteConnection r : peer.all()) {
                URI url = r.solicitedUrl();
                out.add(RouteStats.of(r, url != null && co.routes.stream().anyMatch(seed -> sameHostPort(seed, url))));
            }
        }
        return out;
    }

    /**
     * How many servers the cluster's {@code routes} name, this one included whether or not they
     * list it (a route URL at this server's own cluster port on a local address is this server):
     * the JetStream meta group waits for that many.
     */
    public static int configuredServers(io.jnatsd.server.config.ClusterOptions co) {
        int others = 0;
        for (URI u : co.routes) {
            String h = u.getHost();
            boolean local = h == null || h.equals("localhost") || h.equals("127.0.0.1") || h.equals("::1") || h.equals("[::1]")
                    || h.equals("0.0.0.0") || h.equals(co.host);
            if (!(local && u.getPort() == co.port)) others++;
        }
        return others + 1;
    }

    /**
     * The peers running clustered JetStream: server name → the {@code host:port} of its Raft
     * transport (the port its route INFO gives, at the host the route reached it on).
     */
    public Map<String, String> jetStreamPeers() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (RoutePool peer : peers.values()) {
            for (RouteConnection r : peer.all()) {
                RouteInfo info = r.remoteInfo();
                var addr = r.remoteSocketAddress();
                if (info == null || info.raftPort() <= 0 || info.serverName() == null || addr == null) continue;
                out.put(info.serverName(), hostPort(addr.getAddress().getHostAddress(), info.raftPort()));
                break;
            }
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
