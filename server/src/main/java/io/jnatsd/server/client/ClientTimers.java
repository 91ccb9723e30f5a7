package io.jnatsd.server.client;

import io.jnatsd.server.config.ServerOptions;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timers, all on its event loop: the server PING that detects stale
 * connections (and measures the round-trip time), the authentication deadline and the write
 * deadline.
 */
final class ClientTimers {
    /** Upstream pings a new client early (about 2 s after CONNECT) to learn its RTT. */
    private static final long FIRST_PING_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Upstream re-measures the RTT of a busy client (whose PINGs are otherwise skipped) hourly. */
    private static final long RTT_MEASUREMENT_INTERVAL_NANOS = TimeUnit.HOURS.toNanos(1);
    /** Before the client has PINGed us, upstream waits this long before an RTT PING. */
    private static final long NO_RTT_PING_BEFORE_FIRST_PONG_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ClientConnection client;
    private final ServerOptions opts;
    private final EventLoop loop;
    private ScheduledFuture<?> ping;
    private ScheduledFuture<?> auth;
    private ScheduledFuture<?> writeDeadline;
    private ScheduledFuture<?> expiry;
    private int pingsOutstanding;
    private long lastPingNanos;
    /** When the PING whose PONG measures the RTT was sent; 0 when none is outstanding. */
    private long rttStartNanos;
    private long lastRttNanos;
    private volatile long rttNanos;

    ClientTimers(ClientConnection client, ServerOptions opts, EventLoop loop) {
        this.client = client;
        this.opts = opts;
        this.loop = loop;
    }

    void startAuthTimer() {
        auth = loop.schedule(client::authTimeout, opts.effectiveAuthTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    void cancelAuthTimer() {
        if (auth != null) auth.cancel(false);
        auth = null;
    }

    /** Closes the connection when its user JWT's authentication ends, in {@code millis} (at once if past). */
    void startExpiryTimer(long millis) {
        expiry = loop.schedule(client::authenticationExpired, Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    void startPingTimer() {
        long interval = opts.pingInterval.toNanos();
        if (interval <= 0) return;
        long first = interval;
        if (!opts.disableShortFirstPing && first > FIRST_PING_NANOS) {
            first = FIRST_PING_NANOS + ThreadLocalRandom.current().nextLong(FIRST_PING_NANOS / 5);
        }
        lastPingNanos = System.nanoTime();
        ping = loop.schedule(this::pingTick, first, TimeUnit.NANOSECONDS);
    }

    private void pingTick() {
        if (client.isClosed()) return;
        long now = System.nanoTime();
        long interval = opts.pingInterval.toNanos();
        // A client that sent something since our last PING is alive; skip this one, as upstream does,
        // unless its round-trip time is unknown or old.
        boolean needRtt = rttNanos == 0 || now - lastRttNanos > RTT_MEASUREMENT_INTERVAL_NANOS;
        if (pingsOutstanding == 0 && !needRtt
                && client.lastInboundNanos - lastPingNanos > 0 && now - client.lastInboundNanos < interval) {
            lastPingNanos = now;
            ping = loop.schedule(this::pingTick, interval, TimeUnit.NANOSECONDS);
            return;
        }
        if (pingsOutstanding + 1 > opts.pingMax) {
            client.staleConnection();
            return;
        }
        lastPingNanos = now;
        sendPing(now);
        ping = loop.schedule(this::pingTick, interval, TimeUnit.NANOSECONDS);
    }

    private void sendPing(long now) {
        pingsOutstanding++;
        if (rttStartNanos == 0) rttStartNanos = now;
        client.sendPing();
    }

    /**
     * Monitoring asked for a client's RTT before any was measured: PING now, if the client has
     * shown it handles server PINGs (it PINGed us first) or has been connected a while, as upstream.
     */
    void sendRttPing(boolean clientPinged) {
        if (rttNanos != 0 || rttStartNanos != 0 || client.isClosed()) return;
        long now = System.nanoTime();
        if (clientPinged || now - client.startNanos() > NO_RTT_PING_BEFORE_FIRST_PONG_NANOS) sendPing(now);
    }

    void pongReceived() {
        pingsOutstanding = 0;
        if (rttStartNanos != 0) {
            long now = System.nanoTime();
            rttNanos = Math.max(1, now - rttStartNanos);
            lastRttNanos = now;
            rttStartNanos = 0;
        }
    }

    /** The last measured round-trip time from a server PING to the client's PONG; 0 before the first. */
    long rttNanos() {
        return rttNanos;
    }

    /** The socket stopped taking bytes: if it still refuses them after write_deadline, the client is slow. */
    void writabilityChanged(boolean writable) {
        if (writable) {
            if (writeDeadline != null) writeDeadline.cancel(false);
            writeDeadline = null;
        } else if (writeDeadline == null && opts.writeDeadline.toNanos() > 0) {
            writeDeadline = loop.schedule(client::slowConsumerWriteDeadline,
                    opts.writeDeadline.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    void cancel() {
        cancelAuthTimer();
        if (ping != null) ping.cancel(false);
        if (writeDeadline != null) writeDeadline.cancel(false);
        if (expiry != null) expiry.cancel(false);
    }
}
