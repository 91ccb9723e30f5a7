package io.jnatsd.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Small reads of a plain block served from the stretch of it each thread read last. Consumers read a
 * block's records in order, one at a time; one read of {@link #SIZE} bytes then serves the records that
 * follow instead of a read call each. The stretch belongs to one block at one {@link MessageBlock#generation}:
 * an erase, truncate or rewrite bumps it, and appends only add bytes past the stretch, so what it holds is
 * never stale. Readers hold the store's read lock and writers its write lock, which orders the two.
 */
final class ReadAhead {
    static final int SIZE = 32 * 1024;

    private static final ThreadLocal<ReadAhead> LAST = ThreadLocal.withInitial(ReadAhead::new);

    private final byte[] bytes = new byte[SIZE];
    private MessageBlock block;
    private int generation;
    private long start;
    private int length;

    private ReadAhead() {}

    /** Reads content bytes {@code [pos, pos + len)} of plain block {@code b}, {@code len <= SIZE}. */
    static void read(MessageBlock b, byte[] dst, int dstOffset, long pos, int len) throws IOException {
        ReadAhead r = LAST.get();
        if (r.block != b || r.generation != b.generation || pos < r.start || pos + len > r.start + r.length) {
            r.fill(b, pos, len);
        }
        System.arraycopy(r.bytes, (int) (pos - r.start), dst, dstOffset, len);
    }

    private void fill(MessageBlock b, long pos, int len) throws IOException {
        block = null; // left unset if the read fails
        int n = (int) Math.max(len, Math.min(SIZE, b.size - pos));
        b.readFully(ByteBuffer.wrap(bytes, 0, n), pos);
        block = b;
        generation = b.generation;
        start = pos;
        length = n;
    }
}
