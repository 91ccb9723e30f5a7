package io.jnatsd.store;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * {@code msgs/<n>.idx}: one block's entries in the sequence index, written at a clean close so
 * that the next open can leave the block out and load it when something first reads it. The
 * store summary ({@link StoreSummary}) names each file's size and checksum, so a file from
 * another close is never taken for this one.
 *
 * <pre>
 * magic "JNB1" | version 1 | block id | block file size, content size, delete log size (longs)
 * entry count (long); per live message, ascending: seq delta, offset, length field, subject id,
 *   distance to the previous and next message of the subject (0: none)          (varints)
 * CRC32C of everything before it
 * </pre>
 */
final class BlockIndexFile {

    private static final int MAGIC = 0x31424E4A;
    private static final int VERSION = 1;

    private BlockIndexFile() {
    }

    /** Writes block {@code b}'s entries; records the file's size and checksum in {@code b}. */
    static void write(FileStore fs, MessageBlock b, boolean fsync) throws IOException {
        Path tmp = b.indexFile.resolveSibling(b.id + ".idx.tmp");
        CRC32C crc = new CRC32C();
        long count = 0;
        try (OutputStream raw = Files.newOutputStream(tmp);
             CheckedOutputStream checked = new CheckedOutputStream(raw, crc);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(b.id);
            out.writeLong(Files.size(b.file));
            out.writeLong(b.size);
            out.writeLong(b.deletesSize);
            out.writeLong(b.live);
            SequenceIndex index = fs.index;
            long prev = 0;
            for (long seq = index.nextLive(b.firstSeq, b.lastSeq); seq >= 0;
                 seq = index.nextLive(seq + 1, b.lastSeq)) {
                SequenceIndex.Page p = index.page(seq);
                int i = SequenceIndex.slot(seq);
                if (p.ref[i] != b) {
                    throw new IllegalStateException("sequence " + seq + " in the range of " + b + " is elsewhere");
                }
                writeVarLong(out, seq - prev);
                writeVarLong(out, p.loc[i]);
                writeVarLong(out, p.len[i] & 0xFFFF_FFFFL);
                writeVarLong(out, p.subj[i]);
                writeVarLong(out, p.prev[i]);
                writeVarLong(out, p.next[i]);
                prev = seq;
                count++;
            }
            out.flush();
            out.writeInt((int) crc.getValue());
        }
        if (count != b.live) {
            Files.deleteIfExists(tmp);
            throw new IllegalStateException(b + ": " + count + " entries indexed");
        }
        if (fsync) {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        AtomicFiles.move(tmp, b.indexFile);
        b.indexFileSize = Files.size(b.indexFile);
        b.indexFileCrc = checksum(b.indexFile);
    }

    private static int checksum(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer in = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            CRC32C crc = new CRC32C();
            crc.update(in);
            return (int) crc.getValue();
        }
    }

    /**
     * Puts block {@code b}'s entries into the index, if its file is the one the summary named
     * and describes the block as it is. Returns false (and adds nothing) otherwise.
     */
    static boolean load(FileStore fs, MessageBlock b) {
        try (FileChannel ch = FileChannel.open(b.indexFile, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != b.indexFileSize || size < 48 || size > Integer.MAX_VALUE) {
                return false;
            }
            ByteBuffer in = ch.map(FileChannel.MapMode.READ_ONLY, 0, size); // big-endian, as written
            CRC32C crc = new CRC32C();
            crc.update(in.slice(0, (int) size));
            if ((int) crc.getValue() != b.indexFileCrc) {
                return false;
            }
            crc.reset();
            crc.update(in.slice(0, (int) size - 4));
            if ((int) crc.getValue() != in.getInt((int) size - 4)) {
                return false;
            }
            in.limit((int) size - 4);
            if (in.getInt() != MAGIC || in.getInt() != VERSION || in.getInt() != b.id
                    || in.getLong() != Files.size(b.file) || in.getLong() != b.size
                    || in.getLong() != b.deletesSize || in.getLong() != b.live) {
                return false;
            }
            long[] entries = new long[(int) Math.min(b.live, 1 << 20) * 6];
            long seq = 0;
            long bytes = 0;
            // Decoded first, then added: a bad entry leaves the index untouched.
            for (long k = 0; k < b.live; k++) {
                int at = (int) k * 6;
                if (at >= entries.length) {
                    entries = java.util.Arrays.copyOf(entries, (int) Math.min((long) entries.length * 2,
                            b.live * 6));
                }
                seq += readVarLong(in);
                entries[at] = seq;
                for (int f = 1; f < 6; f++) {
                    entries[at + f] = readVarLong(in);
                }
                int len = (int) entries[at + 2];
                SubjectTable.Subject s = fs.subjects.byIdOrNull((int) entries[at + 3]);
                if (seq < b.firstSeq || seq > b.lastSeq || s == null || entries[at + 1] < 0
                        || entries[at + 1] + (len & RecordFormat.LEN_MASK) > b.size) {
                    return false;
                }
                bytes += len & RecordFormat.LEN_MASK;
            }
            if (in.hasRemaining() || bytes != b.liveBytes) {
                return false;
            }
            for (long k = 0; k < b.live; k++) {
                int at = (int) k * 6;
                fs.index.restore(entries[at], entries[at + 1], (int) entries[at + 2], (int) entries[at + 3],
                        (int) entries[at + 4], (int) entries[at + 5], b);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void writeVarLong(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarLong(ByteBuffer in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("varint too long");
    }
}
