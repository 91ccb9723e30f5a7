package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.EntryBytes;
import io.jnatsd.server.jetstream.common.EntryLog;

/**
 * A change of a consumer's replicated state, as its leader decides it and every replica
 * applies it ({@link Consumer#apply}), upstream's updateDeliveredOp and updateAcksOp: a
 * message delivered (stream and consumer sequence, its delivery count, when), or acknowledged
 * (with ack all, everything up to it). What only the leader needs (pull requests waiting, the
 * ack_wait timer, flow control, pins) is not an entry.
 */
public record ConsumerEntry(Op op, long streamSeq, long consumerSeq, long deliveries, long timestampNanos) {
    public enum Op { DELIVERED, ACKED }

    /** How a replicated consumer's log holds entries. */
    public static final EntryLog.Codec<ConsumerEntry> CODEC = new EntryLog.Codec<>() {
        @Override
        public byte[] encode(ConsumerEntry e) {
            return new EntryBytes(33).putByte(e.op.ordinal()).putLong(e.streamSeq).putLong(e.consumerSeq)
                    .putLong(e.deliveries).putLong(e.timestampNanos).toArray();
        }

        @Override
        public ConsumerEntry decode(java.nio.ByteBuffer in) {
            return new ConsumerEntry(Op.values()[in.get()], in.getLong(), in.getLong(), in.getLong(), in.getLong());
        }
    };

    static ConsumerEntry delivered(long streamSeq, long consumerSeq, long deliveries, long timestampNanos) {
        return new ConsumerEntry(Op.DELIVERED, streamSeq, consumerSeq, deliveries, timestampNanos);
    }

    static ConsumerEntry acked(long streamSeq, long consumerSeq) {
        return new ConsumerEntry(Op.ACKED, streamSeq, consumerSeq, 0, 0);
    }
}
