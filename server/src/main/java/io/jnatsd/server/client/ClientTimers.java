package io.jnatsd.server.client;

import io.jnatsd.server.config.ServerOptions;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timers, all on its event loop: the server PING that detects stale
 * connections, the authentication deadline and the write deadline.
 */
final class ClientTimers {
    /** Upstream pings a new client early (about 2 s after CONNECT) to learn its RTT. */
    private static final long FIRST_PING_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ClientConnection client;
    private final ServerOptions opts;
    private final EventLoop loop;
    private ScheduledFuture<?> ping;
    private ScheduledFuture<?> auth;
    private ScheduledFuture<?> writeDeadline;
    private int pingsOutstanding;
    private long lastPingNanos;

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
        // A client that sent something since our last PING is alive; skip this one, as upstream does.
        if (pingsOutstanding == 0 && client.lastInboundNanos - lastPingNanos > 0 && now - client.lastInboundNanos < interval) {
            lastPingNanos = now;
            ping = loop.schedule(this::pingTick, interval, TimeUnit.NANOSECONDS);
            return;
        }
        if (pingsOutstanding + 1 > opts.pingMax) {
            client.staleConnection();
            return;
        }
        pingsOutstanding++;
        lastPingNanos = now;
        client.sendPing();
        ping = loop.schedule(this::pingTick, interval, TimeUnit.NANOSECONDS);
    }

    void pongReceived() {
        pingsOutstanding = 0;
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
    }
}
