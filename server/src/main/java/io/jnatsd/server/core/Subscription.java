package io.jnatsd.server.core;

import java.nio.charset.StandardCharsets;

/**
 * One SUB: its subject, optional queue group and sid, owned by a {@link Subscriber}.
 * The sid's bytes are kept ready so that encoding a delivery allocates nothing.
 *
 * <p>The delivery count is guarded by the owner: publishers on several threads count under
 * the lock the owner already takes to append to its outbound buffer, so counting costs no
 * atomic operation of its own.
 */
public final class Subscription {
    private final Subscriber owner;
    /** The owner's kind, kept here so that routing reads a field, not an interface call per delivery. */
    private final ConnectionKind kind;
    private final String subject;
    private final String queue;
    private final String sid;
    private final byte[] sidBytes;
    /** The queue's bytes, as a routed message names its groups; null for a plain subscription. */
    private final byte[] queueBytes;
    /** Auto-unsubscribe limit; 0 means none. Written by the owner, read by publishers. */
    private volatile long max;
    /** Guarded by the owner's delivery lock. */
    private long delivered;
    /**
     * How many members of its queue group this subscription stands for: 1 for a local one; for
     * a route's, the number of members on that server (RS+ weight), so that a queue group picks
     * among all members cluster-wide evenly. Changed in place when the weight changes: a cached
     * match holds this same object and sees the new weight.
     */
    private volatile int weight = 1;

    public Subscription(Subscriber owner, String subject, String queue, String sid) {
        this.owner = owner;
        this.kind = owner.kind();
        this.subject = subject;
        this.queue = queue;
        this.sid = sid;
        this.sidBytes = sid.getBytes(StandardCharsets.UTF_8);
        this.queueBytes = queue == null ? null : queue.getBytes(StandardCharsets.UTF_8);
    }

    public Subscriber owner() { return owner; }
    public ConnectionKind kind() { return kind; }
    public String subject() { return subject; }
    public String queue() { return queue; }
    public String sid() { return sid; }
    public byte[] sidBytes() { return sidBytes; }
    public byte[] queueBytes() { return queueBytes; }
    public long max() { return max; }

    public int weight() {
        return weight;
    }

    public void setWeight(int weight) {
        this.weight = weight;
    }

    public void setMax(long max) {
        this.max = max;
    }

    /** Deliveries so far; call under the owner's delivery lock. */
    public long delivered() {
        return delivered;
    }

    /**
     * Counts one delivery, under the owner's delivery lock. Returns the new count, or -1 when
     * the auto-unsubscribe limit was already reached and the message must not be delivered.
     */
    public long countDelivery() {
        long m = max;
        if (m > 0 && delivered >= m) return -1;
        return ++delivered;
    }
}
