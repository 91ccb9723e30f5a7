package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamEntry;

import io.jnatsd.store.ConsumerState;
import io.jnatsd.store.ConsumerStateCodec;
import io.jnatsd.store.ConsumerStore;
import java.util.concurrent.TimeUnit;

/**
 * Writes a consumer's state (delivered, ack floor, pending, redelivered) to its store: what
 * changes is written within a tenth of a second, by one flush on the consumer's executor however
 * many changes came meanwhile; on shutdown the consumer writes its last state. Nothing is
 * written without a store. Guarded by the consumer's lock.
 */
final class ConsumerStateWriter {
    private static final long STATE_FLUSH_INTERVAL_NANOS = 100_000_000L;

    private final Consumer consumer;
    /** Null: nothing to write to. */
    private final ConsumerStore store;
    private final AckTracker acks;
    private boolean dirty;
    private boolean flushQueued;

    ConsumerStateWriter(Consumer consumer, ConsumerStore store, AckTracker acks) {
        this.consumer = consumer;
        this.store = store;
        this.acks = acks;
    }

    /** The state changed: a flush is due. Lock held. */
    void markDirty() {
        dirty = true;
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (store == null || flushQueued) return;
        flushQueued = true;
        consumer.js().timers().schedule(() -> consumer.run(this::flushState), STATE_FLUSH_INTERVAL_NANOS,
                TimeUnit.NANOSECONDS);
    }

    private void flushState() {
        ConsumerState st;
        synchronized (consumer) {
            flushQueued = false;
            if (consumer.isStopped() || !dirty) return;
            dirty = false;
            st = snapshot();
        }
        write(st);
    }

    /** Off the lock: writing may take the disk's time. */
    void write(ConsumerState st) {
        try {
            store.update(st);
            if (consumer.config().isDurable()) {
                consumer.stream().replicateConsumer(StreamEntry.Kind.CONSUMER_STATE, consumer.name(), ConsumerStateCodec.encode(st));
            }
        } catch (RuntimeException e) {
            Stream stream = consumer.stream();
            consumer.js().log().warn("JetStream could not write the state of consumer '%s > %s > %s': %s",
                    stream.account().name(), stream.name(), consumer.name(), e.getMessage());
        }
    }

    /** The state as it is now. Lock held. */
    ConsumerState snapshot() {
        return acks.snapshot(consumer.dseq(), consumer.sseq());
    }
}
