package io.jnatsd.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link ConsumerState} ({@code o.dat}), little-endian:
 *
 * <pre>
 * magic "JCS1" (4) | delivered consumer seq, stream seq (8+8) | ack floor consumer, stream (8+8)
 * | pending count (4) | per pending: stream seq, consumer seq, timestamp (8+8+8)
 * | redelivered count (4) | per entry: stream seq, count (8+8) | CRC32C of all before (4)
 * </pre>
 */
public final class ConsumerStateCodec {

    private static final int MAGIC = 0x3153434A;

    private ConsumerStateCodec() {
    }

    public static byte[] encode(ConsumerState s) {
        int size = 4 + 32 + 4 + s.pending().size() * 24 + 4 + s.redelivered().size() * 16 + 4;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC);
        b.putLong(s.delivered().consumerSeq()).putLong(s.delivered().streamSeq());
        b.putLong(s.ackFloor().consumerSeq()).putLong(s.ackFloor().streamSeq());
        b.putInt(s.pending().size());
        for (Map.Entry<Long, ConsumerState.Pending> e : s.pending().entrySet()) {
            b.putLong(e.getKey()).putLong(e.getValue().consumerSeq()).putLong(e.getValue().timestampNanos());
        }
        b.putInt(s.redelivered().size());
        for (Map.Entry<Long, Long> e : s.redelivered().entrySet()) {
            b.putLong(e.getKey()).putLong(e.getValue());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Decodes, or throws {@link StoreException} if the bytes are not an intact state. */
    public static ConsumerState decode(byte[] data, String what) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 48 || b.getInt(0) != MAGIC) {
            throw new StoreException(what + ": not a consumer state");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - 4);
        if ((int) crc.getValue() != b.getInt(data.length - 4)) {
            throw new StoreException(what + ": checksum mismatch");
        }
        b.position(4);
        var delivered = new ConsumerState.SequencePair(b.getLong(), b.getLong());
        var ackFloor = new ConsumerState.SequencePair(b.getLong(), b.getLong());
        int pendingCount = b.getInt();
        checkCount(pendingCount, 24, b, what);
        Map<Long, ConsumerState.Pending> pending = new HashMap<>();
        for (int i = 0; i < pendingCount; i++) {
            pending.put(b.getLong(), new ConsumerState.Pending(b.getLong(), b.getLong()));
        }
        int redeliveredCount = b.getInt();
        checkCount(redeliveredCount, 16, b, what);
        Map<Long, Long> redelivered = new HashMap<>();
        for (int i = 0; i < redeliveredCount; i++) {
            redelivered.put(b.getLong(), b.getLong());
        }
        return new ConsumerState(delivered, ackFloor, pending, redelivered);
    }

    private static void checkCount(int count, int entrySize, ByteBuffer b, String what) {
        if (count < 0 || (long) count * entrySize > b.remaining()) {
            throw new StoreException(what + ": bad entry count " + count);
        }
    }
}
