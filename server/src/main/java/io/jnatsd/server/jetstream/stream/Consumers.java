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
     * This replica stopped leading its replicated stream. Consumers of a replicated stream live
     * on its leader only (they are not replicated yet), so they go, without advisories.
     */
    void leadershipLost();

    /** The server shuts down: consumers stop and write their state. */
    void close();
}
