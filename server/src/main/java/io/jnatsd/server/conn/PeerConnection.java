package io.jnatsd.server.conn;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.jnatsd.protocol.route.RoutedMessage;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.QueueNames;
import io.jnatsd.server.core.RemoteSubscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.log.ServerLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection to another server (a route, a leaf node, a gateway): the life cycle every such
 * kind shares, as upstream's one {@code client} struct gives it to all of them. Closing (flush,
 * then close), closing with {@code -ERR}, PINGs and PONGs, stale connections, slow consumers
 * and their log lines, inbound counters, the parser's violations and the TLS handshake's
 * failure are here, with upstream's texts; the dialect (handshake, interest, messages) is the
 * subclass's. Log lines carry upstream's id tag ({@code rid}, {@code lid}, {@code gid}).
 */
public abstract class PeerConnection implements Connection, RemoteSubscriber {
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);

    /** How a kind names itself in upstream's lines: {@code rid}/{@code route}, {@code lid}/{@code leafnode}, ... */
    public record Naming(String idTag, String kindName) {}

    /** The limits and timers a kind is created with. */
    public record Limits(long maxPending, Duration writeDeadline, ConnectionTimers.Pinging pinging, Duration authTimeout) {}

    private static final byte[] JS_ACK_PREFIX = "$JS.ACK.".getBytes(StandardCharsets.US_ASCII);

    protected final Channel channel;
    protected final EventLoop loop;
    protected final ServerLog log;
    protected final long id;
    private final Naming naming;
    private final long maxPending;
    private final Duration writeDeadline;
    private final long startNanos = System.nanoTime();
    private final Instant startTime = Instant.now();
    protected final Outbound out;
    protected final FlushBatch batch = new FlushBatch(this);
    protected final ConnectionTimers timers;
    /** The peer's interest, by a key of the kind's choosing. Changed on this loop only. */
    protected final Map<String, Subscription> remoteSubs = new ConcurrentHashMap<>();
    private final QueueNames inboundQueues = new QueueNames();

    protected volatile boolean closed;
    protected volatile String closedReason;
    private volatile long lastInboundNanos = startNanos;
    // Written on this loop once per read; volatile for monitoring (a volatile write per message
    // would cost a fence each).
    private volatile long inMsgs;
    private volatile long inBytes;
    private long batchInMsgs;
    private long batchInBytes;

    protected PeerConnection(Channel channel, ServerLog log, Naming naming, long id, Limits limits) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.log = log;
        this.naming = naming;
        this.id = id;
        this.maxPending = limits.maxPending();
        this.writeDeadline = limits.writeDeadline();
        this.out = new Outbound(channel, limits.maxPending(), this::slowConsumer);
        this.timers = new ConnectionTimers(this, loop, limits.pinging(), limits.writeDeadline(), limits.authTimeout());
    }

    // ---- the socket ----

    /** Remembers when the peer last spoke, then parses. */
    @Override
    public void read(ByteBuf in) {
        lastInboundNanos = System.nanoTime();
        parser().parse(in);
    }

    /** One inbound message of {@code bytes}, counted at the end of the read. */
    protected final void countInbound(long bytes) {
        batchInMsgs++;
        batchInBytes += bytes;
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
        batch.takeStall(); // a server connection is never stalled: upstream does not slow them down
    }

    @Override
    public void onResumeReading(Runnable resume) {
        // A server connection never pauses its parser.
    }

    @Override
    public ConnectionTimers timers() {
        return timers;
    }

    @Override
    public void tlsHandshakeCompleted(Throwable failure) {
        if (failure == null && !io.jnatsd.server.net.ServerTls.pinnedCertificateOk(pinnedCertificates(), channel)) {
            failure = new javax.net.ssl.SSLException("certificate not pinned"); // upstream's ErrCertNotPinned
        }
        if (failure == null) return;
        log.error("%s - %s - TLS %s handshake error: %s", remoteAddress(), tag(), naming.kindName(), failure.getMessage());
        close("TLS Handshake Failure");
    }

    /** The kind's {@code tls.pinned_certs}: the peer's certificate must be one of them (null or empty: any). */
    protected java.util.Collection<String> pinnedCertificates() {
        return null;
    }

    /** Stops the timers and the outbound buffer, then lets the kind release what it holds ({@link #released}). */
    @Override
    public final void channelClosed() {
        closed = true;
        if (closedReason == null) closedReason = "Client Closed";
        timers.cancel();
        out.close();
        released();
    }

    /** The socket is gone: drop the peer's interest, log, unregister. */
    protected abstract void released();

    @Override
    public void socketFailed(IOException e) {
        if (closedReason == null) closedReason = "Read Error";
    }

    @Override
    public void logUnexpected(Throwable cause) {
        log.error("%s - %s - %s", remoteAddress(), tag(), cause);
    }

    /** Flushes what is pending, then closes; from any thread. */
    public void close(String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason));
            return;
        }
        if (closed) return;
        closed = true;
        if (closedReason == null) closedReason = reason;
        parser().stop();
        batch.flushAll();
        out.flush();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Logs {@code text}, sends {@code -ERR 'text'} and closes; from any thread. */
    public void closeWithError(String text, String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> closeWithError(text, reason));
            return;
        }
        log.error("%s - %s - %s", remoteAddress(), tag(), text);
        sendErr(text);
        close(reason);
    }

    /** Queues {@code -ERR 'text'} (flushed with the batch). */
    protected final void sendErr(String text) {
        out.appendControl(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8), batch);
    }

    // ---- PING, PONG and the timers ----

    @Override public boolean isClosed() { return closed; }
    @Override public long lastInboundNanos() { return lastInboundNanos; }
    @Override public long startNanos() { return startNanos; }

    @Override
    public void sendPing() {
        out.appendControl(PING, batch);
        batch.flushAll();
    }

    /** Queues a PING without flushing (the read's end flushes it). */
    protected final void queuePing() {
        out.appendControl(PING, batch);
    }

    /** The peer's PING: a PONG, flushed at the read's end. */
    public void onPing() {
        out.appendControl(PONG, batch);
    }

    public void onPong() {
        timers.pongReceived();
    }

    @Override
    public void staleConnection() {
        log.debug("%s - %s - Stale Client Connection - Closing", remoteAddress(), tag());
        closeWithError("Stale Connection", "Stale Connection");
    }

    @Override
    public void slowConsumerWriteDeadline() {
        log.notice("%s - %s - Slow Consumer Detected: WriteDeadline of %s exceeded with %d chunks of %d total bytes.",
                remoteAddress(), tag(), GoDuration.format(writeDeadline), out.pendingChunks(), out.pendingBytes());
        closedReason = "Slow Consumer (Write Deadline)";
        closed = true;
        out.close();
        channel.close();
    }

    private void slowConsumer() {
        log.notice("%s - %s - Slow Consumer Detected: MaxPending of %d Exceeded", remoteAddress(), tag(), maxPending);
        closedReason = "Slow Consumer (Pending Bytes)";
        close(closedReason);
    }

    @Override
    public void authenticationExpired() {
        // Servers authenticate with configured users, which do not expire.
    }

    /** The parser stopped on bad input: logged, upstream's {@code -ERR} when it has one, closed. */
    public void onViolation(ProtocolViolation violation) {
        String text = violation.errText();
        String kind = naming.kindName();
        log.error("%s - %s - %s parser error: %s", remoteAddress(), tag(),
                Character.toUpperCase(kind.charAt(0)) + kind.substring(1), violation);
        if (text != null) sendErr(text);
        close("Protocol Violation");
    }

    // ---- the peer's interest and messages ----

    /**
     * The peer's RS+/LS+ in {@code a}, under {@code key}: a new subscription, or a queue group's
     * new weight. Returns false when the subject cannot be subscribed to (logged).
     */
    protected final boolean remoteSubscribe(Account a, String key, String subject, String queue, int weight) {
        Subscription existing = remoteSubs.get(key);
        if (existing != null) {
            if (queue != null) a.reweigh(existing, Math.max(1, weight));
            return true;
        }
        Subscription sub;
        try {
            sub = new Subscription(this, subject, queue, key);
            if (queue != null) sub.setWeight(Math.max(1, weight));
            a.subscribe(sub);
        } catch (IllegalArgumentException invalid) {
            log.error("%s - %s - Could not insert subscription: %s", remoteAddress(), tag(), invalid.getMessage());
            return false;
        }
        remoteSubs.put(key, sub);
        return true;
    }

    /**
     * A JetStream delivery from a peer carries the subject its client is shown after an
     * {@code @} in the ack reply (upstream's remapped reply): routed on the deliver subject,
     * shown under that one. Any other message is returned as it is.
     */
    protected static InboundMessage jetStreamDelivery(InboundMessage msg) {
        if (!msg.hasReply() || !msg.replyStartsWith(JS_ACK_PREFIX)) return msg;
        String reply = msg.reply();
        int at = reply.lastIndexOf('@');
        if (at < 0 || at == reply.length() - 1) return msg;
        return msg.shownAs(reply.substring(at + 1), reply.substring(0, at));
    }

    /** The queue groups a routed message names, or null; reused per message (this loop only). */
    protected final QueueNames queuesOf(RoutedMessage routed) {
        int n = routed.queueCount();
        if (n == 0) return null;
        QueueNames queues = inboundQueues;
        queues.clear();
        for (int i = 0; i < n; i++) queues.add(routed.queue(i), null);
        return queues;
    }

    // ---- as a subscriber ----

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
        return false; // the router calls forward() for remote subscribers
    }

    @Override
    public boolean echo() {
        return false;
    }

    // ---- facts ----

    public final long inMsgs() { return inMsgs; }
    public final long inBytes() { return inBytes; }
    public final long outMsgs() { return out.msgs(); }
    public final long outBytes() { return out.bytes(); }
    public final long pendingBytes() { return out.pendingBytes(); }
    public final Instant startTime() { return startTime; }
    public final long rttNanos() { return timers.rttNanos(); }
    public final String closedReason() { return closedReason; }
    public final int subscriptionCount() { return remoteSubs.size(); }

    /** Upstream's id in log lines: {@code rid:3}. */
    protected final String tag() {
        return naming.idTag() + ":" + id;
    }

    public final InetSocketAddress remoteSocketAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    public final String remoteAddress() {
        InetSocketAddress a = remoteSocketAddress();
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
