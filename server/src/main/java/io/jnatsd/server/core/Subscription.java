package io.jnatsd.server.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * One SUB: its subject, optional queue group and sid, owned by a {@link Subscriber}.
 * The sid's bytes are kept ready so that encoding a delivery allocates nothing.
 */
public final class Subscription {
    private static final VarHandle DELIVERED;

    static {
        try {
            DELIVERED = MethodHandles.lookup().findVarHandle(Subscription.class, "delivered", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Subscriber owner;
    private final String subject;
    private final String queue;
    private final String sid;
    private final byte[] sidBytes;
    /** Auto-unsubscribe limit; 0 means none. Written by the owner, read by publishers. */
    private volatile long max;
    @SuppressWarnings("unused") // through DELIVERED
    private volatile long delivered;

    public Subscription(Subscriber owner, String subject, String queue, String sid) {
        this.owner = owner;
        this.subject = subject;
        this.queue = queue;
        this.sid = sid;
        this.sidBytes = sid.getBytes(StandardCharsets.UTF_8);
    }

    public Subscriber owner() { return owner; }
    public String subject() { return subject; }
    public String queue() { return queue; }
    public String sid() { return sid; }
    public byte[] sidBytes() { return sidBytes; }
    public long max() { return max; }
    public long delivered() { return delivered; }

    public void setMax(long max) {
        this.max = max;
    }

    /**
     * Counts one delivery. Returns the new count, or -1 when the auto-unsubscribe limit was
     * already reached (the message must not be delivered). Safe from any publisher thread.
     */
    public long claimDelivery() {
        long n = (long) DELIVERED.getAndAdd(this, 1L) + 1;
        long m = max;
        return m > 0 && n > m ? -1 : n;
    }
}
