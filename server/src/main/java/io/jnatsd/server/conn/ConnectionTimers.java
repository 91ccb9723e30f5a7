package io.jnatsd.server.conn;

import java.time.Duration;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timers, all on its event loop: the server PING that detects stale
 * connections (and measures the round-trip time), the authentication deadline and the write
 * deadline. Clients and routes differ only in the {@link Pinging} they are given.
 */
public final class ConnectionTimers {
    /**
     * How a kind of connection is pinged: every {@code interval}, closed as stale after
     * {@code max} unanswered; the first PING after {@code firstNanos} (plus up to 20% jitter,
     * upstream's short first ping that learns the RTT; 0 for a full interval); and whether a
     * PING is skipped when the peer sent something lately (upstream skips for clients, never
     * for routes).
     */
    public record Pinging(Duration interval, int max, long firstNanos, boolean skipWhenActive) {}

    /** Upstream pings a new client early (about 2 s after CONNECT) to learn its RTT. */
    public static final long CLIENT_FIRST_PING_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** And a new route after about 1 s. */
    public static final long ROUTE_FIRST_PING_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Upstream re-measures the RTT of a busy client (whose PINGs are otherwise skipped) hourly. */
    private static final long RTT_MEASUREMENT_INTERVAL_NANOS = TimeUnit.HOURS.toNanos(1);
    /** Before the client has PINGed us, upstream waits this long before an RTT PING. */
    private static final long NO_RTT_PING_BEFORE_FIRST_PONG_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Connection client;
    /** Replaced by a reload ({@link #pingingChanged}); read on the loop only. */
    private Pinging pinging;
    private final Duration writeDeadlineAfter;
    private final Duration authTimeout;
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

    public ConnectionTimers(Connection client, EventLoop loop, Pinging pinging, Duration writeDeadline,
                            Duration authTimeout) {
        this.client = client;
        this.loop = loop;
        this.pinging = pinging;
        this.writeDeadlineAfter = writeDeadline;
        this.authTimeout = authTimeout;
    }

    /**
     * A reloaded ping_interval and ping_max, from the next PING on (on the connection's loop), as
     * upstream reads them each time it sets its ping timer.
     */
    public void pingingChanged(Duration interval, int max) {
        pinging = new Pinging(interval, max, pinging.firstNanos(), pinging.skipWhenActive());
    }

    public void startAuthTimer() {
        auth = loop.schedule(client::authTimeout, authTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void cancelAuthTimer() {
        if (auth != null) auth.cancel(false);
        auth = null;
    }

    /** Closes the connection when its user JWT's authentication ends, in {@code millis} (at once if past). */
    public void startExpiryTimer(long millis) {
        expiry = loop.schedule(client::authenticationExpired, Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void startPingTimer() {
        long interval = pinging.interval().toNanos();
        if (interval <= 0) return;
        long first = interval;
        long shortFirst = pinging.firstNanos();
        if (shortFirst > 0 && first > shortFirst) {
            first = shortFirst + ThreadLocalRandom.current().nextLong(shortFirst / 5);
        }
        lastPingNanos = System.nanoTime();
        ping = loop.schedule(this::pingTick, first, TimeUnit.NANOSECONDS);
    }

    private void pingTick() {
        if (client.isClosed()) return;
        long now = System.nanoTime();
        long interval = pinging.interval().toNanos();
        // A client that sent something since our last PING is alive; skip this one, as upstream does,
        // unless its round-trip time is unknown or old.
        boolean needRtt = rttNanos == 0 || now - lastRttNanos > RTT_MEASUREMENT_INTERVAL_NANOS;
        long lastIn = client.lastInboundNanos();
        if (pinging.skipWhenActive() && pingsOutstanding == 0 && !needRtt
                && lastIn - lastPingNanos > 0 && now - lastIn < interval) {
            lastPingNanos = now;
            ping = loop.schedule(this::pingTick, interval, TimeUnit.NANOSECONDS);
            return;
        }
        if (pingsOutstanding + 1 > pinging.max()) {
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
    public void sendRttPing(boolean clientPinged) {
        if (rttNanos != 0 || rttStartNanos != 0 || client.isClosed()) return;
        long now = System.nanoTime();
        if (clientPinged || now - client.startNanos() > NO_RTT_PING_BEFORE_FIRST_PONG_NANOS) sendPing(now);
    }

    public void pongReceived() {
        pingsOutstanding = 0;
        if (rttStartNanos != 0) {
            long now = System.nanoTime();
            rttNanos = Math.max(1, now - rttStartNanos);
            lastRttNanos = now;
            rttStartNanos = 0;
        }
    }

    /** The last measured round-trip time from a server PING to the client's PONG; 0 before the first. */
    public long rttNanos() {
        return rttNanos;
    }

    /** The socket stopped taking bytes: if it still refuses them after write_deadline, the client is slow. */
    public void writabilityChanged(boolean writable) {
        if (writable) {
            if (writeDeadline != null) writeDeadline.cancel(false);
            writeDeadline = null;
        } else if (writeDeadline == null && writeDeadlineAfter.toNanos() > 0) {
            writeDeadline = loop.schedule(client::slowConsumerWriteDeadline,
                    writeDeadlineAfter.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    public void cancel() {
        cancelAuthTimer();
        if (ping != null) ping.cancel(false);
        if (writeDeadline != null) writeDeadline.cancel(false);
        if (expiry != null) expiry.cancel(false);
    }
}
