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
 * magic "JNB1" | version 2 | block id | block file size, content size, delete log size, entries (longs)
 * per live message, ascending: a kind byte, then the fields it does not imply, as varints:
 *   seq delta, offset, length field (length &lt;&lt; 4 | its four flag bits), subject id,
 *   distance to the previous and to the next message of the subject (0: none)
 * CRC32C of everything before it
 * </pre>
 *
 * The kind byte's bits say a field is what it usually is, so that a stream of one subject (or a
 * few), appended in order, costs one byte per message: the sequence follows the previous
 * entry's, the record follows the previous record, the length field and subject are the
 * previous entry's, the subject's previous message is the previous entry, its next is the
 * following entry.
 */
final class BlockIndexFile {

    private static final int MAGIC = 0x31424E4A;
    private static final int VERSION = 2;
    private static final int SEQ_NEXT = 1;
    private static final int LOC_CONTIGUOUS = 2;
    private static final int SAME_LEN = 4;
    private static final int SAME_SUBJECT = 8;
    private static final int PREV_IS_PREVIOUS = 16;
    private static final int NEXT_IS_FOLLOWING = 32;

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
            Entry previous = new Entry();
            Entry current = null;
            for (long seq = index.nextLive(b.firstSeq, b.lastSeq); seq >= 0;
                 seq = index.nextLive(seq + 1, b.lastSeq)) {
                SequenceIndex.Page p = index.page(seq);
                int i = SequenceIndex.slot(seq);
                if (p.ref[i] != b) {
                    throw new IllegalStateException("sequence " + seq + " in the range of " + b + " is elsewhere");
                }
                Entry e = new Entry();
                e.seq = seq;
                e.loc = p.loc[i];
                e.len = p.len[i];
                e.subject = p.subj[i];
                e.prev = p.prev[i];
                e.next = p.next[i];
                if (current != null) {
                    writeEntry(out, previous, current, e);
                    previous = current;
                }
                current = e;
                count++;
            }
            if (current != null) {
                writeEntry(out, previous, current, null);
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
        b.indexChanged = false;
    }

    /** One entry as the file holds it. */
    private static final class Entry {
        long seq;
        long loc;
        int len;
        int subject = -1;
        int prev;
        int next;
        boolean nextIsFollowing;
    }

    private static void writeEntry(DataOutputStream out, Entry previous, Entry e, Entry following)
            throws IOException {
        int kind = 0;
        if (e.seq == previous.seq + 1) {
            kind |= SEQ_NEXT;
        }
        if (e.loc == previous.loc + (previous.len & RecordFormat.LEN_MASK)) {
            kind |= LOC_CONTIGUOUS;
        }
        if (e.len == previous.len && previous.subject >= 0) {
            kind |= SAME_LEN;
        }
        if (e.subject == previous.subject) {
            kind |= SAME_SUBJECT;
        }
        if (e.prev != 0 && e.prev == e.seq - previous.seq && previous.subject >= 0) {
            kind |= PREV_IS_PREVIOUS;
        }
        if (following != null && e.next != 0 && e.next == following.seq - e.seq) {
            kind |= NEXT_IS_FOLLOWING;
        }
        out.writeByte(kind);
        if ((kind & SEQ_NEXT) == 0) {
            writeVarLong(out, e.seq - previous.seq);
        }
        if ((kind & LOC_CONTIGUOUS) == 0) {
            writeVarLong(out, e.loc);
        }
        if ((kind & SAME_LEN) == 0) {
            writeVarLong(out, ((long) (e.len & RecordFormat.LEN_MASK) << 4) | (e.len >>> 28));
        }
        if ((kind & SAME_SUBJECT) == 0) {
            writeVarLong(out, e.subject);
        }
        if ((kind & PREV_IS_PREVIOUS) == 0) {
            writeVarLong(out, e.prev);
        }
        if ((kind & NEXT_IS_FOLLOWING) == 0) {
            writeVarLong(out, e.next);
        }
    }

    private static Entry readEntry(ByteBuffer in, Entry previous) throws IOException {
        int kind = in.get() & 0xFF;
        if ((kind & ~63) != 0) {
            throw new IOException("bad entry kind " + kind);
        }
        Entry e = new Entry();
        e.seq = previous.seq + ((kind & SEQ_NEXT) != 0 ? 1 : readVarLong(in));
        e.loc = (kind & LOC_CONTIGUOUS) != 0 ? previous.loc + (previous.len & RecordFormat.LEN_MASK) : readVarLong(in);
        if ((kind & SAME_LEN) != 0) {
            e.len = previous.len;
        } else {
            long v = readVarLong(in);
            e.len = (int) ((v >>> 4) & RecordFormat.LEN_MASK) | (int) ((v & 15) << 28);
        }
        e.subject = (kind & SAME_SUBJECT) != 0 ? previous.subject : (int) readVarLong(in);
        e.prev = (kind & PREV_IS_PREVIOUS) != 0 ? (int) (e.seq - previous.seq) : (int) readVarLong(in);
        e.nextIsFollowing = (kind & NEXT_IS_FOLLOWING) != 0;
        if (!e.nextIsFollowing) {
            e.next = (int) readVarLong(in);
        }
        return e;
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
            Entry[] entries = new Entry[(int) b.live];
            Entry previous = new Entry();
            long bytes = 0;
            // Decoded and checked first, then added: a bad entry leaves the index untouched.
            for (int k = 0; k < entries.length; k++) {
                Entry e = readEntry(in, previous);
                if (previous.nextIsFollowing) {
                    previous.next = (int) (e.seq - previous.seq);
                }
                SubjectTable.Subject s = fs.subjects.byIdOrNull(e.subject);
                if (e.seq < b.firstSeq || e.seq > b.lastSeq || e.seq <= previous.seq || s == null || e.loc < 0
                        || e.loc + (e.len & RecordFormat.LEN_MASK) > b.size) {
                    return false;
                }
                bytes += e.len & RecordFormat.LEN_MASK;
                entries[k] = e;
                previous = e;
            }
            if (in.hasRemaining() || bytes != b.liveBytes || previous.nextIsFollowing) {
                return false;
            }
            for (Entry e : entries) {
                fs.index.restore(e.seq, e.loc, e.len, e.subject, e.prev, e.next, b);
            }
            b.indexChanged = false;
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
