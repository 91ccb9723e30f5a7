package io.jnatsd.server.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.route.RouteOpHandler;
import io.jnatsd.protocol.route.RouteParser;
import io.jnatsd.protocol.route.RoutedMessage;
import io.jnatsd.protocol.wire.FrameParser;
import io.jnatsd.server.auth.Passwords;
import io.jnatsd.server.conn.ConnectionTimers;
import io.jnatsd.server.conn.PeerConnection;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.QueueNames;
import io.jnatsd.server.core.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One gateway connection, in upstream's gateway dialect, in one direction. Outbound (this
 * server dialled another cluster): it sends CONNECT and its INFO once the peer's INFO is in,
 * forwards what is published on this server ({@link #forward}) and hears the peer's interest
 * (RS+/RS-, A+/A-, the interest-only commands). Inbound (another cluster's server dialled
 * here): it checks CONNECT, tells the peer this cluster's interest ({@link GatewayInterest})
 * and publishes the peer's messages here. Everything but {@link #forward} and
 * {@link #sendLine} runs on the connection's event loop.
 */
final class GatewayConnection extends PeerConnection implements RouteOpHandler {
    private static final Naming NAMING = new Naming("gid", "gateway");
    /** Upstream's gatewayMaxPingInterval: gateways are pinged at least this often. */
    private static final Duration MAX_PING_INTERVAL = Duration.ofSeconds(15);
    static final String REPLY_PREFIX = "_GR_.";
    /** {@code _GR_.} plus the cluster hash and the server hash, each 6 characters and a dot. */
    static final int REPLY_SUBJECT_OFFSET = REPLY_PREFIX.length() + 14;
    private static final byte[] REPLY_PREFIX_BYTES = REPLY_PREFIX.getBytes(StandardCharsets.US_ASCII);

    private final Gateways gateways;
    /** The remote this server dialled; null for an inbound connection. */
    private final GatewayRemote remote;
    private final URI url;
    private final RouteParser parser;
    private final OutboundInterest outInterest = new OutboundInterest();
    private final InboundModes modes = new InboundModes();
    /** Subscriptions this connection holds for itself: the optimistic catch-all and the reply route. */
    private final Map<Account, List<Subscription>> ownSubs = new ConcurrentHashMap<>();

    private volatile String remoteGateway;
    private volatile String remoteServerId;
    private volatile String remoteServerName;
    private volatile boolean registered;
    private volatile boolean peerHeaders;
    private boolean connected;
    private boolean infoReceived;
    private Account lastAccount;

    GatewayConnection(Gateways gateways, Channel channel, GatewayRemote remote, URI url) {
        super(channel, gateways.log(), NAMING, gateways.nextCid(), limits(gateways));
        this.gateways = gateways;
        this.remote = remote;
        this.url = url;
        this.parser = RouteParser.forGateway(this, gateways.options().maxPayload);
        if (remote != null) remoteGateway = remote.name;
    }

    private static Limits limits(Gateways gateways) {
        var o = gateways.options();
        Duration interval = o.pingInterval.compareTo(MAX_PING_INTERVAL) > 0 ? MAX_PING_INTERVAL : o.pingInterval;
        return new Limits(o.maxPending, o.writeDeadline,
                new ConnectionTimers.Pinging(interval, o.pingMax, ConnectionTimers.ROUTE_FIRST_PING_NANOS, false),
                gateways.gatewayOptions().authTimeout);
    }

    // ---- life cycle ----

    @Override
    public void start() {
        if (remote != null) {
            log.notice("%s - %s - Creating outbound gateway connection to \"%s\"", remoteAddress(), tag(), remote.name);
            return; // CONNECT and INFO wait for the peer's INFO
        }
        log.notice("%s - %s - Processing inbound gateway connection", remoteAddress(), tag());
        out.appendControl(gateways.infoLine(), batch);
        batch.flushAll();
        timers.startAuthTimer();
    }

    @Override
    public void read(ByteBuf in) {
        if (remote == null && !connected && in.isReadable() && (in.getByte(in.readerIndex()) | 0x20) != 'c') {
            // As upstream: an inbound gateway must start with CONNECT.
            parser.stop();
            authenticationFailed();
            return;
        }
        super.read(in);
    }

    @Override
    public FrameParser parser() {
        return parser;
    }

    @Override
    protected void released() {
        registered = false;
        for (Subscription sub : remoteSubs.values()) accountOf(sub).unsubscribe(sub);
        remoteSubs.clear();
        ownSubs.forEach((a, subs) -> subs.forEach(a::unsubscribe));
        ownSubs.clear();
        log.notice("%s - %s - Gateway connection closed: %s", remoteAddress(), tag(), closedReason);
        gateways.closed(this);
    }

    @Override
    public void authTimeout() {
        if (connected || closed) return;
        closeWithError("Authentication Timeout", "Authentication Timeout");
    }

    private void authenticationFailed() {
        log.error("%s - %s - authentication error", remoteAddress(), tag());
        sendErr("Authorization Violation");
        close("Authentication Failure");
    }

    // ---- handshake ----

    /** An inbound connection's CONNECT: credentials, a gateway name, a known gateway when unknown ones are refused. */
    @Override
    public void onConnect(ByteBuf json) {
        if (remote != null || connected) {
            closeWithError("Unknown Protocol Operation", "Protocol Violation");
            return;
        }
        ObjectNode c;
        try {
            c = GatewayJson.parse(ByteBufUtil.getBytes(json), "CONNECT");
        } catch (IOException e) {
            log.error("%s - %s - invalid gateway CONNECT: %s", remoteAddress(), tag(), e.getMessage());
            close("Protocol Violation");
            return;
        }
        var go = gateways.gatewayOptions();
        if (go.username != null && !go.username.isEmpty()) {
            if (!go.username.equals(GatewayJson.text(c, "user")) || !Passwords.matches(go.password, GatewayJson.text(c, "pass"))) {
                authenticationFailed();
                return;
            }
        }
        String gateway = GatewayJson.text(c, "gateway");
        if (gateway.isEmpty()) {
            closeWithError("attempted to connect to gateway port", "Wrong Port");
            return;
        }
        if (go.rejectUnknown && !gateways.configured(gateway)) {
            log.error("%s - %s - Rejecting connection from gateway \"%s\"", remoteAddress(), tag(), gateway);
            sendErr("Connection to gateway \"" + gateways.name() + "\" rejected");
            close("Wrong Gateway");
            return;
        }
        timers.cancelAuthTimer();
        connected = true;
        timers.startPingTimer();
    }

    /** Upstream's Gateway.TLSPinnedCerts: the gateway block's, both directions. */
    @Override
    protected java.util.Collection<String> pinnedCertificates() {
        var tls = gateways.gatewayOptions().tls;
        return tls == null ? null : tls.pinnedCerts;
    }

    @Override
    public void onInfo(ByteBuf json) {
        ObjectNode info;
        try {
            info = GatewayJson.parse(ByteBufUtil.getBytes(json), "INFO");
        } catch (IOException e) {
            log.error("%s - %s - invalid gateway INFO: %s", remoteAddress(), tag(), e.getMessage());
            close("Parse Error");
            return;
        }
        boolean first = !infoReceived;
        infoReceived = true;
        if (remote != null) outboundInfo(info, first);
        else if (first) inboundInfo(info);
    }

    /** Upstream's processGatewayInfo for a connection this server dialled. */
    private void outboundInfo(ObjectNode info, boolean first) {
        String gateway = GatewayJson.text(info, "gateway");
        int cmd = info.path("gateway_cmd").asInt(0);
        if (gateway.isEmpty()) {
            closeWithError("Attempt to connect to gateway \"" + remote.name + "\" using wrong port", "Wrong Port");
            return;
        }
        if (!gateway.equals(remote.name)) {
            if (!first && cmd == GatewayJson.CMD_GOSSIP) {
                gateways.implicitGateway(gateway, GatewayJson.strings(info, "gateway_urls"));
                return;
            }
            log.error("%s - %s - Failing connection to gateway \"%s\", remote gateway name is \"%s\"", remoteAddress(), tag(),
                    remote.name, gateway);
            sendErr("Connection from \"" + gateways.name() + "\" rejected, wanted to connect to \"" + remote.name
                    + "\", this is \"" + gateway + "\"");
            close("Wrong Gateway");
            return;
        }
        List<String> urls = GatewayJson.strings(info, "gateway_urls");
        if (!urls.isEmpty()) remote.update(urls);
        if (first) {
            if (duplicateServerName(info)) return;
            remoteServerId = GatewayJson.text(info, "server_id");
            remoteServerName = GatewayJson.text(info, "server_name");
            outInterest.peerInterestOnly(info.path("gateway_iom").asBoolean(false));
            peerHeaders = info.path("headers").asBoolean(false);
            out.appendControl(gateways.connectLine(url, remote), batch);
            out.appendControl(gateways.infoLine(), batch);
            batch.flushAll();
            if (!gateways.registerOutbound(this)) {
                close("Wrong Gateway");
                return;
            }
            registered = true;
            remote.connected();
            log.notice("%s - %s - Outbound gateway connection to \"%s\" (%s) registered", remoteAddress(), tag(), remote.name,
                    remoteServerId);
            timers.startPingTimer();
            gateways.subscribeForOutbound(this);
        } else if (cmd == GatewayJson.CMD_ALL_SUBS_START || cmd == GatewayJson.CMD_ALL_SUBS_COMPLETE) {
            interestCommand(info, cmd);
            return;
        } else if (cmd != 0) {
            log.warn("Received unknown command %d from gateway \"%s\"", cmd, remote.name);
            return;
        }
        gateways.forwardToCluster(gateway, urls);
    }

    /**
     * The peer has this server's name, or the name of a server of this cluster: names must be
     * unique (JetStream relies on them), so the connection closes, as upstream.
     */
    private boolean duplicateServerName(ObjectNode info) {
        String name = GatewayJson.text(info, "server_name");
        if (!gateways.services().isDuplicateServerName(name)) return false;
        log.error("%s - %s - Remote server has a duplicate name: \"%s\"", remoteAddress(), tag(), name);
        close("Duplicate Server Name");
        return true;
    }

    /** Upstream's processGatewayInfo for the first INFO of an inbound connection (after CONNECT). */
    private void inboundInfo(ObjectNode info) {
        if (duplicateServerName(info)) return;
        remoteGateway = GatewayJson.text(info, "gateway");
        remoteServerId = GatewayJson.text(info, "server_id");
        remoteServerName = GatewayJson.text(info, "server_name");
        peerHeaders = info.path("headers").asBoolean(false);
        registered = true;
        log.notice("%s - %s - Inbound gateway connection from \"%s\" (%s) registered", remoteAddress(), tag(), remoteGateway,
                remoteServerId);
        gateways.registerInbound(this, GatewayJson.strings(info, "gateway_urls"));
    }

    /** The peer starts (2) or ends (3) sending every subscription of an account: interest-only mode from then on. */
    private void interestCommand(ObjectNode info, int cmd) {
        String account = GatewayJson.commandAccount(info);
        if (account == null) {
            closeWithError("Account absent from receive-all-subscriptions-" + (cmd == 2 ? "start" : "complete") + " command",
                    "Protocol Violation");
            return;
        }
        OutboundInterest.Entry e = outInterest.getOrCreate(account);
        if (cmd == GatewayJson.CMD_ALL_SUBS_START) {
            e.mode = OutboundInterest.Mode.TRANSITIONING;
            return;
        }
        e.noInterest = null;
        e.mode = OutboundInterest.Mode.INTEREST_ONLY;
        Account a = gateways.services().account(account);
        if (a != null) dropCatchAll(a);
        log.debug("%s - %s - Gateway \"%s\": switching account \"%s\" to Interest-Only mode complete", remoteAddress(), tag(),
                remote.name, account);
    }

    // ---- the peer's interest (outbound) ----

    @Override
    public void onRemoteSubscribe(String accountName, String subject, String queue, int weight, String origin) {
        if (remote == null) {
            log.error("%s - %s - Received RS+ from gateway on inbound connection", remoteAddress(), tag());
            close("Protocol Violation");
            return;
        }
        OutboundInterest.Entry e = outInterest.get(accountName);
        if (queue == null && (e == null || e.mode == OutboundInterest.Mode.OPTIMISTIC)) {
            if (e != null) OutboundInterest.clearNoInterest(e, subject);
            return;
        }
        if (e == null) e = outInterest.getOrCreate(accountName);
        Account a = gateways.services().account(accountName);
        if (a == null) return;
        String key = queue == null ? accountName + " " + subject : accountName + " " + subject + " " + queue;
        boolean fresh = !remoteSubs.containsKey(key);
        // upstream keeps a gateway queue member at weight 1 here: the peer's members are not counted
        if (remoteSubscribe(a, key, subject, queue, 1) && fresh && queue != null) e.queueSubs++;
    }

    @Override
    public void onRemoteUnsubscribe(String accountName, String subject, String queue, boolean leafOrigin) {
        if (remote == null) {
            log.error("%s - %s - Received RS- from gateway on inbound connection", remoteAddress(), tag());
            close("Protocol Violation");
            return;
        }
        OutboundInterest.Entry e = outInterest.get(accountName);
        boolean stored = queue != null || (e != null && e.mode != OutboundInterest.Mode.OPTIMISTIC);
        if (stored) {
            Subscription sub = remoteSubs.remove(queue == null ? accountName + " " + subject : accountName + " " + subject + " " + queue);
            if (sub != null) {
                accountOf(sub).unsubscribe(sub);
                if (queue != null && e != null) e.queueSubs--;
            }
            return;
        }
        if (e == null) e = outInterest.getOrCreate(accountName);
        Set<String> ni = e.noInterest;
        if (ni != null) ni.add(subject);
    }

    @Override
    public void onAccountInterest(String accountName, boolean interested) {
        if (remote == null) return;
        if (interested) {
            OutboundInterest.Entry e = outInterest.get(accountName);
            if (e != null && e.accountUnsub && e.queueSubs == 0 && e.mode == OutboundInterest.Mode.OPTIMISTIC) {
                outInterest.remove(accountName);
            } else if (e != null) {
                e.accountUnsub = false;
            }
            return;
        }
        OutboundInterest.Entry e = outInterest.getOrCreate(accountName);
        if (e.queueSubs > 0) e.noInterest = ConcurrentHashMap.newKeySet();
        else e.accountUnsub = true;
    }

    private Account accountOf(Subscription sub) {
        String key = sub.sid();
        return gateways.services().account(key.substring(0, key.indexOf(' ')));
    }

    /** Subscriptions this outbound connection holds to be handed messages: the reply route, and the catch-all while optimistic. */
    void subscribeOwn(Account a, String replySubject, boolean catchAll) {
        if (remote == null || closed) return;
        List<Subscription> subs = new java.util.ArrayList<>(2);
        subs.add(new Subscription(this, replySubject, null, a.name() + " \u0000reply"));
        if (catchAll && !outInterest.storesSubscriptions(a.name())) subs.add(new Subscription(this, ">", null, a.name() + " \u0000all"));
        if (ownSubs.putIfAbsent(a, subs) != null) return;
        subs.forEach(a::subscribe);
    }

    private void dropCatchAll(Account a) {
        List<Subscription> subs = ownSubs.get(a);
        if (subs == null) return;
        for (Subscription s : List.copyOf(subs)) {
            if (s.subject().equals(">")) {
                a.unsubscribe(s);
                subs.remove(s);
            }
        }
    }

    // ---- messages from the peer (inbound) ----

    @Override
    public void onRoutedMessage(RoutedMessage routed) {
        InboundMessage msg = routed.message();
        countInbound(msg.totalLength());
        if (!registered) return;
        String subject = msg.subject();
        boolean routedReply = subject.startsWith(REPLY_PREFIX) && subject.length() > REPLY_SUBJECT_OFFSET;
        if (routedReply && !subject.regionMatches(REPLY_PREFIX.length(), gateways.clusterHash(), 0, 6)) return;
        Account account = lastAccount;
        if (account == null || !account.name().equals(routed.account())) {
            account = gateways.services().account(routed.account());
            if (account == null) {
                log.debug("%s - %s - Unknown account \"%s\" for gateway message on subject: \"%s\"", remoteAddress(), tag(),
                        routed.account(), msg.subject());
                gateways.interest().noInterest(this, routed.account(), msg.subject());
                return;
            }
            lastAccount = account;
        }
        if (routedReply) {
            // A reply mapped by this cluster: for the server named in it, whose requester's inbox
            // may be too fresh for this server to know; here only when this server is the one.
            String serverHash = subject.substring(REPLY_PREFIX.length() + 7, REPLY_PREFIX.length() + 13);
            if (!serverHash.equals(gateways.serverHash())
                    && gateways.services().forwardToClusterServer(serverHash, account, msg, batch)) {
                return;
            }
            msg = msg.rewritten(subject.substring(REPLY_SUBJECT_OFFSET), msg.hasReply() ? msg.reply() : null);
        }
        QueueNames queues = queuesOf(routed);
        int delivered = account.publishRouted(msg, this, queues, batch);
        if (delivered == 0 && !msg.subject().startsWith("_R_.")) {
            gateways.interest().noInterest(this, account.name(), msg.subject());
        }
    }

    @Override
    public void onOk() {
    }

    @Override
    public void onErr(String text) {
        log.error("%s - %s - Gateway Error %s", remoteAddress(), tag(), text);
        close("Parse Error");
    }

    // ---- publishers' side: any thread ----

    /**
     * A message published on this server, for the other cluster: a mapped reply only to the
     * cluster it names; else when the peer may want it (its subscriptions matched, or it has not
     * said it does not), with this cluster's reply mapping for a reply subscribed to lately.
     */
    @Override
    public boolean forward(Account account, InboundMessage msg, QueueNames queues, FlushBatch publisherBatch) {
        if (!registered || remote == null) return false;
        String subject = msg.subject();
        if (subject.startsWith(REPLY_PREFIX)) {
            if (subject.length() <= REPLY_SUBJECT_OFFSET || !subject.regionMatches(REPLY_PREFIX.length(), remote.hash, 0, 6)) {
                return false;
            }
        } else if (queues == null && !outInterest.storesSubscriptions(account.name())
                && !outInterest.optimisticInterest(account.name(), subject)) {
            return false;
        }
        if (msg.hasReply() && !msg.replyStartsWith(REPLY_PREFIX_BYTES) && gateways.mapsReply(account.name(), msg.reply())) {
            msg = msg.rewritten(subject, gateways.replyPrefix() + msg.reply());
        }
        return out.appendRouted(account.nameBytes(), msg, queues == null ? null : queues.bytes(),
                queues == null ? 0 : queues.count(), peerHeaders, publisherBatch);
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.GATEWAY;
    }

    /** Interest lines and INFOs from any thread, flushed by this connection's loop. */
    void sendLine(byte[] line) {
        out.appendControlAndFlush(line);
    }

    // ---- facts ----

    boolean outbound() { return remote != null; }
    boolean registered() { return registered; }
    GatewayRemote remote() { return remote; }
    String remoteGateway() { return remoteGateway; }
    String remoteServerId() { return remoteServerId; }
    String remoteServerName() { return remoteServerName; }
    long cid() { return id; }
    InboundModes modes() { return modes; }
    OutboundInterest outboundInterest() { return outInterest; }
    URI url() { return url; }
    List<String> remoteSubscriptionKeys() { return List.copyOf(remoteSubs.keySet()); }

    /** The subscriptions this connection holds in {@code account}'s index: the peer's and its own. */
    int subscriptionsIn(Account account) {
        int n = 0;
        String prefix = account.name() + " ";
        for (String key : remoteSubs.keySet()) if (key.startsWith(prefix)) n++;
        List<Subscription> own = ownSubs.get(account);
        return own == null ? n : n + own.size();
    }
    /** What this inbound connection told its peer per account, read under the interest lock. */
    Map<String, InboundModes.Entry> inboundModesSnapshot() { return gateways.interest().modesOf(this); }
}
