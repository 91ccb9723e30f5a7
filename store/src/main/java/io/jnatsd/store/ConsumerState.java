package io.jnatsd.store;

import java.util.Map;
import java.util.Objects;

/**
 * A consumer's persisted state, as upstream's {@code ConsumerState}. The maps are immutable
 * copies.
 *
 * @param delivered   the last delivered consumer and stream sequences
 * @param ackFloor    the consumer and stream sequences below which everything is acknowledged
 * @param pending     stream sequence → delivery awaiting acknowledgement
 * @param redelivered stream sequence → delivery count, for messages delivered more than once
 */
public record ConsumerState(SequencePair delivered, SequencePair ackFloor, Map<Long, Pending> pending,
                            Map<Long, Long> redelivered) {

    /** A consumer that has delivered nothing. */
    public static final ConsumerState EMPTY =
            new ConsumerState(new SequencePair(0, 0), new SequencePair(0, 0), Map.of(), Map.of());

    public ConsumerState {
        Objects.requireNonNull(delivered, "delivered");
        Objects.requireNonNull(ackFloor, "ackFloor");
        pending = pending == null ? Map.of() : Map.copyOf(pending);
        redelivered = redelivered == null ? Map.of() : Map.copyOf(redelivered);
    }

    /** A consumer sequence and the stream sequence it corresponds to. */
    public record SequencePair(long consumerSeq, long streamSeq) {
    }

    /** A delivery awaiting acknowledgement: its consumer sequence and when it was delivered. */
    public record Pending(long consumerSeq, long timestampNanos) {
    }
}
