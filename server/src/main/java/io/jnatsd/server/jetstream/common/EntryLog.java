package io.jnatsd.server.jetstream.common;

/**
 * The seam between deciding a change and applying it. A stream's leader decides what a publish
 * becomes (dedupe, expectations, limits, rollup, TTL) and appends the resulting entry; every
 * replica applies entries in log order, from the committed log. A consumer's delivered and acked
 * state changes go the same way. A server on its own uses {@code cluster.StandaloneLog}, which
 * applies each entry at once on the appending thread, so the single-server path and the
 * replicated one run the same decide and apply code; a Raft group (Ratis) is the other
 * implementation.
 *
 * @param <E> the entry type, immutable
 */
public interface EntryLog<E> {
    /** Applies one committed entry; returns what the appender needs back (a stream sequence, or 0). */
    @FunctionalInterface
    interface Applier<E> {
        long apply(E entry);
    }

    /** Opens the log of one stream or consumer (its Raft group, when replicated). */
    interface Factory {
        <E> EntryLog<E> open(String group, Applier<E> applier);
    }

    /**
     * Appends {@code entry}, which is applied once committed. A standalone log commits and applies
     * it before returning and returns the applier's result.
     */
    long append(E entry);
}
