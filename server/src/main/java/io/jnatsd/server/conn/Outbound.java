package io.jnatsd.server.conn;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.MessageWriter;
import io.jnatsd.protocol.route.RouteWriter;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscription;
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
public final class Outbound implements FlushBatch.Flushable, FlushBatch.Backlogged {
    private static final int INITIAL_CAPACITY = 512;

    private final Channel channel;
    private final EventLoop loop;
    private final long maxPending;
    /** Past three quarters of max_pending, publishers to this connection are slowed down, as upstream. */
    private final long stallThreshold;
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

    public Outbound(Channel channel, long maxPending, Runnable onSlowConsumer) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.maxPending = maxPending;
        this.stallThreshold = maxPending / 4 * 3;
        this.onSlowConsumer = onSlowConsumer;
    }

    /** What {@link #appendMessage} did. */
    public static final int DROPPED = -1;
    public static final int APPENDED = 0;
    public static final int APPENDED_LAST = 1;

    /**
     * Appends a MSG/HMSG for {@code sub}, counting it against the subscription's limit under
     * this buffer's lock. Returns {@link #APPENDED_LAST} when it was the subscription's last
     * message, {@link #DROPPED} when not appended (limit reached, closed, slow consumer).
     */
    public int appendMessage(Subscription sub, InboundMessage msg, boolean headers, FlushBatch batch) {
        boolean slow;
        long n;
        synchronized (this) {
            if (closed) return DROPPED;
            n = sub.countDelivery();
            if (n < 0) return DROPPED;
            ByteBuf b = buffer(msg.totalLength() + 64);
            MessageWriter.write(b, msg, sub.sidBytes(), headers);
            slow = counted(b, headers ? msg.totalLength() : msg.payloadLength(), batch, true);
        }
        if (!scheduledUnlessSlow(slow, batch)) return DROPPED;
        return n == sub.max() ? APPENDED_LAST : APPENDED;
    }

    /** Writes one frame of another dialect into the buffer (an MQTT PUBLISH); see {@link #appendFrame}. */
    public interface FrameWriter {
        void write(ByteBuf out);
    }

    /**
     * Appends a frame that {@code writer} encodes (about {@code size} bytes), counted as a delivered message and
     * held to max_pending as {@link #appendMessage} is. False when closed or, past max_pending, when the
     * receiver has just become a slow consumer.
     */
    public boolean appendFrame(int size, int payloadLength, FrameWriter writer, FlushBatch batch) {
        boolean slow;
        synchronized (this) {
            if (closed) return false;
            ByteBuf b = buffer(size);
            writer.write(b);
            slow = counted(b, payloadLength, batch, true);
        }
        return scheduledUnlessSlow(slow, batch);
    }

    /** The subscription's delivery count, read under the lock that guards it. */
    public synchronized long delivered(Subscription sub) {
        return sub.delivered();
    }

    /** Appends protocol bytes (PONG, +OK, -ERR, PING, INFO) written by this connection's loop. */
    public void appendControl(byte[] line, FlushBatch batch) {
        synchronized (this) {
            if (closed) return;
            buffer(line.length).writeBytes(line);
        }
        schedule(batch);
    }

    /**
     * Appends a routed message (RMSG/HMSG) for a peer server, naming the queue groups it must
     * serve there, under this buffer's lock; flushed with {@code batch}. A null {@code account}
     * writes the leaf node dialect (LMSG/HMSG, the account being the connection's). False when
     * closed or, past max_pending, when the route has just become a slow consumer.
     */
    public boolean appendRouted(byte[] account, InboundMessage msg, byte[][] queues, int queueCount, boolean headers,
                                FlushBatch batch) {
        return append(false, null, account, msg, queues, queueCount, headers, batch);
    }

    /**
     * As {@link #appendRouted(byte[], InboundMessage, byte[][], int, boolean, FlushBatch)}; a
     * non-null {@code origin} (the leaf cluster the message came from) writes LMSG for a route.
     * A null {@code account} leaves it out, as on a route pinned to that account.
     */
    public boolean appendRouted(byte[] origin, byte[] account, InboundMessage msg, byte[][] queues, int queueCount,
                                boolean headers, FlushBatch batch) {
        return append(false, origin, account, msg, queues, queueCount, headers, batch);
    }

    /** A message in the leaf node dialect (LMSG/HMSG without account or origin). */
    public boolean appendLeaf(InboundMessage msg, byte[][] queues, int queueCount, boolean headers, FlushBatch batch) {
        return append(true, null, null, msg, queues, queueCount, headers, batch);
    }

    private boolean append(boolean leaf, byte[] origin, byte[] account, InboundMessage msg, byte[][] queues,
                           int queueCount, boolean headers, FlushBatch batch) {
        boolean slow;
        synchronized (this) {
            if (closed) return false;
            ByteBuf b = buffer(msg.totalLength() + 64);
            if (leaf) RouteWriter.writeLeafMessage(b, msg, queues, queueCount, headers);
            else if (origin != null) RouteWriter.writeLeafOriginMessage(b, origin, account, msg, queues, queueCount);
            else RouteWriter.writeMessage(b, account, msg, queues, queueCount, headers);
            // a server peer is never stalled: upstream does not slow routes or leaf nodes down
            slow = counted(b, msg.totalLength(), batch, false);
        }
        return scheduledUnlessSlow(slow, batch);
    }

    /**
     * After a frame went into {@code b}, under this lock: counts it, and past max_pending marks
     * this receiver a slow consumer (true); short of that, may stall the publisher's batch.
     */
    private boolean counted(ByteBuf b, long byteCount, FlushBatch batch, boolean mayStall) {
        msgs++;
        bytes += byteCount;
        long pending = b.readableBytes() + channelPending();
        if (pending > maxPending) {
            closed = true;
            return true;
        }
        if (mayStall && pending > stallThreshold) batch.stallOn(this);
        return false;
    }

    /** Outside the lock: a slow consumer is reported (false), anything else is flushed with the batch (true). */
    private boolean scheduledUnlessSlow(boolean slow, FlushBatch batch) {
        if (slow) {
            onSlowConsumer.run();
            return false;
        }
        schedule(batch);
        return true;
    }

    /**
     * Appends protocol bytes from any thread, outside any inbound batch (interest changes
     * caused by other connections): flushed by a task on this connection's loop.
     */
    public void appendControlAndFlush(byte[] line) {
        synchronized (this) {
            if (closed) return;
            buffer(line.length).writeBytes(line);
        }
        if (!flushPending.get() && flushPending.compareAndSet(false, true)) loop.execute(flushTask);
    }

    private ByteBuf buffer(int hint) {
        ByteBuf b = buf;
        if (b == null) {
            b = channel.alloc().directBuffer(Math.max(INITIAL_CAPACITY, hint));
            buf = b;
        }
        return b;
    }

    @Override
    public boolean overStallThreshold() {
        ByteBuf b;
        long mine;
        synchronized (this) {
            if (closed) return false;
            b = buf;
            mine = b == null ? 0 : b.readableBytes();
        }
        return mine + channelPending() > stallThreshold;
    }

    private long channelPending() {
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    private void schedule(FlushBatch batch) {
        // A plain read first: once scheduled, later messages of the batch skip the CAS.
        if (!flushPending.get() && flushPending.compareAndSet(false, true)) batch.add(this);
    }

    @Override
    public void flushFromBatch(long activityNanos) {
        if (activityNanos != 0) lastDeliveryNanos = activityNanos;
        if (loop.inEventLoop()) flush();
        else loop.execute(flushTask);
    }

    /** Writes out everything appended so far; on this connection's event loop. */
    public void flush() {
        flushPending.set(false);
        ByteBuf b;
        synchronized (this) {
            b = buf;
            buf = null;
        }
        if (b != null) channel.writeAndFlush(b, channel.voidPromise());
    }

    /** Stops accepting messages and drops what was not yet written. */
    public void close() {
        ByteBuf b;
        synchronized (this) {
            closed = true;
            b = buf;
            buf = null;
        }
        if (b != null) b.release();
    }

    public synchronized long msgs() {
        return msgs;
    }

    public synchronized long bytes() {
        return bytes;
    }

    /** Bytes appended and not yet written to the socket: ours plus what the channel still holds. */
    public long pendingBytes() {
        int own;
        synchronized (this) {
            own = buf == null ? 0 : buf.readableBytes();
        }
        return own + channelPending();
    }

    /** How many buffers hold those bytes (upstream's "chunks" in its slow consumer line): ours and the channel's queued writes. */
    public int pendingChunks() {
        int own;
        synchronized (this) {
            own = buf == null || !buf.isReadable() ? 0 : 1;
        }
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return own + (ob == null ? 0 : ob.size());
    }

    public long lastDeliveryNanos() {
        return lastDeliveryNanos;
    }
}
