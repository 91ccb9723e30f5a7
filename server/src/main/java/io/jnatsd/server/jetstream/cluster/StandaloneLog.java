package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.server.jetstream.common.EntryLog;

/**
 * The log of a stream or consumer that has no replicas: an entry is committed the moment it is
 * appended, and applied at once on the appending thread (the stream's writer, or whoever holds
 * the consumer's lock), so appends are applied in the order they were made. Nothing is kept:
 * the store is the record.
 */
public final class StandaloneLog<E> implements EntryLog<E> {
    /** Opens standalone logs. */
    public static final Factory FACTORY = new Factory() {
        @Override
        public <E> EntryLog<E> open(String group, Applier<E> applier, Codec<E> codec) {
            return new StandaloneLog<>(group, applier);
        }
    };

    private final Applier<E> applier;
    /** Entries applied, as a Raft log's last applied index. Written by the appender only. */
    private long applied;

    public StandaloneLog(String group, Applier<E> applier) {
        this.applier = applier;
    }

    @Override
    public long append(E entry) {
        applied++;
        return applier.apply(entry);
    }

    /** How many entries were applied. */
    public long applied() {
        return applied;
    }
}
