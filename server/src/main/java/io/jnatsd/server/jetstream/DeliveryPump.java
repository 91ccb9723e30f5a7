package io.jnatsd.server.jetstream;

import io.jnatsd.server.core.FlushBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A consumer's delivery runs, on the consumer's own executor and never on an event loop: asked
 * for by {@link #signal()} (coalesced), a run hands out one message at a time under the
 * consumer's lock ({@link Consumer#deliverOne}), flushes the receivers once at its end and only
 * then, off the lock, tells the stream of implicit acks.
 */
final class DeliveryPump {
    private static final int MAX_DELIVERIES_PER_RUN = 256;
    /**
     * A run also ends past this many bytes: what it delivers sits in the receivers' outbound
     * buffers until the run's flush, and 256 object-store chunks of 128 KiB would otherwise grow
     * one buffer towards 32 MB (one reallocation at 12 MB failed in a 16 MB heap).
     */
    private static final long MAX_BYTES_PER_RUN = 1024 * 1024;

    private final Consumer consumer;
    private final StreamConsumers owner;
    private final AtomicBoolean pumpQueued = new AtomicBoolean();
    /** Bytes delivered by the current run; touched by the pump only. */
    private long runBytes;

    DeliveryPump(Consumer consumer, StreamConsumers owner) {
        this.consumer = consumer;
        this.owner = owner;
    }

    /** Asks for a delivery run on the consumer's executor (coalesced). */
    void signal() {
        if (pumpQueued.compareAndSet(false, true)) consumer.run(this::pump);
    }

    /** The current run delivered {@code size} more bytes. */
    void sent(long size) {
        runBytes += size;
    }

    private void pump() {
        pumpQueued.set(false);
        runBytes = 0;
        FlushBatch batch = new FlushBatch();
        List<Long> retention = null;
        int delivered = 0;
        boolean runFull = false;
        long step;
        while (!runFull && (step = consumer.deliverOne(batch)) != Consumer.STOP) {
            if (step > 0) {
                if (retention == null) retention = new ArrayList<>();
                retention.add(step);
            }
            runFull = ++delivered >= MAX_DELIVERIES_PER_RUN || runBytes >= MAX_BYTES_PER_RUN;
        }
        batch.flushAll();
        if (retention != null) for (long seq : retention) owner.acknowledged(consumer, seq);
        if (runFull) signal();
    }
}
