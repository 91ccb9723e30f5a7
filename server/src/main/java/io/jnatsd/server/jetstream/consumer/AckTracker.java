package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.store.ConsumerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * What a consumer has handed out and not yet had acknowledged (upstream's pending, rdc and rdq
 * with the ack floors): deliveries awaiting their ack by stream sequence, how often each was
 * redelivered, the queue of those to redeliver next, and the floor below which everything is
 * acknowledged. Guarded by the consumer's lock; the consumer owns the delivered sequences.
 */
final class AckTracker {
    /** A delivery awaiting its ack: consumer sequence and when it was (re)delivered, epoch nanos. */
    static final class Pending {
        final long dseq;
        long timestamp;

        Pending(long dseq, long timestamp) {
            this.dseq = dseq;
            this.timestamp = timestamp;
        }
    }

    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    /** Stream sequence → times redelivered (delivery count minus one). */
    private final Map<Long, Long> redelivered = new HashMap<>();
    private final LinkedHashSet<Long> queue = new LinkedHashSet<>();
    /** Consumer and stream sequence of the ack floor. */
    long floorConsumer;
    long floorStream;

    int pendingCount() {
        return pending.size();
    }

    int redeliveredCount() {
        return redelivered.size();
    }

    int queuedCount() {
        return queue.size();
    }

    Pending pending(long seq) {
        return pending.get(seq);
    }

    /** A delivery now awaits its ack (again). */
    void track(long seq, long dseq, long now) {
        Pending p = pending.get(seq);
        if (p != null) p.timestamp = now;
        else pending.put(seq, new Pending(dseq, now));
    }

    /** The delivery count {@code seq} would have if delivered now. */
    long deliveries(long seq) {
        Long n = redelivered.get(seq);
        return n == null ? 1 : n + 1;
    }

    /** A delivery of {@code seq} was its {@code deliveries}th (a replica learns redeliveries so). */
    void countDeliveries(long seq, long deliveries) {
        if (deliveries > 1) redelivered.put(seq, deliveries - 1);
    }

    /** Takes the next sequence to redeliver and counts the redelivery; 0 when there is none. */
    long nextRedelivery() {
        Iterator<Long> it = queue.iterator();
        if (!it.hasNext()) return 0;
        long seq = it.next();
        it.remove();
        redelivered.merge(seq, 1L, Long::sum);
        return seq;
    }

    /** Queues {@code seq} for redelivery, if pending and not queued yet. */
    boolean requeue(long seq) {
        return pending.containsKey(seq) && queue.add(seq);
    }

    /** Queues every pending delivery for redelivery (the push deliver subject changed). */
    void requeueAll() {
        queue.addAll(pending.keySet());
    }

    /** When {@code seq} was delivered: {@code progress} (+WPI) and delayed NAKs move it. */
    void touch(long seq, long timestamp) {
        Pending p = pending.get(seq);
        if (p != null) p.timestamp = timestamp;
    }

    boolean isPending(long seq) {
        return pending.containsKey(seq);
    }

    void unqueue(long seq) {
        queue.remove(seq);
    }

    /** Gives up on {@code seq} without acknowledging it (max_deliver reached). */
    void drop(long seq) {
        pending.remove(seq);
    }

    /** Forgets {@code seq} entirely (it left the stream). */
    void forget(long seq) {
        pending.remove(seq);
        redelivered.remove(seq);
        queue.remove(seq);
    }

    /**
     * An explicit ack (upstream's AckExplicit branch): {@code dseq} from the reply unless the
     * pending record knows better; the floor moves up to the next pending delivery.
     * {@code nextDseq}/{@code nextSseq} are the consumer's next sequences.
     */
    void ackExplicit(long seq, long dseq, long nextDseq, long nextSseq) {
        Pending p = pending.remove(seq);
        if (p != null) dseq = p.dseq;
        if (pending.isEmpty()) {
            floorConsumer = nextDseq - 1;
            floorStream = nextSseq - 1;
        } else if (dseq == floorConsumer + 1) {
            floorConsumer = dseq;
            floorStream = seq;
            Map.Entry<Long, Pending> next = pending.ceilingEntry(seq + 1);
            if (next != null && next.getKey() < nextSseq) {
                floorConsumer = next.getValue().dseq - 1;
                floorStream = next.getKey() - 1;
            }
        }
        redelivered.remove(seq);
        queue.remove(seq);
    }

    /**
     * Ack all: everything up to {@code seq} is acknowledged. Returns the first stream sequence
     * newly acknowledged, or 0 when the ack is below the floor.
     */
    long ackAll(long seq, long dseq) {
        if (dseq <= floorConsumer || seq <= floorStream) return 0;
        long from = floorStream + 1;
        floorConsumer = dseq;
        floorStream = seq;
        pending.headMap(seq, true).clear();
        redelivered.keySet().removeIf(s -> s <= seq);
        queue.removeIf(s -> s <= seq);
        return from;
    }

    /**
     * upstream's checkPending: queues for redelivery what waited past its deadline (ack_wait, or
     * the backoff for its delivery count) and forgets what left the stream (below
     * {@code firstSeq}). Returns the sequences newly queued; {@code next[0]} receives the delay
     * until the next deadline.
     */
    List<Long> expire(long now, long ackWait, List<Long> backoff, long firstSeq, long[] next) {
        long nextDelay = backoff != null && !backoff.isEmpty() ? backoff.get(backoff.size() - 1) : ackWait;
        List<Long> expired = new ArrayList<>();
        Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Pending> e = it.next();
            long seq = e.getKey();
            if (seq < firstSeq) {
                it.remove();
                redelivered.remove(seq);
                queue.remove(seq);
                continue;
            }
            long elapsed = now - e.getValue().timestamp;
            long deadline = ackWait;
            if (backoff != null && !backoff.isEmpty()) {
                int dc = redelivered.getOrDefault(seq, 0L).intValue();
                int nbi = dc + 1;
                if (dc + 1 >= backoff.size()) {
                    dc = backoff.size() - 1;
                    nbi = dc;
                }
                deadline = backoff.get(dc);
                nextDelay = Math.min(nextDelay, backoff.get(nbi));
            }
            if (elapsed >= deadline) {
                if (!queue.contains(seq)) expired.add(seq);
            } else if (deadline - elapsed < nextDelay) {
                nextDelay = deadline - elapsed;
            }
        }
        if (!expired.isEmpty()) {
            expired.sort(null);
            queue.addAll(expired);
            // redelivery restarts the clock, keeping the expired ones in order
            long off = now - pending.get(expired.get(0)).timestamp;
            for (long seq : expired) pending.get(seq).timestamp += off;
        }
        next[0] = nextDelay;
        return expired;
    }

    /**
     * Messages went in bulk: drops deliveries no longer in the stream ({@code exists} says
     * which remain) and lifts the floor to {@code firstSeq}.
     */
    void purged(long firstSeq, long nextDseq, long nextSseq, LongPredicate exists) {
        if (floorStream < firstSeq) {
            floorStream = firstSeq - 1;
            floorConsumer = nextDseq - 1;
        }
        Iterator<Long> it = pending.keySet().iterator();
        while (it.hasNext()) {
            long seq = it.next();
            if (seq < firstSeq || !exists.test(seq)) {
                it.remove();
                redelivered.remove(seq);
                queue.remove(seq);
            }
        }
        queue.removeIf(seq -> !pending.containsKey(seq));
        if (pending.isEmpty()) {
            floorConsumer = nextDseq - 1;
            floorStream = Math.max(floorStream, nextSseq - 1);
        }
    }

    /** Whether {@code seq} still needs an ack from this consumer (interest retention). */
    boolean needs(long seq, long nextSseq, boolean explicit) {
        if (seq <= floorStream) return false;
        if (!explicit) return true;
        return seq >= nextSseq || pending.containsKey(seq);
    }

    void restore(ConsumerState st) {
        floorConsumer = st.ackFloor().consumerSeq();
        floorStream = st.ackFloor().streamSeq();
        pending.clear();
        st.pending().forEach((seq, p) -> pending.put(seq, new Pending(p.consumerSeq(), p.timestampNanos())));
        redelivered.clear();
        redelivered.putAll(st.redelivered());
        redelivered.keySet().removeIf(seq -> seq < floorStream);
        queue.clear();
    }

    ConsumerState snapshot(long nextDseq, long nextSseq) {
        Map<Long, ConsumerState.Pending> p = new HashMap<>(pending.size() * 2);
        pending.forEach((seq, v) -> p.put(seq, new ConsumerState.Pending(v.dseq, v.timestamp)));
        return new ConsumerState(new ConsumerState.SequencePair(nextDseq - 1, nextSseq - 1),
                new ConsumerState.SequencePair(floorConsumer, floorStream), p, redelivered);
    }
}
