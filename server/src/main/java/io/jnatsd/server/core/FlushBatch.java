package io.jnatsd.server.core;

import java.util.ArrayList;

/**
 * The subscribers whose outbound buffers one inbound read has filled. The reading
 * connection flushes them all once when the read is done (flush coalescing), so a burst of
 * published messages costs one write per receiver, not one per message. It is also the
 * publisher's scratch for routing (the remote servers a message goes to), being the one
 * object that travels with every publish of one publisher.
 */
public final class FlushBatch {
    /** Something with bytes waiting to be written, flushed on its own event loop. */
    public interface Flushable {
        /**
         * Writes out what is pending; called on the owner's event loop, or hands itself to it.
         * {@code activityNanos} is when the read that filled it happened ({@link System#nanoTime}),
         * the receiver's last activity as monitoring reports it; 0 when unknown.
         */
        void flushFromBatch(long activityNanos);
    }

    private final ArrayList<Flushable> pending = new ArrayList<>();
    /**
     * The remote servers each message being routed goes to, one set per nesting level: a
     * delivery can publish again on the same thread (an import forwarding into another
     * account), and that message's targets must not mix with the first one's. Made on first use.
     */
    private RemoteTargets[] remoteTargets = new RemoteTargets[2];
    private int routingDepth;
    private String originCluster;
    private final Subscriber origin;
    private long activityNanos;
    /** The trace of the message being routed, or null (nearly always). */
    private MsgTrace trace;

    /** A batch for a publisher that is not a client (an internal service). */
    public FlushBatch() {
        this(null);
    }

    /** A batch of the connection {@code origin}: receivers may ask who published what they got. */
    public FlushBatch(Subscriber origin) {
        this.origin = origin;
    }

    /** The trace of the message being routed through this batch, or null. */
    public MsgTrace trace() {
        return trace;
    }

    /** Set by the publisher around the routing of one traced message, and cleared (null) after it. */
    public void trace(MsgTrace t) {
        trace = t;
    }

    /** The connection whose reads fill this batch, or null for an internal publisher. */
    public Subscriber origin() {
        return origin;
    }

    /** Records when the read now being processed happened; passed on to every receiver flushed. */
    public void activity(long nanos) {
        activityNanos = nanos;
    }

    /** Starts routing one message (maybe inside the routing of another); pair with {@link #exitRouting()}. */
    void enterRouting() {
        routingDepth++;
    }

    void exitRouting() {
        routingDepth--;
    }

    /**
     * The leaf cluster the message being routed now entered from, or null (see
     * {@link Subscriber#originCluster()}): what its publisher says, or for a publisher that is
     * only plumbing (an import forwarder publishes without one) the enclosing message's, as
     * upstream carries an import out on the leaf's own connection. A message a service
     * publishes while routing another (a stream's ack) has its own publisher, so no origin.
     */
    public String originCluster() {
        return originCluster;
    }

    /** Sets the origin cluster for the message about to be routed; returns the enclosing one to restore. */
    String enterOrigin(Subscriber publisher) {
        String outer = originCluster;
        if (publisher != null) originCluster = publisher.originCluster();
        return outer;
    }

    void exitOrigin(String outer) {
        originCluster = outer;
    }

    /** The remote servers the message being routed at this level goes to. */
    RemoteTargets remoteTargets() {
        int d = routingDepth - 1;
        if (d >= remoteTargets.length) remoteTargets = java.util.Arrays.copyOf(remoteTargets, d + 2);
        RemoteTargets t = remoteTargets[d];
        if (t == null) remoteTargets[d] = t = new RemoteTargets();
        return t;
    }

    boolean hasRemoteTargets() {
        RemoteTargets t = routingDepth > 0 && routingDepth <= remoteTargets.length ? remoteTargets[routingDepth - 1] : null;
        return t != null && t.count() > 0;
    }

    public void add(Flushable f) {
        pending.add(f);
    }

    /** Something whose backlog can make its publishers wait (fast-producer stall). */
    public interface Backlogged {
        /** Whether the backlog is still over the stall threshold. */
        boolean overStallThreshold();
    }

    private Backlogged stalledOn;

    /** A receiver filled by this batch is over the stall threshold: the publisher should pause. */
    public void stallOn(Backlogged receiver) {
        stalledOn = receiver;
    }

    public boolean hasStall() {
        return stalledOn != null;
    }

    /** The receiver this batch's publisher should wait for, then forgets it; null when none. */
    public Backlogged takeStall() {
        Backlogged b = stalledOn;
        stalledOn = null;
        return b;
    }

    public void flushAll() {
        int n = pending.size();
        if (n == 0) return;
        for (int i = 0; i < n; i++) pending.get(i).flushFromBatch(activityNanos);
        pending.clear();
    }
}
