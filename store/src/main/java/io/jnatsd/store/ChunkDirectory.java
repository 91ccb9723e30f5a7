package io.jnatsd.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Where the intact chunks of a compressed block file lie ({@link ChunkFormat}), and reads of
 * content ranges through them. Immutable: replacing a block's file makes a new directory, and
 * that is also what keeps a decoded chunk cached for the old file from being used.
 */
final class ChunkDirectory {

    /**
     * The chunk each thread decoded last. A consumer reads a block's records in order, so most
     * reads hit it; a per-thread slot needs no locking and its memory is one chunk per thread.
     */
    private static final ThreadLocal<Decoded> LAST = new ThreadLocal<>();

    private record Decoded(ChunkDirectory directory, int chunk, byte[] content) {
    }

    private final int[] contentOffset;
    private final int[] contentLength;
    private final long[] fileOffset;
    private final int[] frameLength;
    private final int count;
    /** The end of the last intact chunk: the block's content size. */
    final int contentSize;
    /** Bytes of the file in frames that failed their checks. */
    final int damagedBytes;
    /** The file ends in damage: content after {@link #contentSize} was lost, how much is unknown. */
    final boolean damagedAtEnd;

    private ChunkDirectory(int[] contentOffset, int[] contentLength, long[] fileOffset, int[] frameLength, int count,
                           int damagedBytes, boolean damagedAtEnd) {
        this.contentOffset = contentOffset;
        this.contentLength = contentLength;
        this.fileOffset = fileOffset;
        this.frameLength = frameLength;
        this.count = count;
        this.contentSize = count == 0 ? 0 : contentOffset[count - 1] + contentLength[count - 1];
        this.damagedBytes = damagedBytes;
        this.damagedAtEnd = damagedAtEnd;
    }

    /**
     * Walks the frames of {@code file[0, end)}. A damaged frame is skipped up to the next offset
     * where an intact one starts, as the record scan does; frames out of content order (which an
     * intact file never has) are skipped too.
     */
    static ChunkDirectory parse(byte[] file, int end, CRC32C crc) {
        int capacity = Math.max(4, end / (ChunkFormat.HEADER_SIZE + ChunkFormat.CHUNK_SIZE / 8));
        int[] cOff = new int[capacity];
        int[] cLen = new int[capacity];
        long[] fOff = new long[capacity];
        int[] fLen = new int[capacity];
        int n = 0;
        int damaged = 0;
        boolean damagedAtEnd = false;
        int contentEnd = 0;
        int at = 0;
        while (at < end) {
            int len = ChunkFormat.validLength(file, at, end, crc);
            if (len < 0 || ChunkFormat.contentOffset(file, at) < contentEnd) {
                int next = nextValid(file, at + 1, end, crc);
                damaged += next - at;
                damagedAtEnd = next == end;
                at = next;
                continue;
            }
            if (n == cOff.length) {
                cOff = Arrays.copyOf(cOff, n * 2);
                cLen = Arrays.copyOf(cLen, n * 2);
                fOff = Arrays.copyOf(fOff, n * 2);
                fLen = Arrays.copyOf(fLen, n * 2);
            }
            cOff[n] = ChunkFormat.contentOffset(file, at);
            cLen[n] = ChunkFormat.contentLength(file, at);
            fOff[n] = at;
            fLen[n] = len;
            contentEnd = cOff[n] + cLen[n];
            n++;
            at += len;
        }
        return new ChunkDirectory(cOff, cLen, fOff, fLen, n, damaged, damagedAtEnd);
    }

    private static int nextValid(byte[] file, int from, int end, CRC32C crc) {
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = from; o + ChunkFormat.HEADER_SIZE <= end; o++) {
            if (bb.getInt(o) == ChunkFormat.MAGIC && ChunkFormat.validLength(file, o, end, crc) > 0) {
                return o;
            }
        }
        return end;
    }

    /** Whether {@code file[0, end)} holds at least one intact frame. */
    static boolean hasFrame(byte[] file, int end, CRC32C crc) {
        return nextValid(file, 0, end, crc) < end;
    }

    /** The block's content from its file: each intact chunk in place, zeros where a damaged one was. */
    byte[] content(byte[] file) {
        byte[] out = new byte[contentSize];
        for (int i = 0; i < count; i++) {
            ChunkFormat.decode(file, (int) fileOffset[i], out, contentOffset[i]);
        }
        return out;
    }

    /**
     * Reads content bytes {@code [pos, pos + len)} of block {@code b} into {@code dst}. A range
     * that no intact chunk holds, or a chunk that fails its checksum now, is an IOException.
     */
    void read(MessageBlock b, byte[] dst, int dstOffset, long pos, int len) throws IOException {
        while (len > 0) {
            int i = chunkAt(pos);
            if (i < 0) {
                throw new IOException("corrupt compressed chunk: none intact holds offset " + pos + " of " + b.file);
            }
            byte[] chunk = decoded(b, i);
            int from = (int) (pos - contentOffset[i]);
            int n = Math.min(len, chunk.length - from);
            System.arraycopy(chunk, from, dst, dstOffset, n);
            dstOffset += n;
            pos += n;
            len -= n;
        }
    }

    private int chunkAt(long pos) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (contentOffset[mid] <= pos) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi >= 0 && pos < (long) contentOffset[hi] + contentLength[hi] ? hi : -1;
    }

    private byte[] decoded(MessageBlock b, int i) throws IOException {
        Decoded last = LAST.get();
        if (last != null && last.directory == this && last.chunk == i) {
            return last.content;
        }
        byte[] frame = new byte[frameLength[i]];
        b.readFully(ByteBuffer.wrap(frame), fileOffset[i]);
        if (ChunkFormat.validLength(frame, 0, frame.length, new CRC32C()) != frame.length) {
            throw new IOException("corrupt compressed chunk at offset " + fileOffset[i] + " of " + b.file);
        }
        byte[] content = new byte[contentLength[i]];
        ChunkFormat.decode(frame, 0, content, 0);
        LAST.set(new Decoded(this, i, content));
        return content;
    }
}
