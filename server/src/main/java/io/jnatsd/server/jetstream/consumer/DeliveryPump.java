package io.jnatsd.server.jetstream.consumer;

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
    /** The thread of the executor's current run, whose deliveries {@link #sent} counts. */
    private volatile Thread runner;
    /**
     * Messages delivered on the stream writer's thread per stored batch: enough for a publisher
     * that waits for each ack, few enough that a backlog never holds an event loop.
     */
    private static final int MAX_DELIVERIES_INLINE = 16;

    DeliveryPump(Consumer consumer, StreamConsumers owner) {
        this.consumer = consumer;
        this.owner = owner;
    }

    /** Asks for a delivery run on the consumer's executor (coalesced). */
    void signal() {
        if (pumpQueued.compareAndSet(false, true)) consumer.run(this::pump);
    }

    /**
     * Delivers at once, on the calling thread (the stream's writer, often the publisher's event
     * loop) into its flush batch: at most a few messages, the rest left to a run on the
     * executor. A run there may be going on at the same time; each message is still picked and
     * published under the consumer's lock, so receivers see them in order.
     */
    void deliverNow(FlushBatch batch) {
        List<Long> retention = null;
        long step = 0;
        for (int i = 0; i < MAX_DELIVERIES_INLINE && (step = consumer.deliverOne(batch)) != Consumer.STOP; i++) {
            if (step > 0) {
                if (retention == null) retention = new ArrayList<>();
                retention.add(step);
            }
        }
        if (retention != null) for (long seq : retention) owner.acknowledged(consumer, seq);
        if (step != Consumer.STOP) signal();
    }

    /** A delivery of {@code size} bytes; counted towards the run's limit when made by the executor's run. */
    void sent(long size) {
        if (Thread.currentThread() == runner) runBytes += size;
    }

    private void pump() {
        pumpQueued.set(false);
        runner = Thread.currentThread();
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
