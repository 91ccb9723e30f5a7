package io.jnatsd.server.leaf;

import io.jnatsd.server.conn.PeerJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.route.RouteOpHandler;
import io.jnatsd.protocol.route.RouteParser;
import io.jnatsd.protocol.route.RoutedMessage;
import io.jnatsd.protocol.wire.FrameParser;
import io.jnatsd.server.conn.ConnectionTimers;
import io.jnatsd.server.conn.PeerConnection;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.QueueNames;
import io.jnatsd.server.core.SubscriptionListener;
import io.jnatsd.server.core.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One leaf node connection, in upstream's leaf dialect, in either role: accepted (this server
 * is the hub, kind {@link ConnectionKind#LEAF}) or solicited from a remote (this server is the
 * leaf, kind {@link ConnectionKind#HUB}). It is bound to one account on each side. Its
 * subscriptions are the other side's interest (LS+/LS-); it hears of every subscription of its
 * account ({@link SubscriptionListener}) and tells the other side what its kind's rules let
 * through ({@link ConnectionKind#interestReaches}), never its own; messages go out as
 * LMSG/HMSG, one copy per message. Everything but {@link #forward} and the interest events
 * runs on the connection's event loop.
 */
final class LeafConnection extends PeerConnection implements RouteOpHandler, SubscriptionListener {
    private static final Naming NAMING = new Naming("lid", "leafnode");
    /** Upstream's wait for a solicited connection's INFO, and then for the hub's answer to CONNECT. */
    private static final Duration INFO_WAIT = Duration.ofSeconds(2);
    /** Upstream's leafNodeWaitBeforeClose: how long a leaf refused for its version is held before the close. */
    private static final Duration MIN_VERSION_WAIT = Duration.ofSeconds(5);

    private final LeafNodes leafs;
    /** The remote this server dialled; null for a leaf node that connected here. */
    private final LeafRemote remote;
    private final RouteParser parser;
    private final LeafInterest interest = new LeafInterest();
    private final String nonce;
    /** Over WebSocket (either role): TLS, if any, is the WebSocket's, never the leaf protocol's. */
    private final boolean websocket;

    /** What may cross, each way. */
    private final LeafFilter filter;
    private volatile ConnectionKind kind;
    private volatile Account account;
    private volatile boolean registered;
    private volatile String remoteServer;
    private volatile String remoteCluster;
    private boolean infoReceived;
    private boolean connectSent;
    private boolean peerHeaders = true;

    LeafConnection(LeafNodes leafs, Channel channel, LeafRemote remote, boolean websocket) {
        super(channel, leafs.log(), NAMING, leafs.nextCid(), limits(leafs, remote));
        this.leafs = leafs;
        this.remote = remote;
        this.websocket = websocket;
        this.parser = RouteParser.forLeaf(this, leafs.options().maxPayload);
        this.nonce = remote == null ? newNonce() : null;
        this.filter = new LeafFilter(remote);
        if (remote != null) {
            this.kind = remote.config.hub ? ConnectionKind.LEAF : ConnectionKind.HUB;
            this.account = leafs.services().account(remote.localAccount());
            filter.bound(isSystemAccount(leafs, remote.localAccount()));
        }
    }

    private static boolean isSystemAccount(LeafNodes leafs, String account) {
        return account.equals(leafs.services().systemAccountName());
    }

    private static Limits limits(LeafNodes leafs, LeafRemote remote) {
        var o = leafs.options();
        return new Limits(o.maxPending, o.writeDeadline,
                new ConnectionTimers.Pinging(o.pingInterval, o.pingMax, ConnectionTimers.ROUTE_FIRST_PING_NANOS, false),
                remote != null ? INFO_WAIT : leafs.leafOptions().authTimeout);
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        if (remote != null) {
            if (account == null) {
                leafs.log().error("Unable to lookup account %s for solicited leafnode connection", remote.localAccount());
                close("Missing Account");
                return;
            }
            leafs.log().notice("%s - %s - Leafnode connection created for account: %s", remoteAddress(), tag(),
                    account.name());
        } else {
            leafs.log().notice("%s - %s - Leafnode connection created", remoteAddress(), tag());
            out.appendControl(leafs.infoLine(id, nonce, null), batch);
            batch.flushAll();
        }
        timers.startAuthTimer();
    }

    @Override
    public void read(ByteBuf in) {
        if (remote == null && kind == null && in.isReadable() && (in.getByte(in.readerIndex()) | 0x20) != 'c') {
            // As upstream: an accepted leaf node must start with CONNECT, whatever else it sends.
            parser.stop();
            closeWithError("Authorization Violation", "Authentication Failure");
            return;
        }
        super.read(in);
    }

    @Override public FrameParser parser() { return parser; }

    /** Upstream's LeafNode.TLSPinnedCerts: the leafnodes block's, whichever side dialled. */
    @Override
    protected java.util.Collection<String> pinnedCertificates() {
        var tls = leafs.leafOptions().tls;
        return tls == null ? null : tls.pinnedCerts;
    }

    @Override
    protected void released() {
        Account a = account;
        if (a != null && registered) a.removeSubscriptionListener(this);
        registered = false;
        if (a != null) for (Subscription sub : remoteSubs.values()) a.unsubscribe(sub);
        remoteSubs.clear();
        leafs.log().notice("%s - %s - Leafnode connection closed: %s - Account: %s", remoteAddress(), tag(), closedReason,
                a == null ? "" : a.name());
        leafs.closed(this);
    }

    /** No CONNECT in time (accepted), or no INFO or no answer to CONNECT in time (solicited). */
    @Override
    public void authTimeout() {
        if (closed || registered) return;
        if (remote == null) closeWithError("Authentication Timeout", "Authentication Timeout");
        else closeWithError("Stale Leaf Node Connection - Closing", "Stale Connection");
    }


    // ---- handshake ----

    /** An accepted leaf node's CONNECT: checked, authenticated, bound to its account, then told the interest. */
    @Override
    public void onConnect(ByteBuf json) {
        if (remote != null || kind != null) {
            closeWithError("Unknown Protocol Operation", "Protocol Violation");
            return;
        }
        byte[] bytes = ByteBufUtil.getBytes(json);
        ObjectNode c;
        ConnectOptions auth;
        try {
            c = PeerJson.parse(bytes, "CONNECT");
            auth = ConnectOptions.parse(json);
        } catch (IOException e) {
            leafs.log().error("%s - %s - invalid leafnode CONNECT: %s", remoteAddress(), tag(), e.getMessage());
            closeWithError("Protocol Violation", "Protocol Violation");
            return;
        }
        if (auth.lang != null && !auth.lang.isEmpty()) {
            closeWithError("attempted to connect to leaf node port", "Wrong Port");
            return;
        }
        String cluster = PeerJson.text(c, "cluster");
        String own = leafs.services().clusterName();
        if (own != null && cluster != null && !cluster.isEmpty() && cluster.equals(own)) {
            closeWithError("remote leafnode has same cluster name", "Cluster Names Identical");
            return;
        }
        String gateway = PeerJson.text(c, "gateway");
        if (gateway != null && !gateway.isEmpty()) {
            closeWithError("Rejecting connection from gateway \"" + gateway + "\" on the leafnode port", "Wrong Gateway");
            return;
        }
        InetSocketAddress a = remoteSocketAddress();
        LeafNodes.Binding binding = leafs.authenticate(auth, nonce, a == null ? null : a.getAddress(),
                io.jnatsd.server.net.ServerTls.peerCertificates(channel));
        String accountName = binding == null ? null : binding.account();
        Account bound = accountName == null ? null : leafs.services().account(accountName);
        if (bound == null) {
            if (accountName != null) {
                leafs.log().error("%s - %s - leafnode account %s not found", remoteAddress(), tag(), accountName);
            }
            closeWithError("Authorization Violation", "Authentication Failure");
            return;
        }
        timers.cancelAuthTimer();
        String min = leafs.leafOptions().minVersion;
        if (min != null && !io.jnatsd.server.config.ServerVersion.parse(min).isMetBy(PeerJson.text(c, "version"))) {
            refuseOlderVersion(min, bound, binding);
            return;
        }
        account = bound;
        filter.bound(isSystemAccount(leafs, bound.name()));
        peerHeaders = c.path("headers").asBoolean(false);
        filter.denySending(PeerJson.strings(c, "deny_pub"));
        remoteServer = PeerJson.text(c, "name");
        remoteCluster = cluster == null || cluster.isEmpty() ? null : cluster;
        keepOwnDomain(PeerJson.text(c, "domain"));
        kind = c.path("is_hub").asBoolean(false) ? ConnectionKind.HUB : ConnectionKind.LEAF;
        filter.permissions(LeafPermissions.hub(binding.permissions()));
        leafs.register(this);
        out.appendControl(leafs.infoLine(id, null, bound.name(), binding.permissions(), websocket), batch);
        becomeRegistered();
    }

    /**
     * {@code min_version}: as upstream, the leaf gets the INFO it waits for (so that it does not
     * give up on its own), then -ERR, and the connection closes 5 s later (or when the leaf
     * drops it first, as one that reads the -ERR does).
     */
    private void refuseOlderVersion(String min, Account bound, LeafNodes.Binding binding) {
        kind = ConnectionKind.LEAF; // answered: nothing else it sends counts
        out.appendControl(leafs.infoLine(id, null, bound.name(), binding.permissions(), websocket), batch);
        sendErr("connection rejected since minimum version required is \"" + min + "\"");
        batch.flushAll();
        leafs.log().error("%s - %s - connection rejected since minimum version required is \"%s\"", remoteAddress(), tag(), min);
        channel.eventLoop().schedule(() -> close("Minimum Version Required"), MIN_VERSION_WAIT.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * The first INFO of a solicited connection: a leaf node port answers with a client id and
     * leaf node URLs (anything else is another kind of port); then CONNECT, and, once the hub
     * answers it with its own INFO, registration. Later INFOs bring the hub cluster's URLs.
     */
    @Override
    public void onInfo(ByteBuf json) {
        ObjectNode info;
        try {
            info = PeerJson.parse(ByteBufUtil.getBytes(json), "INFO");
        } catch (IOException e) {
            leafs.log().error("%s - %s - invalid leafnode INFO: %s", remoteAddress(), tag(), e.getMessage());
            close("Parse Error");
            return;
        }
        if (remote == null) return; // the leaf side does not send INFO; nothing to learn from it
        if (info.has("import") || info.has("export")) filter.permissions(LeafPermissions.fromInfo(info));
        List<String> urls = PeerJson.strings(info, "leafnode_urls");
        if (!infoReceived) {
            infoReceived = true;
            if (info.path("client_id").asLong(0) == 0 || urls == null) {
                leafs.log().error("%s - %s - attempted to connect to wrong port", remoteAddress(), tag());
                close("Wrong Port");
                return;
            }
            peerHeaders = info.path("headers").asBoolean(false);
            String name = PeerJson.text(info, "server_name");
            remoteServer = name == null || name.isEmpty() ? PeerJson.text(info, "server_id") : name;
            remoteCluster = PeerJson.text(info, "cluster");
            keepOwnDomain(PeerJson.text(info, "domain"));
            if (!websocket) remote.learned(urls);
            boolean tls = !websocket && (info.path("tls_required").asBoolean(false) || remote.config.tls != null);
            if (tls && !startTls()) return;
            sendConnect(PeerJson.text(info, "nonce"), tls);
            if (closed) return;
            if (!info.path("info_on_connect").asBoolean(false)) becomeRegistered();
            return;
        }
        if (!websocket) remote.learned(urls);
        if (connectSent && !registered && info.path("connect_info").asBoolean(false)) becomeRegistered();
    }

    /**
     * The hub asked for TLS (or the remote has a {@code tls} block): the client handshake starts
     * now, after the plaintext INFO, and CONNECT waits in the handler until it is done.
     */
    private boolean startTls() {
        try {
            channel.pipeline().addFirst(io.jnatsd.server.net.ServerTls.HANDLER_NAME, remote.newTlsHandler(channel.alloc(), remote.current()));
            return true;
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            leafs.log().error("%s - %s - TLS configuration error: %s", remoteAddress(), tag(), e.getMessage());
            close("TLS Handshake Failure");
            return false;
        }
    }

    /**
     * Requests for this server's own JetStream domain are answered here and never sent to a
     * side of another domain (upstream's guard against a hub and a leaf with one domain name
     * answering both): added to what is not sent when JetStream runs here with a domain that
     * differs from the other side's.
     */
    private void keepOwnDomain(String remoteDomain) {
        String mine = leafs.services().jetStreamDomain();
        if (!leafs.services().jetStream() || mine == null || mine.isEmpty() || mine.equals(remoteDomain)) return;
        filter.keepHome("$JS." + mine + ".API.>");
    }

    private void sendConnect(String hubNonce, boolean tls) {
        byte[] line;
        try {
            line = LeafConnect.line(leafs.services(), remote, hubNonce, true, leafs.services().clusterName(), tls);
        } catch (IOException e) {
            leafs.log().error("%s - %s - %s", remoteAddress(), tag(), e.getMessage());
            close("Protocol Violation");
            return;
        }
        out.appendControl(line, batch);
        connectSent = true;
    }

    /**
     * Both sides, once the account is bound: listens to the account's interest (replayed first)
     * and announces the account's loop detection subject, then starts pinging.
     */
    private void becomeRegistered() {
        if (registered || closed) return;
        timers.cancelAuthTimer();
        registered = true;
        if (remote != null) remote.connected();
        Account a = account;
        a.addSubscriptionListener(this);
        byte[] lds = interestLine(leafs.loopSubject(a.name()), null, 1);
        if (lds != null) out.appendControl(lds, batch);
        batch.flushAll();
        timers.startPingTimer();
        leafs.log().debug("%s - %s - Leafnode registered for account %s (%s)", remoteAddress(), tag(), a.name(),
                kind == ConnectionKind.HUB ? "spoke" : "hub");
    }

    // ---- interest this side has: told to the other side ----

    @Override
    public void subscriptionChanged(Account a, Subscription sub, int delta) {
        if (sub.owner() == this || closed) return;
        if (!sub.kind().interestReaches(kind)) return;
        String subject = sub.subject();
        if (!subject.startsWith("$LDS.") && sub.owner() instanceof LeafConnection other && sameCluster(other)) return;
        if (!filter.announces(subject)) return;
        byte[] line = interestLine(subject, sub.queue(), delta);
        if (line != null) out.appendControlAndFlush(line);
    }

    private byte[] interestLine(String subject, String queue, int delta) {
        return interest.change(subject, queue, delta);
    }

    /** Both connections come from the same leaf cluster: what one brings, the other must not get (no echo cluster-wide). */
    private boolean sameCluster(LeafConnection other) {
        String mine = remoteCluster;
        return mine != null && mine.equals(other.remoteCluster);
    }

    // ---- interest the other side has ----

    @Override
    public void onRemoteSubscribe(String ignoredAccount, String subject, String queue, int weight, String origin) {
        Account a = account;
        if (!registered || a == null) return;
        if (subject.equals(leafs.loopSubject(a.name()))) {
            loopDetected(true);
            return;
        }
        switch (filter.takes(subject)) {
            case IGNORE -> {
                return;
            }
            case VIOLATION -> {
                subscriptionViolation(subject);
                return;
            }
            case TAKE -> {
                // on below
            }
        }
        String key = queue == null ? subject : subject + " " + queue;
        if (!remoteSubscribe(a, key, subject, queue, weight)) sendErr("Invalid Subscription");
    }

    /**
     * The other side announced interest its user may not receive: as upstream, the hub answers
     * -ERR and closes (the leaf knows its permissions and never sends such interest); a leaf
     * just does not take it.
     */
    private void subscriptionViolation(String subject) {
        if (remote != null) return;
        leafs.log().error("%s - %s - Subscription Violation on \"%s\" - Check other side configuration", remoteAddress(), tag(), subject);
        closeWithError("Permissions Violation for Subscription to \"" + subject + "\"", "Protocol Violation");
    }

    @Override
    public void onRemoteUnsubscribe(String ignoredAccount, String subject, String queue, boolean leafOrigin) {
        Subscription sub = remoteSubs.remove(queue == null ? subject : subject + " " + queue);
        if (sub != null) account.unsubscribe(sub);
    }

    /**
     * The other side announced this server's own loop detection subject: the interest went
     * round a loop of leaf connections back here. As upstream: -ERR, close, and a solicited
     * connection waits 30 s before it dials again.
     */
    private void loopDetected(boolean sendErr) {
        Duration delay = LeafNodes.LOOP_DELAY;
        if (remote != null) remote.delayNextConnect(delay.toMillis());
        String text = "Loop detected for leafnode account=\"" + account.name() + "\". Delaying attempt to reconnect for "
                + delay.toSeconds() + "s";
        if (sendErr) closeWithError(text, "Protocol Violation");
        else {
            leafs.log().error("%s - %s - %s", remoteAddress(), tag(), text);
            close("Protocol Violation");
        }
    }

    // ---- messages ----

    @Override
    public void onRoutedMessage(RoutedMessage routed) {
        InboundMessage msg = jetStreamDelivery(routed.message());
        countInbound(msg.totalLength());
        Account a = account;
        if (!registered || a == null) return;
        QueueNames queues = queuesOf(routed);
        a.publishRouted(msg, this, queues, batch);
    }

    @Override
    public void onOk() {
    }

    /** As upstream: logged, then the connection closes; a loop or a cluster name clash delays the next dial. */
    @Override
    public void onErr(String text) {
        leafs.log().error("%s - %s - Leafnode Error '%s'", remoteAddress(), tag(), text);
        if (text.contains("remote leafnode has same cluster name") && remote != null) {
            remote.delayNextConnect(LeafNodes.LOOP_DELAY.toMillis());
        }
        if (text.contains("Loop detected") && account != null) {
            loopDetected(false);
            return;
        }
        close("Parse Error");
    }


    // ---- publishers' side: any thread ----

    @Override
    public boolean forward(Account a, InboundMessage msg, QueueNames queues, FlushBatch publisherBatch) {
        if (!registered) return false;
        String origin = publisherBatch.originCluster();
        if (origin != null && origin.equals(remoteCluster)) return false;
        String subject = msg.subject();
        if (!filter.sends(subject)) return false;
        return out.appendLeaf(msg, queues == null ? null : queues.bytes(), queues == null ? 0 : queues.count(),
                peerHeaders, publisherBatch);
    }


    /** Messages from this connection entered from the leaf's cluster (null when it is not one). */
    @Override
    public String originCluster() {
        return remoteCluster;
    }

    @Override
    public ConnectionKind kind() {
        ConnectionKind k = kind;
        return k == null ? ConnectionKind.LEAF : k;
    }

    /** An INFO for the leaf (the hub cluster's leaf node URLs changed); from any thread. */
    void sendInfo(byte[] line) {
        out.appendControlAndFlush(line);
    }

    // ---- facts ----

    long cid() { return id; }
    LeafRemote remote() { return remote; }
    boolean solicited() { return remote != null; }
    boolean registered() { return registered; }
    Account account() { return account; }
    String remoteServer() { return remoteServer; }
    String remoteCluster() { return remoteCluster; }
    List<String> subjects() { return remoteSubs.values().stream().map(Subscription::subject).toList(); }

    private static String newNonce() {
        byte[] b = new byte[11];
        ThreadLocalRandom.current().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
