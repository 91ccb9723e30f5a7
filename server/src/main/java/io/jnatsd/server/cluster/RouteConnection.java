package io.jnatsd.server.cluster;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.route.RouteOpHandler;
import io.jnatsd.protocol.route.RouteParser;
import io.jnatsd.protocol.route.RoutedMessage;
import io.jnatsd.server.conn.ConnectionTimers;
import io.jnatsd.server.conn.PeerConnection;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.QueueNames;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.protocol.wire.FrameParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One route: a connection to another server of the cluster, in upstream's route dialect. Its
 * subscriptions in each account stand for that server's interest (RS+/RS-), so the router
 * sends it one copy of a message however many of them match ({@link #forward}); what it
 * receives (RMSG/HMSG) is routed to local subscribers only. Everything but {@link #forward}
 * and {@link #sendInterest} runs on the connection's event loop.
 */
final class RouteConnection extends PeerConnection implements RouteOpHandler {
    private static final Naming NAMING = new Naming("rid", "route");
    /** {@code _GR_.<cluster hash>.<server hash>.<subject>}: a reply routed back across a gateway. */
    private static final String GATEWAY_REPLY_PREFIX = "_GR_.";
    private static final int GATEWAY_REPLY_SUBJECT_OFFSET = 19;

    private final Cluster cluster;
    /** The seed or gossiped URL this server dialled; null for a route the peer dialled. */
    private final URI solicitedUrl;
    /** The pinned account this server dialled the route for; null for a pooled route or one the peer dialled. */
    private final String dialledAccount;
    /** Set when registered: the pinned account whose route this is (lines name no account), or null. */
    private volatile String pinnedAccount;
    /** Set when registered: the index in the peer's pool; -1 for a pinned route or before. */
    private volatile int poolIdx = -1;
    /** A pooled route this server dialled announces its pool index only once its peer's INFO is in. */
    private boolean infoDelayed;
    /** Dial more of the pool once the first PONG proves the peer accepts this route. */
    private boolean growPoolOnPong;
    private final RouteParser parser;

    private boolean connectReceived;
    /** What the peer's CONNECT presented (a route it dialled), for a reload to check again; null until then. */
    private volatile RouteConnect connectInfo;
    /** Taken out of the configuration (or its credentials no longer hold): not dialled again when it closes. */
    private volatile boolean noReconnect;
    private volatile RouteInfo remoteInfo;
    private volatile boolean registered;
    private volatile boolean peerHeaders = true;
    private Account lastAccount;
    /** The leaf cluster of the LMSG being routed (on this loop, during its publish), else null. */
    private String inboundOrigin;
    /** The last origin cluster written as LMSG and its bytes (publishers of many threads; a stale pair is still a pair). */
    private volatile OriginBytes lastOrigin;

    private record OriginBytes(String name, byte[] bytes) {}

    RouteConnection(Cluster cluster, Channel channel, URI solicitedUrl, String dialledAccount) {
        super(channel, cluster.log(), NAMING, cluster.nextRouteId(), new Limits(cluster.maxPending(), cluster.writeDeadline(),
                new ConnectionTimers.Pinging(cluster.pingInterval(), cluster.pingMax(), ConnectionTimers.ROUTE_FIRST_PING_NANOS, false),
                cluster.authTimeout()));
        this.cluster = cluster;
        this.solicitedUrl = solicitedUrl;
        this.dialledAccount = dialledAccount;
        this.parser = new RouteParser(this, cluster.maxPayload());
        if (dialledAccount != null) parser.pinAccount(dialledAccount);
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        if (solicitedUrl != null) out.appendControl(cluster.connectLine(solicitedUrl), batch);
        else if (cluster.authRequired()) timers.startAuthTimer();
        // As upstream: a pooled route this server dials waits for the peer's INFO to say where
        // in the pool it goes; every other route introduces itself at once.
        infoDelayed = solicitedUrl != null && dialledAccount == null && cluster.pooling();
        if (!infoDelayed) out.appendControl(cluster.infoLine(new RoutePool.Slot(cluster.poolSize(), 0, dialledAccount)), batch);
        batch.flushAll();
        timers.startPingTimer();
        cluster.log().notice("%s - %s - Route connection created", remoteAddress(), tag());
    }

    @Override
    public FrameParser parser() {
        return parser;
    }

    @Override
    protected void released() {
        for (Subscription sub : remoteSubs.values()) accountOf(sub).unsubscribe(sub);
        remoteSubs.clear();
        cluster.log().notice("%s - %s - Router connection closed: %s", remoteAddress(), tag(), closedReason);
        cluster.routeClosed(this);
    }

    /**
     * Another route to the same server is kept instead of this one: from now on nothing more
     * is forwarded here (its subscriptions go when it has closed), so no message crosses twice.
     */
    void retire() {
        registered = false;
        close("Duplicate Route");
    }

    /** Its seed was removed from the configuration: closed, and not dialled again (upstream's RouteRemoved). */
    void removedFromConfig() {
        noReconnect = true;
        close("Route Removed");
    }

    boolean noReconnect() {
        return noReconnect;
    }

    /**
     * The cluster block was reloaded, on this route's loop: a route the peer dialled is closed
     * when its credentials no longer hold (upstream does not check routes it dialled itself), and
     * the peer's interest in subjects this server may no longer export to it is dropped.
     */
    void clusterReloaded(boolean permissionsChanged) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> clusterReloaded(permissionsChanged));
            return;
        }
        if (closed) return;
        RouteConnect c = connectInfo;
        if (solicitedUrl == null && c != null && !cluster.credentialsOk(c)) {
            noReconnect = true;
            closeWithError("Authorization Violation", "Authentication Failure");
            return;
        }
        if (!permissionsChanged) return;
        for (var e : List.copyOf(remoteSubs.entrySet())) {
            Subscription sub = e.getValue();
            if (cluster.canExport(sub.subject())) continue;
            remoteSubs.remove(e.getKey());
            accountOf(sub).unsubscribe(sub);
        }
        out.appendControl(cluster.infoLine(null), batch); // upstream's INFO update: the peer sees the new permissions
        batch.flushAll();
    }

    @Override
    public void authTimeout() {
        if (connectReceived || closed) return;
        closeWithError("Authentication Timeout", "Authentication Timeout");
    }

    // ---- the route dialect ----

    @Override
    public void onConnect(ByteBuf json) {
        RouteConnect c;
        try {
            c = RouteConnect.parse(ByteBufUtil.getBytes(json));
        } catch (IOException e) {
            cluster.log().error("%s - %s - invalid route CONNECT: %s", remoteAddress(), tag(), e.getMessage());
            close("Protocol Violation");
            return;
        }
        if (!cluster.credentialsOk(c)) {
            closeWithError("Authorization Violation", "Authentication Failure");
            return;
        }
        if (c.lang() != null && !c.lang().isEmpty()) {
            closeWithError("attempted to connect to route port", "Wrong Port");
            return;
        }
        if (c.gateway() != null && !c.gateway().isEmpty()) {
            closeWithError("Rejecting connection from gateway \"" + c.gateway() + "\" on the Route port", "Wrong Gateway");
            return;
        }
        if (!cluster.acceptsName(c.cluster(), c.dynamic())) {
            closeWithError("Rejecting connection, cluster name \"" + c.cluster() + "\" does not match \""
                    + cluster.name() + "\"", "Cluster Name Conflict");
            return;
        }
        timers.cancelAuthTimer();
        connectReceived = true;
        connectInfo = c;
        peerHeaders = c.headers();
    }

    @Override
    public void onInfo(ByteBuf json) {
        if (solicitedUrl == null && !connectReceived && cluster.authRequired()) {
            closeWithError("Authorization Violation", "Authentication Failure");
            return;
        }
        RouteInfo info;
        try {
            info = RouteInfo.parse(ByteBufUtil.getBytes(json));
        } catch (IOException e) {
            cluster.log().error("%s - %s - invalid route INFO: %s", remoteAddress(), tag(), e.getMessage());
            close("Parse Error");
            return;
        }
        if (cluster.serverId().equals(info.serverId())) {
            cluster.routeToSelf(this);
            close("Duplicate Route");
            return;
        }
        if (info.cluster() != null && !cluster.acceptsName(info.cluster(), info.dynamicCluster())) {
            cluster.log().error("%s - %s - cluster name \"%s\" does not match \"%s\"", remoteAddress(), tag(),
                    info.cluster(), cluster.name());
            close("Cluster Name Conflict");
            return;
        }
        RouteInfo known = remoteInfo;
        if (known != null && info.aboutGateway()) {
            cluster.gatewayInfo(ByteBufUtil.getBytes(json));
            return;
        }
        if (known != null) {
            if (!known.serverId().equals(info.serverId())) cluster.implicitRoute(info);
            else if (info.lameDuck()) {
                cluster.peerInLameDuckMode(this);
            } else {
                remoteInfo = info;
                cluster.connectUrlsChanged();
            }
            return;
        }
        String name = info.serverName();
        if (solicitedUrl == null && name != null && !name.isEmpty() && name.equals(cluster.serverName())) {
            // As upstream: names must be unique (JetStream clustering relies on them).
            cluster.log().error("%s - %s - Remote server has a duplicate name: \"%s\"", remoteAddress(), tag(), name);
            close("Duplicate Server Name");
            return;
        }
        remoteInfo = info;
        peerHeaders = info.headers();
        if (!cluster.addRoute(this)) {
            cluster.log().debug("%s - %s - Detected duplicate remote route \"%s\"", remoteAddress(), tag(), info.serverId());
            close("Duplicate Route");
            return;
        }
        registered = true;
        cluster.log().debug("%s - %s - Registering remote route \"%s\"", remoteAddress(), tag(), info.serverId());
    }

    @Override
    public void onPong() {
        super.onPong();
        if (growPoolOnPong) {
            growPoolOnPong = false;
            cluster.growPool(this);
        }
    }

    /**
     * Registered at {@code slot} (on this loop, under the cluster's registration lock, before
     * any other thread can send on it): a pinned route's lines name no account from now on, and
     * a pooled route this server dialled now sends its INFO with its pool index.
     */
    void registeredAt(RoutePool.Slot slot) {
        pinnedAccount = slot.account();
        poolIdx = slot.account() == null ? slot.poolIdx() : -1;
        if (pinnedAccount != null && dialledAccount == null) parser.pinAccount(pinnedAccount);
        if (infoDelayed) {
            infoDelayed = false;
            out.appendControl(cluster.infoLine(slot), batch);
        }
    }

    /** Pings the peer now; its PONG dials the next route of the pool ({@link Cluster#growPool}). */
    void growPoolAfterPong() {
        growPoolOnPong = true;
        queuePing();
    }

    /** Closes with upstream's -ERR for a route that breaks the pooling rules. */
    void refuse(String text) {
        closeWithError(text, "Protocol Violation");
    }

    @Override
    public void onOk() {
    }

    @Override
    public void onErr(String text) {
        cluster.log().error("%s - %s - Router Error '%s'", remoteAddress(), tag(), text);
        close("Router Error");
    }

    @Override
    public void onRemoteSubscribe(String accountName, String subject, String queue, int weight, String origin) {
        if (!registered) return;
        Account account = cluster.account(accountName);
        if (account == null) {
            cluster.log().debug("%s - %s - Unknown account \"%s\" for remote subject \"%s\"", remoteAddress(), tag(),
                    accountName, subject);
            return;
        }
        if (!cluster.canExport(subject)) return;
        remoteSubscribe(account, key(accountName, subject, queue), subject, queue, weight);
    }

    @Override
    public void onRemoteUnsubscribe(String accountName, String subject, String queue, boolean leafOrigin) {
        Subscription sub = remoteSubs.remove(key(accountName, subject, queue));
        if (sub != null) accountOf(sub).unsubscribe(sub);
    }

    /**
     * A reply that came back to this cluster over a gateway and that the receiving server (an
     * upstream one) passed on to this server, whose hash it names (upstream's routesIDByHash):
     * delivered here on its real subject. Any other such subject is left as it is.
     */
    private InboundMessage gatewayReply(InboundMessage msg) {
        String subject = msg.subject();
        if (subject.length() <= GATEWAY_REPLY_SUBJECT_OFFSET
                || !subject.regionMatches(GATEWAY_REPLY_SUBJECT_OFFSET - 7, cluster.gatewayServerHash(), 0, 6)) {
            return msg;
        }
        return msg.rewritten(subject.substring(GATEWAY_REPLY_SUBJECT_OFFSET), msg.hasReply() ? msg.reply() : null);
    }

    private static String key(String account, String subject, String queue) {
        return queue == null ? account + " " + subject : account + " " + subject + " " + queue;
    }

    private Account accountOf(Subscription sub) {
        String key = sub.sid();
        return cluster.account(key.substring(0, key.indexOf(' ')));
    }

    @Override
    public void onRoutedMessage(RoutedMessage routed) {
        InboundMessage msg = routed.message();
        msg = jetStreamDelivery(msg);
        if (msg.subject().startsWith(GATEWAY_REPLY_PREFIX)) msg = gatewayReply(msg);
        countInbound(msg.totalLength());
        Account account = lastAccount;
        if (account == null || !account.name().equals(routed.account())) {
            account = cluster.account(routed.account());
            if (account == null) {
                cluster.log().debug("%s - %s - Unknown account \"%s\" for routed message on subject: \"%s\"",
                        remoteAddress(), tag(), routed.account(), msg.subject());
                return;
            }
            lastAccount = account;
        }
        QueueNames queues = queuesOf(routed);
        inboundOrigin = routed.origin();
        try {
            account.publishRouted(msg, this, queues, batch);
        } finally {
            inboundOrigin = null;
        }
    }

    @Override
    public String originCluster() {
        return inboundOrigin;
    }


    // ---- publishers' side: any thread ----

    @Override
    public boolean forward(Account account, InboundMessage msg, QueueNames queues, FlushBatch publisherBatch) {
        if (!registered) return false;
        byte[] origin = null;
        String cluster = publisherBatch.originCluster();
        if (cluster != null && peerHeaders && remoteInfo.leafOrigin()) origin = originBytes(cluster);
        return out.appendRouted(origin, pinnedAccount != null ? null : account.nameBytes(), msg,
                queues == null ? null : queues.bytes(),
                queues == null ? 0 : queues.count(), peerHeaders, publisherBatch);
    }

    private byte[] originBytes(String cluster) {
        OriginBytes o = lastOrigin;
        if (o == null || !o.name().equals(cluster)) lastOrigin = o = new OriginBytes(cluster, cluster.getBytes(StandardCharsets.UTF_8));
        return o.bytes();
    }


    @Override
    public ConnectionKind kind() {
        return ConnectionKind.ROUTE;
    }

    /** Interest changes (RS+/RS-) from any thread, flushed by this route's loop. */
    void sendInterest(byte[] proto) {
        out.appendControlAndFlush(proto);
    }

    /** An INFO to pass on (gossip, client URL changes); from any thread. */
    void sendInfo(byte[] line) {
        out.appendControlAndFlush(line);
    }

    // ---- facts ----

    long rid() { return id; }
    URI solicitedUrl() { return solicitedUrl; }
    String dialledAccount() { return dialledAccount; }
    String pinnedAccount() { return pinnedAccount; }
    int poolIdx() { return poolIdx; }
    RouteInfo remoteInfo() { return remoteInfo; }
    String remoteId() { RouteInfo i = remoteInfo; return i == null ? null : i.serverId(); }
    boolean registered() { return registered; }
    java.util.Collection<Subscription> remoteSubscriptions() { return List.copyOf(remoteSubs.values()); }
}
