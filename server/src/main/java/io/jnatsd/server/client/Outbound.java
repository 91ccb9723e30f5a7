package io.jnatsd.server.client;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.MessageWriter;
import io.jnatsd.server.core.FlushBatch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection's outbound buffer. Publishers on any event loop append encoded messages
 * under its lock; the bytes are written to the socket once per inbound batch, on this
 * connection's own event loop (DESIGN.md, hot path 3). Going past max_pending marks the
 * connection a slow consumer, which drops further messages and closes it.
 */
final class Outbound implements FlushBatch.Flushable {
    private static final int INITIAL_CAPACITY = 512;

    private final Channel channel;
    private final EventLoop loop;
    private final long maxPending;
    private final Runnable flushTask = this::flush;
    private final AtomicBoolean flushPending = new AtomicBoolean();
    private final Runnable onSlowConsumer;
    /** When a read last put messages here, for /connz last_activity; one write per batch, not per message. */
    private volatile long lastDeliveryNanos;

    // Guarded by this.
    private ByteBuf buf;
    private boolean closed;
    private long msgs;
    private long bytes;

    Outbound(Channel channel, long maxPending, Runnable onSlowConsumer) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.maxPending = maxPending;
        this.onSlowConsumer = onSlowConsumer;
    }

    /** Appends a MSG/HMSG; returns false when dropped (closed, or slow consumer). */
    boolean appendMessage(InboundMessage msg, byte[] sid, boolean headers, FlushBatch batch) {
        boolean slow;
        synchronized (this) {
            if (closed) return false;
            ByteBuf b = buffer(msg.totalLength() + 64);
            MessageWriter.write(b, msg, sid, headers);
            msgs++;
            bytes += headers ? msg.totalLength() : msg.payloadLength();
            slow = b.readableBytes() + channelPending() > maxPending;
            if (slow) closed = true;
        }
        if (slow) {
            onSlowConsumer.run();
            return false;
        }
        schedule(batch);
        return true;
    }

    /** Appends protocol bytes (PONG, +OK, -ERR, PING, INFO) written by this connection's loop. */
    void appendControl(byte[] line, FlushBatch batch) {
        synchronized (this) {
            if (closed) return;
            buffer(line.length).writeBytes(line);
        }
        schedule(batch);
    }

    private ByteBuf buffer(int hint) {
        ByteBuf b = buf;
        if (b == null) {
            b = channel.alloc().directBuffer(Math.max(INITIAL_CAPACITY, hint));
            buf = b;
        }
        return b;
    }

    private long channelPending() {
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    private void schedule(FlushBatch batch) {
        if (flushPending.compareAndSet(false, true)) batch.add(this);
    }

    @Override
    public void flushFromBatch(long activityNanos) {
        if (activityNanos != 0) lastDeliveryNanos = activityNanos;
        if (loop.inEventLoop()) flush();
        else loop.execute(flushTask);
    }

    /** Writes out everything appended so far; on this connection's event loop. */
    void flush() {
        flushPending.set(false);
        ByteBuf b;
        synchronized (this) {
            b = buf;
            buf = null;
        }
        if (b != null) channel.writeAndFlush(b, channel.voidPromise());
    }

    /** Stops accepting messages and drops what was not yet written. */
    void close() {
        ByteBuf b;
        synchronized (this) {
            closed = true;
            b = buf;
            buf = null;
        }
        if (b != null) b.release();
    }

    synchronized long msgs() {
        return msgs;
    }

    synchronized long bytes() {
        return bytes;
    }

    /** Bytes appended and not yet written to the socket: ours plus what the channel still holds. */
    long pendingBytes() {
        int own;
        synchronized (this) {
            own = buf == null ? 0 : buf.readableBytes();
        }
        return own + channelPending();
    }

    long lastDeliveryNanos() {
        return lastDeliveryNanos;
    }
}
