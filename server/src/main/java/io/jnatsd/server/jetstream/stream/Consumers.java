package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.core.FlushBatch;

/**
 * What a stream needs of its consumers (the consumer package implements it, so that a stream
 * never depends on how consumers work): which subjects interest them (interest retention), new
 * messages as they are applied, and a delivery of those before the publishers' acks leave.
 */
public interface Consumers {
    /** Whether a message on {@code subject} interests any consumer. */
    boolean interested(String subject);

    /** A message was applied to the store: consumers that want it are noted for {@link #deliverStored}. */
    void stored(long seq, String subject);

    /** Delivers what was stored since the last call, into the writer's flush batch. */
    void deliverStored(FlushBatch batch);

    int size();

    /**
     * This replica stopped leading its replicated stream: its consumers stop (their configs and
     * states stay on disk, kept up to date from the leader's entries from now on).
     */
    void leadershipLost();

    /** This replica leads its replicated stream now: its durable consumers start from what the log brought. */
    void leadershipGained();

    /**
     * A follower applies what the leader's durable consumers did ({@code kind} one of the
     * {@code CONSUMER_*} kinds): writes the consumer's config or state, or removes it.
     */
    void replicated(StreamEntry.Kind kind, String consumer, byte[] body);

    /** The server shuts down: consumers stop and write their state. */
    void close();
}
