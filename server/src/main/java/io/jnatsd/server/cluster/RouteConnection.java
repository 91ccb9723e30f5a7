package io.jnatsd.server.cluster;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.jnatsd.protocol.route.RouteOpHandler;
import io.jnatsd.protocol.route.RouteParser;
import io.jnatsd.protocol.route.RoutedMessage;
import io.jnatsd.server.conn.Connection;
import io.jnatsd.server.conn.ConnectionTimers;
import io.jnatsd.server.conn.Outbound;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.QueueNames;
import io.jnatsd.server.core.RemoteSubscriber;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.protocol.wire.FrameParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One route: a connection to another server of the cluster, in upstream's route dialect. Its
 * subscriptions in each account stand for that server's interest (RS+/RS-), so the router
 * sends it one copy of a message however many of them match ({@link #forward}); what it
 * receives (RMSG/HMSG) is routed to local subscribers only. Everything but {@link #forward}
 * and {@link #sendInterest} runs on the connection's event loop.
 */
final class RouteConnection implements Connection, RemoteSubscriber, RouteOpHandler {
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JS_ACK_PREFIX = "$JS.ACK.".getBytes(StandardCharsets.US_ASCII);

    private final Cluster cluster;
    private final Channel channel;
    private final EventLoop loop;
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
    private final long rid;
    private final long startNanos = System.nanoTime();
    private final java.time.Instant startTime = java.time.Instant.now();
    private final RouteParser parser;
    private final Outbound out;
    private final FlushBatch batch = new FlushBatch(this);
    private final ConnectionTimers timers;
    private final QueueNames inboundQueues = new QueueNames();
    /** The peer's interest, by upstream's key: {@code account subject[ queue]}. Changed on this loop only. */
    private final Map<String, Subscription> remoteSubs = new ConcurrentHashMap<>();

    private volatile boolean closed;
    private volatile String closedReason;
    private boolean connectReceived;
    /** What the peer's CONNECT presented (a route it dialled), for a reload to check again; null until then. */
    private volatile RouteConnect connectInfo;
    /** Taken out of the configuration (or its credentials no longer hold): not dialled again when it closes. */
    private volatile boolean noReconnect;
    private volatile RouteInfo remoteInfo;
    private volatile boolean registered;
    private volatile boolean peerHeaders = true;
    private volatile long lastInboundNanos = startNanos;
    private Account lastAccount;
    /** The leaf cluster of the LMSG being routed (on this loop, during its publish), else null. */
    private String inboundOrigin;
    /** The last origin cluster written as LMSG and its bytes (publishers of many threads; a stale pair is still a pair). */
    private volatile OriginBytes lastOrigin;

    private record OriginBytes(String name, byte[] bytes) {}
    // Written on this loop once per read; volatile for monitoring (a volatile write per message
    // would cost a fence each).
    private volatile long inMsgs;
    private volatile long inBytes;
    private long batchInMsgs;
    private long batchInBytes;

    RouteConnection(Cluster cluster, Channel channel, URI solicitedUrl, String dialledAccount) {
        this.cluster = cluster;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.solicitedUrl = solicitedUrl;
        this.dialledAccount = dialledAccount;
        this.rid = cluster.nextRouteId();
        this.parser = new RouteParser(this, cluster.maxPayload());
        if (dialledAccount != null) parser.pinAccount(dialledAccount);
        this.out = new Outbound(channel, cluster.maxPending(), this::slowConsumer);
        this.timers = new ConnectionTimers(this, loop,
                new ConnectionTimers.Pinging(cluster.pingInterval(), cluster.pingMax(), ConnectionTimers.ROUTE_FIRST_PING_NANOS, false),
                cluster.writeDeadline(), cluster.authTimeout());
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
        cluster.log().notice("%s - rid:%d - Route connection created", remoteAddress(), rid);
    }

    @Override
    public void read(ByteBuf in) {
        lastInboundNanos = System.nanoTime();
        parser.parse(in);
    }




    @Override
    public void readComplete() {
        if (batchInMsgs > 0) {
            inMsgs += batchInMsgs;
            inBytes += batchInBytes;
            batchInMsgs = 0;
            batchInBytes = 0;
        }
        batch.flushAll();
        batch.takeStall(); // a route is never stalled: upstream does not slow routes down
    }

    @Override
    public void onResumeReading(Runnable resume) {
        // A route never pauses its parser.
    }

    @Override
    public FrameParser parser() {
        return parser;
    }

    @Override
    public ConnectionTimers timers() {
        return timers;
    }

    @Override
    public void tlsHandshakeCompleted(Throwable failure) {
        if (failure != null) {
            cluster.log().error("%s - rid:%d - TLS route handshake error: %s", remoteAddress(), rid, failure.getMessage());
            close("TLS Handshake Failure");
        }
    }

    @Override
    public void channelClosed() {
        closed = true;
        if (closedReason == null) closedReason = "Client Closed";
        timers.cancel();
        out.close();
        for (Subscription sub : remoteSubs.values()) accountOf(sub).unsubscribe(sub);
        remoteSubs.clear();
        cluster.log().notice("%s - rid:%d - Router connection closed: %s", remoteAddress(), rid, closedReason);
        cluster.routeClosed(this);
    }

    @Override
    public void socketFailed(IOException e) {
        if (closedReason == null) closedReason = "Read Error";
    }

    @Override
    public void logUnexpected(Throwable cause) {
        cluster.log().error("%s - rid:%d - %s", remoteAddress(), rid, cause);
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

    /** Flushes what is pending, then closes; from any thread. */
    void close(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason));
            return;
        }
        if (closed) return;
        closed = true;
        if (closedReason == null) closedReason = reason;
        parser.stop();
        batch.flushAll();
        out.flush();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void closeWithError(String text, String reason) {
        cluster.log().error("%s - rid:%d - %s", remoteAddress(), rid, text);
        out.appendControl(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8), batch);
        close(reason);
    }

    // ---- timers ----

    @Override public boolean isClosed() { return closed; }
    @Override public long lastInboundNanos() { return lastInboundNanos; }
    @Override public long startNanos() { return startNanos; }

    @Override
    public void sendPing() {
        out.appendControl(PING, batch);
        batch.flushAll();
    }

    @Override
    public void staleConnection() {
        cluster.log().debug("%s - rid:%d - Stale Client Connection - Closing", remoteAddress(), rid);
        closeWithError("Stale Connection", "Stale Connection");
    }

    @Override
    public void slowConsumerWriteDeadline() {
        cluster.log().notice("%s - rid:%d - Slow Consumer Detected: WriteDeadline of %s exceeded with %d chunks of %d total bytes.",
                remoteAddress(), rid, io.jnatsd.conf.GoDuration.format(cluster.writeDeadline()), out.pendingChunks(), out.pendingBytes());
        closedReason = "Slow Consumer (Write Deadline)";
        closed = true;
        out.close();
        channel.close();
    }

    private void slowConsumer() {
        cluster.log().notice("%s - rid:%d - Slow Consumer Detected: MaxPending of %d Exceeded", remoteAddress(), rid,
                cluster.maxPending());
        closedReason = "Slow Consumer (Pending Bytes)";
        close(closedReason);
    }

    @Override
    public void authTimeout() {
        if (connectReceived || closed) return;
        closeWithError("Authentication Timeout", "Authentication Timeout");
    }

    @Override
    public void authenticationExpired() {
        // Routes authenticate with the cluster's user, which does not expire.
    }

    // ---- the route dialect ----

    @Override
    public void onConnect(ByteBuf json) {
        RouteConnect c;
        try {
            c = RouteConnect.parse(ByteBufUtil.getBytes(json));
        } catch (IOException e) {
            cluster.log().error("%s - rid:%d - invalid route CONNECT: %s", remoteAddress(), rid, e.getMessage());
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
            cluster.log().error("%s - rid:%d - invalid route INFO: %s", remoteAddress(), rid, e.getMessage());
            close("Parse Error");
            return;
        }
        if (cluster.serverId().equals(info.serverId())) {
            cluster.routeToSelf(this);
            close("Duplicate Route");
            return;
        }
        if (info.cluster() != null && !cluster.acceptsName(info.cluster(), info.dynamicCluster())) {
            cluster.log().error("%s - rid:%d - cluster name \"%s\" does not match \"%s\"", remoteAddress(), rid,
                    info.cluster(), cluster.name());
            close("Cluster Name Conflict");
            return;
        }
        RouteInfo known = remoteInfo;
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
        remoteInfo = info;
        peerHeaders = info.headers();
        if (!cluster.addRoute(this)) {
            cluster.log().debug("%s - rid:%d - Detected duplicate remote route \"%s\"", remoteAddress(), rid, info.serverId());
            close("Duplicate Route");
            return;
        }
        registered = true;
        cluster.log().debug("%s - rid:%d - Registering remote route \"%s\"", remoteAddress(), rid, info.serverId());
    }

    @Override
    public void onPing() {
        out.appendControl(PONG, batch);
    }

    @Override
    public void onPong() {
        timers.pongReceived();
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
        out.appendControl(PING, batch);
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
        cluster.log().error("%s - rid:%d - Router Error '%s'", remoteAddress(), rid, text);
        close("Router Error");
    }

    @Override
    public void onRemoteSubscribe(String accountName, String subject, String queue, int weight, String origin) {
        if (!registered) return;
        Account account = cluster.account(accountName);
        if (account == null) {
            cluster.log().debug("%s - rid:%d - Unknown account \"%s\" for remote subject \"%s\"", remoteAddress(), rid,
                    accountName, subject);
            return;
        }
        if (!cluster.canExport(subject)) return;
        String key = key(accountName, subject, queue);
        Subscription existing = remoteSubs.get(key);
        if (existing != null) {
            if (queue != null) account.reweigh(existing, Math.max(1, weight));
            return;
        }
        Subscription sub;
        try {
            sub = new Subscription(this, subject, queue, key);
            if (queue != null) sub.setWeight(Math.max(1, weight));
            account.subscribe(sub);
        } catch (IllegalArgumentException invalid) {
            cluster.log().error("%s - rid:%d - Could not insert subscription: %s", remoteAddress(), rid, invalid.getMessage());
            return;
        }
        remoteSubs.put(key, sub);
    }

    @Override
    public void onRemoteUnsubscribe(String accountName, String subject, String queue, boolean leafOrigin) {
        Subscription sub = remoteSubs.remove(key(accountName, subject, queue));
        if (sub != null) accountOf(sub).unsubscribe(sub);
    }

    /**
     * A JetStream delivery carries the subject its client is shown after an {@code @} in the
     * ack reply (upstream's remapped reply): routed on the deliver subject, shown under that one.
     */
    private static InboundMessage jetStreamDelivery(InboundMessage msg) {
        String reply = msg.reply();
        int at = reply.lastIndexOf('@');
        if (at < 0 || at == reply.length() - 1) return msg;
        return msg.shownAs(reply.substring(at + 1), reply.substring(0, at));
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
        if (msg.hasReply() && msg.replyStartsWith(JS_ACK_PREFIX)) msg = jetStreamDelivery(msg);
        inMsgs++;
        inBytes += msg.totalLength();
        Account account = lastAccount;
        if (account == null || !account.name().equals(routed.account())) {
            account = cluster.account(routed.account());
            if (account == null) {
                cluster.log().debug("%s - rid:%d - Unknown account \"%s\" for routed message on subject: \"%s\"",
                        remoteAddress(), rid, routed.account(), msg.subject());
                return;
            }
            lastAccount = account;
        }
        QueueNames queues = null;
        int n = routed.queueCount();
        if (n > 0) {
            queues = inboundQueues;
            queues.clear();
            for (int i = 0; i < n; i++) queues.add(routed.queue(i), null);
        }
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

    @Override
    public void onViolation(ProtocolViolation violation) {
        String text = violation.errText();
        cluster.log().error("%s - rid:%d - Route parser error: %s", remoteAddress(), rid, violation);
        if (text != null) out.appendControl(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8), batch);
        close("Protocol Violation");
    }

    // ---- publishers' side: any thread ----

    @Override
    public boolean forward(Account account, InboundMessage msg, QueueNames queues, FlushBatch publisherBatch) {
        if (!registered) return false;
        byte[] origin = null;
        Subscriber from = publisherBatch.origin();
        String cluster = from == null ? null : from.originCluster();
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
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
        return false; // the router calls forward() for remote subscribers
    }

    @Override
    public boolean echo() {
        return false;
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

    long rid() { return rid; }
    URI solicitedUrl() { return solicitedUrl; }
    String dialledAccount() { return dialledAccount; }
    String pinnedAccount() { return pinnedAccount; }
    int poolIdx() { return poolIdx; }
    RouteInfo remoteInfo() { return remoteInfo; }
    String remoteId() { RouteInfo i = remoteInfo; return i == null ? null : i.serverId(); }
    boolean registered() { return registered; }
    long inMsgs() { return inMsgs; }
    long inBytes() { return inBytes; }
    long outMsgs() { return out.msgs(); }
    long outBytes() { return out.bytes(); }
    long pendingBytes() { return out.pendingBytes(); }
    int subscriptionCount() { return remoteSubs.size(); }
    java.time.Instant startTime() { return startTime; }
    long rttNanos() { return timers.rttNanos(); }
    java.util.Collection<Subscription> remoteSubscriptions() { return List.copyOf(remoteSubs.values()); }

    InetSocketAddress remoteSocketAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    String remoteAddress() {
        InetSocketAddress a = remoteSocketAddress();
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
