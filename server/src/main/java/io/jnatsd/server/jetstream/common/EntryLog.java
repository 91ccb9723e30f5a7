package io.jnatsd.server.jetstream.common;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The seam between deciding a change and applying it. A stream's leader decides what a publish
 * becomes (dedupe, expectations, limits, rollup, TTL) and appends the resulting entry; every
 * replica applies entries in log order, from the committed log. A consumer's delivered and acked
 * state changes go the same way. A server on its own uses {@code cluster.StandaloneLog}, which
 * applies each entry at once on the appending thread, so the single-server path and the
 * replicated one run the same decide and apply code; a Raft group (Ratis) is the other
 * implementation, which commits later: its writer proposes and acknowledges from the completion.
 *
 * @param <E> the entry type, immutable
 */
public interface EntryLog<E> {
    /** Applies one committed entry; returns what the appender needs back (a stream sequence, or 0). */
    @FunctionalInterface
    interface Applier<E> {
        long apply(E entry);
    }

    /** How a replicated log writes its entries: bytes that every replica reads back alike. */
    interface Codec<E> {
        byte[] encode(E entry);

        E decode(java.nio.ByteBuffer bytes);
    }

    /** Opens the log of one stream or consumer (its Raft group, when replicated). */
    interface Factory {
        <E> EntryLog<E> open(String group, Applier<E> applier, Codec<E> codec);
    }

    /**
     * Appends {@code entry}, which is applied once committed. A standalone log commits and applies
     * it before returning and returns the applier's result. A replicated log cannot: see
     * {@link #propose}.
     */
    long append(E entry);

    /** True when entries commit later, through {@link #propose}; {@link #append} is then not available. */
    default boolean replicated() {
        return false;
    }

    /** Proposes {@code entry}; completes with the applier's result on this (leading) member once committed. */
    default CompletableFuture<Long> propose(E entry) {
        return CompletableFuture.completedFuture(append(entry));
    }

    /**
     * Proposes {@code entries} as one unit of the log (one commit for all, applied one after
     * another); completes with each applier's result, in order.
     */
    default CompletableFuture<long[]> proposeAll(java.util.List<E> entries) {
        long[] out = new long[entries.size()];
        for (int i = 0; i < out.length; i++) out[i] = append(entries.get(i));
        return CompletableFuture.completedFuture(out);
    }

    /**
     * Tells {@code leading} whether this member leads now and every time that changes. A standalone
     * log always leads.
     */
    default void onLeadership(Consumer<Boolean> leading) {
        leading.accept(true);
    }
}
