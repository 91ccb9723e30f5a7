package io.jnatsd.store;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A compressed block file ({@code msgs/<n>.blk} of a sealed block with compression on): the
 * block's content, the records exactly as an uncompressed block holds them, cut into chunks of
 * {@link #CHUNK_SIZE} bytes, each compressed on its own and written as one frame. All integers
 * little-endian.
 *
 * <pre>
 *  0        4     5          8                12               16              20       24
 *  +--------+-----+----------+----------------+----------------+---------------+--------+
 *  | magic  |codec| reserved | content offset | content length | stored length | crc32c | stored bytes
 *  | "JSZ1" |     |          | in the block   | (uncompressed) |               |        |
 *  +--------+-----+----------+----------------+----------------+---------------+--------+
 * </pre>
 *
 * <ul>
 *   <li>{@code codec} 1 is Snappy; 0 stores the chunk as is (it did not compress).</li>
 *   <li>The checksum covers the first 20 header bytes and the stored bytes, so a damaged frame
 *       is never decompressed.</li>
 *   <li>Each frame says where its content belongs, so the damage of one frame loses only the
 *       records it holds: the others keep their offsets, and the index's locations are content
 *       offsets whether the block is compressed or not.</li>
 *   <li>Independent chunks make a random read decompress one chunk, not the block. Upstream
 *       compresses a block as one S2 stream (itself framed, with a checksum per frame).</li>
 *   <li>The magic differs from a record's, so a block's first four bytes tell its kind.</li>
 * </ul>
 */
final class ChunkFormat {

    static final int MAGIC = 0x315A534A; // "JSZ1" little-endian
    static final int HEADER_SIZE = 24;
    /** Snappy finds matches within 64 KiB anyway; smaller chunks keep random reads cheap. */
    static final int CHUNK_SIZE = 32 * 1024;

    static final byte CODEC_STORED = 0;
    static final byte CODEC_SNAPPY = 1;

    static final int OFF_CODEC = 4;
    static final int OFF_CONTENT_OFFSET = 8;
    static final int OFF_CONTENT_LENGTH = 12;
    static final int OFF_STORED_LENGTH = 16;
    static final int OFF_CRC = 20;

    /** The compressor keeps a hash table between calls: one per thread. */
    private static final ThreadLocal<SnappyCompressor> COMPRESSOR = ThreadLocal.withInitial(SnappyCompressor::new);
    private static final SnappyDecompressor DECOMPRESSOR = new SnappyDecompressor();

    private ChunkFormat() {
    }

    /** Whether a block file starting with these four bytes (little-endian int) is compressed. */
    static boolean startsCompressed(int firstInt) {
        return firstInt == MAGIC;
    }

    /** A compressed block file: {@code bytes[0, length)}. */
    record Encoded(byte[] bytes, int length) {
    }

    /** The compressed file for {@code content[0, length)}. */
    static Encoded encode(byte[] content, int length) {
        SnappyCompressor compressor = COMPRESSOR.get();
        int chunks = (length + CHUNK_SIZE - 1) / CHUNK_SIZE;
        byte[] file = new byte[chunks * HEADER_SIZE + compressor.maxCompressedLength(CHUNK_SIZE) * chunks];
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        int at = 0;
        for (int from = 0; from < length; from += CHUNK_SIZE) {
            int n = Math.min(CHUNK_SIZE, length - from);
            int body = at + HEADER_SIZE;
            int stored = compressor.compress(content, from, n, file, body, file.length - body);
            byte codec = CODEC_SNAPPY;
            if (stored >= n) {
                System.arraycopy(content, from, file, body, n);
                stored = n;
                codec = CODEC_STORED;
            }
            bb.putInt(at, MAGIC);
            bb.putInt(at + OFF_CODEC, codec & 0xFF);
            bb.putInt(at + OFF_CONTENT_OFFSET, from);
            bb.putInt(at + OFF_CONTENT_LENGTH, n);
            bb.putInt(at + OFF_STORED_LENGTH, stored);
            bb.putInt(at + OFF_CRC, frameCrc(crc, file, at, stored));
            at = body + stored;
        }
        return new Encoded(file, at);
    }

    private static int frameCrc(CRC32C crc, byte[] file, int at, int stored) {
        crc.reset();
        crc.update(file, at, OFF_CRC);
        crc.update(file, at + HEADER_SIZE, stored);
        return (int) crc.getValue();
    }

    /**
     * Checks the frame starting at {@code at} of {@code file} (holding bytes up to {@code end}):
     * magic, codec, lengths that fit, checksum. Returns the frame's length, or -1.
     */
    static int validLength(byte[] file, int at, int end, CRC32C crc) {
        if (end - at < HEADER_SIZE) {
            return -1;
        }
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (bb.getInt(at) != MAGIC) {
            return -1;
        }
        int codec = bb.getInt(at + OFF_CODEC);
        int offset = bb.getInt(at + OFF_CONTENT_OFFSET);
        int length = bb.getInt(at + OFF_CONTENT_LENGTH);
        int stored = bb.getInt(at + OFF_STORED_LENGTH);
        if ((codec != CODEC_SNAPPY && codec != CODEC_STORED) || length <= 0 || length > CHUNK_SIZE
                || offset < 0 || offset > MessageBlock.MAX_CONTENT - length
                || stored <= 0 || stored > end - at - HEADER_SIZE || (codec == CODEC_STORED && stored != length)) {
            return -1;
        }
        if (frameCrc(crc, file, at, stored) != bb.getInt(at + OFF_CRC)) {
            return -1;
        }
        return HEADER_SIZE + stored;
    }

    static int contentOffset(byte[] file, int at) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(at + OFF_CONTENT_OFFSET);
    }

    static int contentLength(byte[] file, int at) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(at + OFF_CONTENT_LENGTH);
    }

    /**
     * Decompresses the (already validated) frame at {@code at} into {@code dst} at
     * {@code dstOffset}. A frame whose checksum holds but whose data does not decode is a
     * {@link StoreException}: it was written wrong, not damaged later.
     */
    static void decode(byte[] file, int at, byte[] dst, int dstOffset) {
        ByteBuffer bb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int length = bb.getInt(at + OFF_CONTENT_LENGTH);
        int stored = bb.getInt(at + OFF_STORED_LENGTH);
        int body = at + HEADER_SIZE;
        if (bb.getInt(at + OFF_CODEC) == CODEC_STORED) {
            System.arraycopy(file, body, dst, dstOffset, length);
            return;
        }
        try {
            int n = DECOMPRESSOR.decompress(file, body, stored, dst, dstOffset, length);
            if (n != length) {
                throw new StoreException("compressed chunk decodes to " + n + " bytes, not " + length);
            }
        } catch (MalformedInputException e) {
            throw new StoreException("compressed chunk does not decode", e);
        }
    }
}
