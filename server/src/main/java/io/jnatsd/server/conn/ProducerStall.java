package io.jnatsd.server.conn;

import io.jnatsd.server.core.FlushBatch;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Fast-producer stall, as upstream: a receiver a producer just filled is past three quarters of
 * max_pending, so the producer's socket is not read until the receiver drains (or 100 ms pass),
 * rather than let the receiver be cut off as a slow consumer. For every kind of client connection
 * that publishes (NATS, MQTT).
 */
public final class ProducerStall {
    private static final long MAX_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private ProducerStall() {}

    /**
     * Stops reading {@code producer} while {@code receiver} is backlogged; reading resumes then
     * unless {@code closed}, and only if {@code mayResume} (the connection has not paused reading
     * for a reason of its own).
     */
    public static void stall(Channel producer, FlushBatch.Backlogged receiver, BooleanSupplier closed, BooleanSupplier mayResume) {
        stall(producer, receiver, System.nanoTime(), closed, mayResume);
    }

    private static void stall(Channel producer, FlushBatch.Backlogged receiver, long since, BooleanSupplier closed,
                              BooleanSupplier mayResume) {
        producer.config().setAutoRead(false);
        producer.eventLoop().schedule(() -> {
            if (closed.getAsBoolean()) return;
            if (receiver.overStallThreshold() && System.nanoTime() - since < MAX_STALL_NANOS) {
                stall(producer, receiver, since, closed, mayResume);
            } else if (mayResume.getAsBoolean()) {
                producer.config().setAutoRead(true);
            }
        }, 1, TimeUnit.MILLISECONDS);
    }
}
