package io.jnatsd.server.jetstream.consumer;

/**
 * A change of a consumer's replicated state, as its leader decides it and every replica
 * applies it ({@link Consumer#apply}), upstream's updateDeliveredOp and updateAcksOp: a
 * message delivered (stream and consumer sequence, its delivery count, when), or acknowledged
 * (with ack all, everything up to it). What only the leader needs (pull requests waiting, the
 * ack_wait timer, flow control, pins) is not an entry.
 */
public record ConsumerEntry(Op op, long streamSeq, long consumerSeq, long deliveries, long timestampNanos) {
    public enum Op { DELIVERED, ACKED }

    static ConsumerEntry delivered(long streamSeq, long consumerSeq, long deliveries, long timestampNanos) {
        return new ConsumerEntry(Op.DELIVERED, streamSeq, consumerSeq, deliveries, timestampNanos);
    }

    static ConsumerEntry acked(long streamSeq, long consumerSeq) {
        return new ConsumerEntry(Op.ACKED, streamSeq, consumerSeq, 0, 0);
    }
}
