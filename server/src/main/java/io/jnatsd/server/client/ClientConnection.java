package io.jnatsd.server.client;

import io.jnatsd.protocol.client.ClientOpHandler;
import io.jnatsd.protocol.client.ClientParser;
import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.auth.Secrets;
import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.wire.GoQuote;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.conn.Connection;
import io.jnatsd.server.conn.ConnectionTimers;
import io.jnatsd.server.conn.Outbound;
import io.jnatsd.server.conn.ProducerStall;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.MsgTrace;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.server.net.ServerTls;
import io.jnatsd.protocol.wire.FrameParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One NATS client connection: the protocol semantics of CONNECT, PUB, SUB, UNSUB and
 * PING/PONG, as upstream's client. Everything here runs on the connection's event loop,
 * except {@link #deliver} and {@link #maxReached}, which publishers call from theirs.
 */
public final class ClientConnection implements ClientOpHandler, Subscriber, Connection {
    /** The longest one stall lasts; a receiver that drains no faster than this is then left to max_pending. */
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ClientServices server;
    /** The options in force: those of the connection's start, replaced when the configuration is reloaded. */
    private volatile ServerOptions opts;
    private final Channel channel;
    private final EventLoop loop;
    private final long cid;
    private final long startNanos = System.nanoTime();
    private final Instant startTime = Instant.now();
    private final ClientParser parser;
    private final Outbound out;
    private final FlushBatch batch = new FlushBatch(this);
    /** Concurrent only so that monitoring can list it from another thread; changed on this loop alone. */
    private final Map<String, Subscription> subs = new ConcurrentHashMap<>();
    private final ConnectionTimers timers;

    private volatile ConnectOptions connect;
    private volatile boolean headers;
    private volatile boolean echo = true;
    private volatile Account account;
    private volatile boolean countedInAccount;
    /** The CONNECT whose credentials were refused, for the authentication error event. */
    private volatile ConnectOptions refused;
    private volatile User user;
    /** Null when the user may do everything; read by publishers' threads on delivery. */
    private volatile PermissionGuard guard;
    /** Requests from other clusters shown with their plain reply (upstream's gwReplyMapping); null until the first. */
    private volatile GatewayReplies gatewayReplies;
    private Runnable resumeReading;
    /** The nonce sent in INFO for nkey users to sign, or null. */
    private String nonce;
    private volatile boolean closed;
    private volatile ClosedReason closedReason;
    /** This server has answered a client PING since CONNECT: the client handles PING/PONG. */
    private boolean pongSent;

    // Written on this loop once per read batch; volatile for monitoring.
    private volatile long inMsgs;
    private volatile long inBytes;
    private long batchInMsgs;
    private long batchInBytes;
    private volatile long lastInboundNanos = startNanos;

    public ClientConnection(ClientServices server, Channel channel, Account defaultAccount) {
        this.server = server;
        this.opts = server.options();
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.cid = server.nextClientId();
        this.parser = new ClientParser(this, opts.maxControlLine, opts.maxPayload);
        this.out = new Outbound(channel, opts.maxPending, this::slowConsumerPendingBytes);
        this.account = defaultAccount;
        this.timers = new ConnectionTimers(this, loop, new ConnectionTimers.Pinging(opts.pingInterval, opts.pingMax,
                opts.disableShortFirstPing ? 0 : ConnectionTimers.CLIENT_FIRST_PING_NANOS, true),
                opts.writeDeadline, opts.effectiveAuthTimeout());
    }

    // ---- lifecycle, called by ConnectionHandler on this connection's loop ----

    @Override
    public void start() {
        nonce = server.newNonce();
        out.appendControl(server.infoLine(this), batch);
        if (!server.register(this)) {
            server.log().error("%s - cid:%d - maximum connections exceeded", remoteAddress(), cid);
            closeWithError("maximum connections exceeded", ClosedReason.MAX_CONNECTIONS);
            return;
        }
        batch.flushAll();
        if (server.authRequired()) timers.startAuthTimer();
        server.log().debug("%s - cid:%d - Client connection created", remoteAddress(), cid);
    }

    @Override
    public void read(ByteBuf in) {
        long now = System.nanoTime();
        lastInboundNanos = now;
        batch.activity(now);
        parser.parse(in);
        stallIfBacklogged();
    }



    /**
     * End of one inbound read: count what came in, then flush every receiver touched (counting
     * first, so that whoever sees a reply to this read also sees it counted).
     */
    @Override
    public void readComplete() {
        if (batchInMsgs > 0) {
            server.stats().inMsgs.add(batchInMsgs);
            server.stats().inBytes.add(batchInBytes);
            inMsgs += batchInMsgs;
            inBytes += batchInBytes;
            batchInMsgs = 0;
            batchInBytes = 0;
        }
        batch.flushAll();
        FlushBatch.Backlogged stall = batch.takeStall();
        if (stall != null && !closed) ProducerStall.stall(channel, stall, () -> closed, () -> !parser.isPaused());
    }

    /**
     * Checked after each read rather than once per burst: turning auto-read off here ends the
     * transport's read loop at once, so one burst cannot push a receiver past max_pending.
     */
    private void stallIfBacklogged() {
        if (batch.hasStall()) readComplete();
    }

    /** The socket is gone: release everything this connection holds. */
    @Override
    public void channelClosed() {
        if (closedReason == null) closedReason = ClosedReason.CLIENT_CLOSED;
        closed = true;
        timers.cancel();
        out.close();
        for (Subscription sub : subs.values()) account.unsubscribe(sub);
        if (countedInAccount) account.removeConnection(); // before unregister: its events count what is left
        server.unregister(this); // sees the final counters and subscriptions (for closed /connz)
        subs.clear();
        server.log().debug("%s - cid:%d - Client connection closed: %s", remoteAddress(), cid, closedReason.text());
    }

    /** This client's subscription limit: the server's, its account's and its user JWT's, the smallest; -1 for none. */
    private int maxSubscriptions() {
        int max = minLimit(opts.maxSubscriptions > 0 ? opts.maxSubscriptions : -1, account.limits().maxSubscriptions());
        User u = user;
        return u != null && u.jwt() != null ? minLimit(max, u.jwt().maxSubscriptions()) : max;
    }

    /**
     * Applies the account's and the user JWT's limits, as upstream does on CONNECT and when the
     * account's claims change: the payload limit, and a client at or over its subscription limit
     * is told so and closed (so a limit of 0 subscriptions closes the client at once). False when
     * the client was closed.
     */
    private boolean applyLimits() {
        applyPayloadLimit();
        int max = maxSubscriptions();
        if (max >= 0 && subs.size() >= max) {
            server.log().error("%s - cid:%d - maximum subscriptions exceeded", remoteAddress(), cid);
            closeWithError("maximum subscriptions exceeded", ClosedReason.MAX_SUBSCRIPTIONS);
            return false;
        }
        return true;
    }

    /** The smallest of the server's, the account's and the user JWT's max_payload. */
    private void applyPayloadLimit() {
        User u = user;
        int payload = minLimit(account.limits().maxPayload(), u == null || u.jwt() == null ? -1 : u.jwt().maxPayload());
        parser.setMaxPayload(payload >= 0 && payload < opts.maxPayload ? payload : opts.maxPayload);
    }

    /**
     * The configuration was reloaded (called on the reloading thread, which may take the time a
     * bcrypt check needs): as upstream, a client whose CONNECT names a user that is gone or now
     * bound to another account is closed without a word, one whose credentials no longer hold gets
     * {@code Authorization Violation}; the others take the new user (permissions) and limits.
     * Returns the task doing that on this connection's loop, or null when there is none.
     */
    public java.util.concurrent.Future<?> configReloaded() {
        if (closed) return null;
        ConnectOptions c = connect;
        if (c == null || user == null) return loop.submit(this::limitsReloaded);
        String bound = server.configuredAccount(c);
        if (bound == null || (!bound.isEmpty() && !bound.equals(account.name()))) {
            close(ClosedReason.CLIENT_CLOSED);
            return null;
        }
        User who = server.authenticate(c, this);
        return loop.submit(() -> reauthorized(c, who));
    }

    private void limitsReloaded() {
        if (closed) return;
        opts = server.options();
        parser.setMaxControlLine(opts.maxControlLine);
        timers.pingingChanged(opts.pingInterval, opts.pingMax);
        applyPayloadLimit();
    }

    private void reauthorized(ConnectOptions c, User who) {
        if (closed) return;
        limitsReloaded();
        if (who == null) {
            authViolation(c);
        } else {
            user = who;
            guard = PermissionGuard.of(who.permissions());
            applyPayloadLimit();
            removeForbiddenSubscriptions();
        }
        batch.flushAll();
    }

    /** Subscriptions the new permissions no longer allow go, each with an error, as upstream's processSubsOnConfigReload. */
    private void removeForbiddenSubscriptions() {
        PermissionGuard g = guard;
        if (g == null) return;
        for (Subscription sub : List.copyOf(subs.values())) {
            if (g.stillAllows(sub)) continue;
            removeSubscription(sub);
            sendErr("Permissions Violation for Subscription to " + GoQuote.quote(sub.subject()) + " (sid "
                    + GoQuote.quote(sub.sid()) + ")");
            server.log().notice("Removed sub %s (sid %s) for %s - not authorized", GoQuote.quote(sub.subject()),
                    GoQuote.quote(sub.sid()), ClientIdentity.inLog(connect));
        }
    }

    /** The account's limits changed (a claims update): they are applied again, on this connection's loop. */
    public void accountLimitsChanged() {
        if (!loop.inEventLoop()) {
            loop.execute(this::accountLimitsChanged);
            return;
        }
        if (closed || connect == null || user == null) return;
        applyLimits();
        batch.flushAll();
    }

    /** The smaller of two limits, where a negative one means none. */
    private static int minLimit(int a, int b) {
        if (a < 0) return b;
        if (b < 0) return a;
        return Math.min(a, b);
    }

    /**
     * Sends {@code -ERR 'text'} and closes, from any thread (the server cutting a client off:
     * revoked credentials, an account over its new connection limit).
     */
    public void closeWithErrorFromAnyThread(String text, ClosedReason reason) {
        if (loop.inEventLoop()) {
            if (!closed) {
                closeWithError(text, reason);
                batch.flushAll();
            }
        } else {
            loop.execute(() -> closeWithErrorFromAnyThread(text, reason));
        }
    }

    /** The user JWT's authentication ended (its expiry or connect window), as upstream: an error, then close. */
    @Override
    public void authenticationExpired() {
        if (closed) return;
        server.log().debug("%s - cid:%d - User Authentication Expired", remoteAddress(), cid);
        closeWithError("User Authentication Expired", ClosedReason.AUTHENTICATION_EXPIRED);
    }

    /** Sends {@code -ERR 'text'} after anything pending, then closes. */
    void closeWithError(String text, ClosedReason reason) {
        if (text != null) out.appendControl(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8), batch);
        close(reason);
    }

    /** Flushes what is pending, then closes; safe from any thread. */
    public void close(ClosedReason reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason));
            return;
        }
        if (closed) return;
        closed = true;
        closedReason = reason;
        parser.stop();
        batch.flushAll();
        out.flush();
        channel.writeAndFlush(channel.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The server's INFO changed (the cluster's client URLs): sent again, from any thread, to a
     * client that has shown it handles async INFO (CONNECT protocol 1 and a PING answered), as upstream.
     */
    public void sendAsyncInfo() {
        if (!loop.inEventLoop()) {
            loop.execute(this::sendAsyncInfo);
            return;
        }
        ConnectOptions c = connect;
        if (closed || c == null || c.protocol < 1 || !pongSent) return;
        out.appendControl(server.infoLine(this), batch);
        batch.flushAll();
    }

    // ---- timers ----

    @Override
    public void sendPing() {
        out.appendControl(PING, batch);
        batch.flushAll();
    }

    // ---- client operations ----

    /** Upstream's trace line for an inbound op: {@code <<- [OP args]}. Only built when tracing. */
    private void traceIn(String op) {
        server.log().trace("%s - cid:%d - <<- [%s]", remoteAddress(), cid, op);
    }

    @Override
    public void onConnect(ByteBuf json) {
        if (server.log().isTrace()) traceIn("CONNECT " + Secrets.redactConnect(json.toString(StandardCharsets.UTF_8)));
        ConnectOptions c;
        try {
            c = ConnectOptions.parse(json);
        } catch (IOException | RuntimeException e) {
            // As upstream: the JSON error is logged, the client gets no -ERR.
            server.log().error("%s - cid:%d - %s", remoteAddress(), cid, firstLine(e));
            close(ClosedReason.PROTOCOL_VIOLATION);
            return;
        }
        if (server.authIsSlow(c)) {
            authenticateOffLoop(c);
            return;
        }
        completeConnect(c, server.authenticate(c, this));
    }

    /** A client's INFO is ignored, but upstream decodes it and closes the client when that fails. */
    @Override
    public void onInfo(ByteBuf json) {
        try {
            ConnectOptions.checkInfo(json);
        } catch (IOException | RuntimeException e) {
            server.log().error("%s - cid:%d - %s", remoteAddress(), cid, firstLine(e));
            close(ClosedReason.PROTOCOL_VIOLATION);
        }
    }

    private static String firstLine(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    }

    @Override
    public boolean beforeConnect() {
        return checkConnected();
    }

    /**
     * A bcrypt check takes milliseconds: it runs on the auth executor while this connection
     * reads nothing more, so other clients on this event loop are not held up; the rest of the
     * input is parsed once the answer is back.
     */
    private void authenticateOffLoop(ConnectOptions c) {
        timers.cancelAuthTimer(); // as upstream, the deadline is met once CONNECT is in
        parser.pause();
        channel.config().setAutoRead(false);
        try {
            server.authExecutor().execute(() -> {
                User who = server.authenticate(c, this);
                loop.execute(() -> {
                    if (closed) return;
                    completeConnect(c, who);
                    parser.resume();
                    if (closed) return;
                    channel.config().setAutoRead(true);
                    if (resumeReading != null) resumeReading.run();
                });
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            parser.resume();
            authViolation(c);
        }
    }

    /** Set by the channel handler: parses what arrived while parsing was paused, then flushes. */
    @Override
    public void onResumeReading(Runnable r) {
        resumeReading = r;
    }

    private void completeConnect(ConnectOptions c, User who) {
        // As upstream: credentials first, then the account fields (no longer supported), then the protocol.
        Account bound = who == null ? null : server.account(who.account());
        if (bound == null || (c.account != null && !c.account.isEmpty()) || Boolean.TRUE.equals(c.newAccount)) {
            authViolation(c);
            return;
        }
        if (c.protocol < 0 || c.protocol > 1) {
            server.log().error("%s - cid:%d - invalid client protocol", remoteAddress(), cid);
            closeWithError("invalid client protocol", ClosedReason.PROTOCOL_VIOLATION);
            return;
        }
        if (c.noResponders && !c.headers) {
            server.log().error("%s - cid:%d - no responders requires headers support", remoteAddress(), cid);
            closeWithError("no responders requires headers support", ClosedReason.PROTOCOL_VIOLATION);
            return;
        }
        timers.cancelAuthTimer();
        boolean firstConnect = connect == null;
        connect = c;
        headers = c.headers && !opts.noHeaderSupport;
        echo = c.echo;
        parser.setHeadersAllowed(headers);
        if (firstConnect) {
            if (!bound.addConnection()) {
                server.log().error("%s - cid:%d - maximum account active connections exceeded", remoteAddress(), cid);
                closeWithError("maximum account active connections exceeded", ClosedReason.MAX_CONNECTIONS);
                return;
            }
            countedInAccount = true;
            account = bound;
            user = who;
            guard = PermissionGuard.of(who.permissions());
            if (who.jwt() != null && who.jwt().expiresAtMillis() > 0) {
                timers.startExpiryTimer(who.jwt().expiresAtMillis() - System.currentTimeMillis());
            }
            if (!applyLimits()) return;
        }
        if (c.verbose) out.appendControl(OK, batch);
        if (firstConnect) {
            timers.startPingTimer();
            server.clientConnected(this);
        }
    }

    @Override
    public void onPublish(InboundMessage msg) {
        if (server.log().isTrace()) {
            traceIn((msg.hasHeaders() ? "HPUB " : "PUB ") + msg.subject() + (msg.hasReply() ? " " + msg.reply() : "")
                    + (msg.hasHeaders() ? " " + msg.headerLength() : "") + " " + msg.totalLength());
        }
        if (!checkConnected()) return;
        batchInMsgs++;
        batchInBytes += msg.totalLength();
        if (connect != null && connect.pedantic && !Subjects.isValidPublishSubject(msg.subject())) {
            // Upstream still routes the message after this error (verified on 2.9.10).
            sendErr("Invalid Publish Subject");
        }
        TraceStart traced = msg.hasHeaders() ? TraceStart.of(msg, tracePublisher) : TraceStart.NONE;
        if (traced.skip()) return;
        MsgTrace trace = traced.trace();
        PermissionGuard g = guard;
        if (g != null && !g.canPublish(msg.subject())) {
            permissionViolation("Publish to " + GoQuote.quote(msg.subject()));
            if (trace != null) {
                trace.ingressError("Permissions Violation for Publish to " + GoQuote.quote(msg.subject()));
                server.sendMsgTrace(trace);
            }
            return;
        }
        okIfVerbose(); // before any delivery, as upstream: a self-subscriber sees +OK first
        GatewayReplies gr = gatewayReplies;
        if (gr != null) {
            String routed = gr.routedSubject(msg.subject());
            if (routed != null) msg = msg.rewritten(routed, msg.hasReply() ? msg.reply() : null);
        }
        int delivered;
        if (trace == null) {
            delivered = account.publish(msg, this, batch);
        } else {
            batch.trace(trace);
            try {
                delivered = account.publish(msg, this, batch);
            } finally {
                batch.trace(null);
            }
        }
        if (delivered == 0 && msg.hasReply() && connect != null && connect.noResponders) {
            sendNoResponders(msg);
        }
        if (trace != null) server.sendMsgTrace(trace);
    }

    /** What a message trace asks of this connection. */
    private final TraceStart.Publisher tracePublisher = new TraceStart.Publisher() {
        @Override
        public Account account() {
            return account;
        }

        @Override
        public long cid() {
            return cid;
        }

        @Override
        public String clientName() {
            return connectionName();
        }

        @Override
        public boolean canPublishTo(String subject) {
            PermissionGuard g = guard;
            return g == null || g.canPublish(subject);
        }

        @Override
        public void destinationRefused(String dest) {
            permissionViolation("Publish to " + GoQuote.quote(dest));
        }

        @Override
        public void log(String error) {
            server.log().error("%s - cid:%d - %s", remoteAddress(), cid, error);
        }
    };

    @Override
    public long connectionId() {
        return cid;
    }

    @Override
    public String connectionName() {
        return connect == null ? null : connect.name;
    }

    /**
     * Tells a requester nobody is listening: one 503 status message, with no reply, on its own
     * subscription to the reply subject (an exact one preferred over a wildcard, as upstream picks).
     */
    private void sendNoResponders(InboundMessage request) {
        byte[] frame = NoResponders.frame(request.reply(), request.subject(), subs.values());
        if (frame != null) out.appendControl(frame, batch);
    }

    @Override
    public void onSubscribe(String subject, String queue, String sid) {
        if (server.log().isTrace()) traceIn("SUB " + subject + (queue != null ? " " + queue : "") + " " + sid);
        if (!checkConnected()) return;
        if (!Subjects.isValidSubject(subject) || (queue != null && !Subjects.isValidQueueName(queue))) {
            sendErr("Invalid Subject");
            return;
        }
        PermissionGuard g = guard;
        if (g != null && !g.canSubscribe(subject, queue)) {
            permissionViolation("Subscription to " + GoQuote.quote(subject) + (queue != null ? " using queue " + GoQuote.quote(queue) : ""));
            return;
        }
        if (subs.containsKey(sid)) {
            okIfVerbose(); // upstream keeps the first subscription and says nothing else
            return;
        }
        int max = maxSubscriptions();
        if (max >= 0 && subs.size() >= max) {
            server.log().error("%s - cid:%d - maximum subscriptions exceeded", remoteAddress(), cid);
            sendErr("maximum subscriptions exceeded");
            return;
        }
        Subscription sub = new Subscription(this, subject, queue, sid);
        subs.put(sid, sub);
        account.subscribe(sub);
        okIfVerbose();
    }

    @Override
    public void onUnsubscribe(String sid, long max) {
        if (server.log().isTrace()) traceIn("UNSUB " + sid + (max > 0 ? " " + max : ""));
        if (!checkConnected()) return;
        Subscription sub = subs.get(sid);
        if (sub != null) {
            if (max > 0 && max > out.delivered(sub)) {
                sub.setMax(max);
            } else {
                removeSubscription(sub);
            }
        }
        okIfVerbose();
    }

    @Override
    public void onPing() {
        if (server.log().isTrace()) traceIn("PING");
        if (!checkConnected()) return;
        out.appendControl(PONG, batch);
        if (connect != null) pongSent = true;
    }

    @Override
    public void onPong() {
        if (server.log().isTrace()) traceIn("PONG");
        if (!checkConnected()) return;
        timers.pongReceived();
    }

    @Override
    public void onViolation(ProtocolViolation violation) {
        ClosedReason reason = switch (violation) {
            case MAX_PAYLOAD -> ClosedReason.MAX_PAYLOAD;
            case MAX_CONTROL_LINE -> ClosedReason.MAX_CONTROL_LINE;
            // Upstream reports a parse failure as a protocol violation; "Parse Error" is its reason
            // for a client that sent -ERR (checked against 2.9.10's /connz).
            case CLIENT_ERROR -> ClosedReason.PARSE_ERROR;
            default -> ClosedReason.PROTOCOL_VIOLATION;
        };
        String why = parser.errorText();
        if (why != null) server.log().error("%s - cid:%d - %s", remoteAddress(), cid, why);
        closeWithError(violation.errText(), reason);
    }

    /**
     * Before CONNECT, only a server without auth lets operations through, or one with
     * {@code no_auth_user}: the client becomes that user, with CONNECT's defaults (as upstream).
     */
    private boolean checkConnected() {
        if (connect != null || !server.authRequired()) return true;
        User nau = server.noAuthUser();
        Account bound = nau == null ? null : server.account(nau.account());
        if (bound == null) {
            authViolation(null);
            return false;
        }
        timers.cancelAuthTimer();
        connect = new ConnectOptions();
        account = bound;
        user = nau;
        timers.startPingTimer();
        return true;
    }

    private void authViolation(ConnectOptions c) {
        refused = c;
        server.log().error("%s - cid:%d - %s", remoteAddress(), cid, server.authFailureText(c));
        closeWithError("Authorization Violation", ClosedReason.AUTHENTICATION_VIOLATION);
    }

    /** The TLS handshake finished: log it, and refuse a client certificate that is not pinned. */
    @Override
    public void tlsHandshakeCompleted(Throwable failure) {
        if (failure == null) {
            ServerTls tls = server.tls();
            if (tls != null && !tls.pinnedCertificateOk(channel)) {
                failure = new javax.net.ssl.SSLException("certificate not pinned");
            } else {
                server.log().debug("%s - cid:%d - TLS handshake complete", remoteAddress(), cid);
                server.log().debug("%s - cid:%d - %s", remoteAddress(), cid, ServerTls.describeSession(channel));
                return;
            }
        }
        Throwable cause = failure instanceof io.netty.handler.codec.DecoderException && failure.getCause() != null
                ? failure.getCause() : failure;
        server.log().error("%s - cid:%d - TLS handshake error: %s", remoteAddress(), cid,
                cause.getMessage() == null ? cause.toString() : cause.getMessage());
        closed = true;
        closedReason = ClosedReason.TLS_HANDSHAKE_ERROR;
        parser.stop();
        channel.close();
    }

    /** Upstream keeps the connection open after a permissions violation. */
    private void permissionViolation(String what) {
        server.log().error("%s - cid:%d - \"%s\" - Permissions Violation for %s", remoteAddress(), cid,
                user == null || user.name() == null ? "" : user.name(), what);
        sendErr("Permissions Violation for " + what);
    }

    private void okIfVerbose() {
        if (connect != null && connect.verbose) out.appendControl(OK, batch);
    }

    void sendErr(String text) {
        out.appendControl(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8), batch);
    }

    private void removeSubscription(Subscription sub) {
        if (subs.remove(sub.sid()) != null) account.unsubscribe(sub);
    }

    // ---- Subscriber: called from publishers' threads ----

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch publisherBatch) {
        PermissionGuard g = guard;
        if (g != null) {
            if (g.deniedOnDelivery(sub.subject(), msg.subject())) return false;
            if (msg.hasReply() && g.tracksReplies()) g.trackReply(msg.reply());
        }
        if (GatewayReplies.routed(msg)) msg = gatewayReplies().shown(msg);
        int r = out.appendMessage(sub, msg, headers, publisherBatch);
        if (r == Outbound.APPENDED_LAST) maxReached(sub);
        return r != Outbound.DROPPED;
    }

    /** Made when the first request from another cluster arrives. */
    private GatewayReplies gatewayReplies() {
        GatewayReplies gr = gatewayReplies;
        if (gr != null) return gr;
        synchronized (this) {
            if (gatewayReplies == null) gatewayReplies = new GatewayReplies();
            return gatewayReplies;
        }
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.CLIENT;
    }

    @Override
    public boolean echo() {
        return echo;
    }

    /** {@code sub} has had its last message (UNSUB with max): remove it, on this connection's loop. */
    private void maxReached(Subscription sub) {
        if (loop.inEventLoop()) removeSubscription(sub);
        else loop.execute(() -> removeSubscription(sub));
    }

    private void slowConsumerPendingBytes() {
        server.stats().slowConsumers.increment();
        account.slowConsumer();
        server.log().notice("%s - cid:%d - Slow Consumer Detected: MaxPending of %d Exceeded",
                remoteAddress(), cid, opts.maxPending);
        close(ClosedReason.SLOW_CONSUMER_PENDING_BYTES);
    }

    @Override
    public void slowConsumerWriteDeadline() {
        server.stats().slowConsumers.increment();
        account.slowConsumer();
        server.log().notice("%s - cid:%d - Slow Consumer Detected: WriteDeadline of %s exceeded with %d chunks of %d total bytes.",
                remoteAddress(), cid, GoDuration.format(opts.writeDeadline), out.pendingChunks(), out.pendingBytes());
        out.close();
        closed = true;
        closedReason = ClosedReason.SLOW_CONSUMER_WRITE_DEADLINE;
        channel.close();
    }

    @Override
    public void staleConnection() {
        server.stats().staleConnections.increment();
        server.log().debug("%s - cid:%d - Stale Client Connection - Closing", remoteAddress(), cid);
        closeWithError("Stale Connection", ClosedReason.STALE_CONNECTION);
    }

    @Override
    public void authTimeout() {
        if (connect != null || closed) return;
        closeWithError("Authentication Timeout", ClosedReason.AUTHENTICATION_TIMEOUT);
    }

    @Override
    public FrameParser parser() {
        return parser;
    }

    @Override
    public ConnectionTimers timers() {
        return timers;
    }

    /** The socket failed (a reset, a broken pipe): the reason /connz gives, unless one is set already. */
    @Override
    public void socketFailed(IOException e) {
        if (closedReason != null) return;
        String m = e.getMessage();
        closedReason = m != null && m.contains("Broken pipe") ? ClosedReason.WRITE_ERROR : ClosedReason.READ_ERROR;
    }

    @Override
    public void logUnexpected(Throwable cause) {
        server.log().error("%s - cid:%d - %s", remoteAddress(), cid, cause);
    }

    // ---- facts for INFO, monitoring and logs ----

    public long cid() { return cid; }
    /** {@code nats} or {@code websocket}: how the client reaches the server (/connz {@code type}). */
    public String clientType() { return server.clientType(); }
    @Override
    public boolean isClosed() { return closed; }
    public ClosedReason closedReason() { return closedReason; }
    public ConnectOptions connectOptions() { return connect; }
    /** The CONNECT refused for its credentials, or null. */
    public ConnectOptions refusedConnectOptions() { return refused; }
    /** Whether CONNECT was accepted and the client counted into its account (events are sent for it). */
    public boolean joinedAccount() { return countedInAccount; }
    public Account account() { return account; }
    public User user() { return user; }
    public String nonce() { return nonce; }

    /** The certificate chain the client presented over TLS; empty without one. */
    public List<X509Certificate> peerCertificates() {
        return ServerTls.peerCertificates(channel);
    }
    public long inMsgs() { return inMsgs; }
    public long inBytes() { return inBytes; }
    public long outMsgs() { return out.msgs(); }
    public long outBytes() { return out.bytes(); }
    public int subscriptionCount() { return subs.size(); }
    /** When the connection was accepted. */
    public Instant startTime() { return startTime; }
    /** When the connection was accepted, as {@link System#nanoTime}. */
    @Override
    public long startNanos() { return startNanos; }

    @Override
    public long lastInboundNanos() { return lastInboundNanos; }
    /** The last round-trip time measured with a server PING; 0 before the first PONG. */
    public long rttNanos() { return timers.rttNanos(); }
    /** Bytes waiting to be written to this client. */
    public long pendingBytes() { return out.pendingBytes(); }

    /** The subscriptions, copied; safe from any thread. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subs.values());
    }

    /** When the client last sent something or was last sent messages, as {@link System#nanoTime}. */
    public long lastActivityNanos() {
        long in = lastInboundNanos;
        long delivered = out.lastDeliveryNanos();
        return delivered != 0 && delivered - in > 0 ? delivered : in;
    }

    /**
     * The identity the client presented in CONNECT, as upstream's monitoring shows it: its nkey
     * or user name, or {@code [REDACTED]} for a token; null when it presented none.
     */
    public String authorizedUser() {
        ConnectOptions c = connect;
        User u = user;
        boolean namedByJwt = c != null && (c.nkey == null || c.nkey.isEmpty()) && (c.user == null || c.user.isEmpty())
                && c.jwt != null && !c.jwt.isEmpty();
        return namedByJwt && u != null ? u.name() : presentedUser(c);
    }

    /** The identity CONNECT options present: nkey, user name, or {@code [REDACTED]} for a token; null for none. */
    public static String presentedUser(ConnectOptions c) {
        return ClientIdentity.presented(c);
    }

    /**
     * Monitoring wants this client's RTT and none is known: ask with a PING (on this
     * connection's loop), as upstream does for clients that said which language they are.
     */
    public void requestRtt() {
        ConnectOptions c = connect;
        if (closed || c == null || c.lang == null || c.lang.isEmpty() || timers.rttNanos() != 0) return;
        loop.execute(() -> timers.sendRttPing(pongSent));
    }

    public InetSocketAddress remoteSocketAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    private String remoteAddress() {
        InetSocketAddress a = remoteSocketAddress();
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
