package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.raft.LogApplier;
import io.jnatsd.raft.ReplicatedLog;
import io.jnatsd.server.jetstream.common.EntryLog;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The log of a replicated stream (or the meta group): one Ratis group. The leader proposes
 * entries; every member applies them, once committed, on the group's apply thread.
 *
 * <p>Leading is announced only once this member has applied everything committed before its
 * term: on election it proposes a barrier and tells the listeners when the barrier comes back, so
 * a new leader never decides (dedupe, expected sequences) on state that lacks its predecessor's
 * last entries.
 *
 * <p>After a restart Ratis replays the entries past the group's last snapshot point; those the
 * store already holds ({@link Durability#appliedUpTo}) are skipped.
 */
final class RaftEntryLog<E> implements EntryLog<E>, LogApplier {
    private static final byte DATA = 0;
    private static final byte BARRIER = 1;
    /** Several entries committed as one: a count, then each entry's length and bytes. */
    private static final byte BATCH = 2;

    /** What makes applied entries durable here, so that Ratis may drop its log up to them. */
    interface Durability {
        /** The index up to which entries are already applied in durable state, restored before the replay. */
        long appliedUpTo();

        /** Flushes applied state and records {@code index} as applied; false when this state cannot be made durable. */
        boolean persist(long index);
    }

    private final String group;
    private final String self;
    private final Applier<E> applier;
    private final Codec<E> codec;
    private final Durability durability;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final long skipUpTo;
    private volatile ReplicatedLog log;
    private volatile boolean leading;
    private volatile String leader;
    /** Bumped on every leader change: a barrier that comes back after another change announces nothing. */
    private volatile long leaderEpoch;
    private volatile long lastApplied;
    /** The results of batches this member proposed, by log index, until their proposer collects them. */
    private final java.util.Map<Long, long[]> batchResults = new java.util.concurrent.ConcurrentHashMap<>();

    RaftEntryLog(String group, String self, Applier<E> applier, Codec<E> codec, Durability durability) {
        this.group = group;
        this.self = self;
        this.applier = applier;
        this.codec = codec;
        this.durability = durability;
        this.skipUpTo = durability == null ? 0 : durability.appliedUpTo();
    }

    String group() {
        return group;
    }

    void attach(ReplicatedLog log) {
        this.log = log;
        String l = log.leader();
        if (l != null) leaderChanged(l);
    }

    ReplicatedLog replicatedLog() {
        return log;
    }

    /** The leader's server name as this member last heard it, or null. */
    String leader() {
        return leader;
    }

    boolean isLeading() {
        return leading;
    }

    @Override
    public long append(E entry) {
        throw new UnsupportedOperationException("a replicated log commits through propose");
    }

    @Override
    public boolean replicated() {
        return true;
    }

    @Override
    public CompletableFuture<Long> propose(E entry) {
        ReplicatedLog l = log;
        if (l == null || !leading) return CompletableFuture.failedFuture(new IllegalStateException("not the leader of " + group));
        byte[] body = codec.encode(entry);
        byte[] framed = new byte[body.length + 1];
        framed[0] = DATA;
        System.arraycopy(body, 0, framed, 1, body.length);
        return l.propose(framed);
    }

    @Override
    public CompletableFuture<long[]> proposeAll(List<E> entries) {
        ReplicatedLog l = log;
        if (l == null || !leading) return CompletableFuture.failedFuture(new IllegalStateException("not the leader of " + group));
        List<byte[]> bodies = new java.util.ArrayList<>(entries.size());
        int size = 5;
        for (E e : entries) {
            byte[] b = codec.encode(e);
            bodies.add(b);
            size += 4 + b.length;
        }
        ByteBuffer framed = ByteBuffer.allocate(size).put(BATCH).putInt(bodies.size());
        for (byte[] b : bodies) framed.putInt(b.length).put(b);
        return l.propose(framed.array()).thenApply(index -> {
            long[] results = batchResults.remove(index);
            if (results == null) throw new IllegalStateException("batch at " + index + " applied while not leading");
            return results;
        });
    }

    @Override
    public void onLeadership(Consumer<Boolean> listener) {
        listeners.add(listener);
        listener.accept(leading);
    }

    @Override
    public long apply(long index, ByteBuffer entry) {
        lastApplied = index;
        if (index <= skipUpTo) return 0;
        byte tag = entry.get();
        if (tag == BARRIER) return 0;
        if (tag == BATCH) return applyBatch(index, entry);
        return applier.apply(codec.decode(entry));
    }

    /** Applies a batch's entries in order; the leader that proposed it keeps their results for its proposal. */
    private long applyBatch(long index, ByteBuffer entry) {
        int n = entry.getInt();
        long[] results = new long[n];
        for (int i = 0; i < n; i++) {
            int len = entry.getInt();
            ByteBuffer one = entry.slice(entry.position(), len);
            entry.position(entry.position() + len);
            results[i] = applier.apply(codec.decode(one));
        }
        if (leading) batchResults.put(index, results);
        return index;
    }

    @Override
    public void leaderChanged(String leaderId) {
        long epoch;
        synchronized (this) {
            leader = leaderId;
            epoch = ++leaderEpoch;
        }
        if (!self.equals(leaderId)) {
            announce(false);
            return;
        }
        ReplicatedLog l = log;
        if (l == null || leading) return;
        l.propose(new byte[] {BARRIER}).whenComplete((r, failed) -> {
            if (failed == null && leaderEpoch == epoch && self.equals(leader)) announce(true);
        });
    }

    private synchronized void announce(boolean now) {
        if (leading == now) return;
        leading = now;
        if (!now) batchResults.clear(); // their proposals failed or will: nobody collects them
        for (Consumer<Boolean> l : listeners) l.accept(now);
    }

    @Override
    public boolean persistApplied() {
        return durability != null && durability.persist(lastApplied);
    }
}
