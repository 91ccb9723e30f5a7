package io.jnatsd.store;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * {@code msgs/index.db}: the in-memory indexes as they were at a clean close, so that opening
 * a large store does not have to read every block. It is trusted only if it describes exactly
 * the files present (same blocks, same block and delete-log sizes, same floor) and its checksum
 * holds; it is deleted as soon as it has been read, so a store that then crashes is scanned.
 *
 * <pre>
 * magic "JNX1" | version 2
 * floor, floor time, last seq, last time                                  (longs)
 * block count; per block: id, file size, content size, compressed (byte), delete log size,
 *   first seq, last seq, last timestamp
 * subject count; per subject: id, UTF-8 length, UTF-8 bytes
 * entry count; per live message, ascending: seq delta, block index, offset, length field,
 *   subject id                                                             (varints)
 * ttl count; per entry: expiry, seq;  never count; per entry: seq
 * CRC32C of everything before it
 * </pre>
 */
final class IndexSnapshot {

    static final String NAME = "index.db";
    private static final int MAGIC = 0x31584E4A;
    /** Version 1 had no compression; such a snapshot is not trusted and the blocks are scanned. */
    private static final int VERSION = 2;

    private IndexSnapshot() {
    }

    static void write(Path file, FileStore fs, boolean fsync) throws IOException {
        Path tmp = file.resolveSibling(NAME + ".tmp");
        CRC32C crc = new CRC32C();
        // The buffer sits above the checksum, so that the CRC is updated 64 KiB at a time, not per byte.
        try (OutputStream raw = Files.newOutputStream(tmp);
             CheckedOutputStream checked = new CheckedOutputStream(raw, crc);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(fs.floor);
            out.writeLong(fs.floorTime);
            out.writeLong(fs.lastSeq);
            out.writeLong(fs.lastTimeNanos);
            List<MessageBlock> blocks = fs.blocks;
            out.writeInt(blocks.size());
            java.util.IdentityHashMap<MessageBlock, Integer> position = new java.util.IdentityHashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                MessageBlock b = blocks.get(i);
                position.put(b, i);
                out.writeInt(b.id);
                out.writeLong(Files.size(b.file));
                out.writeLong(b.size);
                out.writeBoolean(b.compressed);
                out.writeLong(b.deletesSize);
                out.writeLong(b.firstSeq);
                out.writeLong(b.lastSeq);
                out.writeLong(b.lastTimestamp);
            }
            out.writeInt(fs.subjects.size());
            for (SubjectTable.Subject s : fs.subjects.all()) {
                byte[] name = s.name.getBytes(StandardCharsets.UTF_8);
                out.writeInt(s.id);
                out.writeInt(name.length);
                out.write(name);
            }
            writeEntries(out, fs, position);
            out.writeInt(fs.ttls.size());
            fs.ttls.forEach((expires, seq) -> {
                try {
                    out.writeLong(expires);
                    out.writeLong(seq);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            out.writeInt(fs.neverExpires.size());
            for (long seq : fs.neverExpires) {
                out.writeLong(seq);
            }
            out.flush();
            int sum = (int) crc.getValue();
            out.writeInt(sum);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (fsync) {
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        AtomicFiles.move(tmp, file);
        if (fsync) {
            AtomicFiles.syncDirectory(file.getParent());
        }
    }

    private static void writeEntries(DataOutputStream out, FileStore fs,
                                     java.util.IdentityHashMap<MessageBlock, Integer> position) throws IOException {
        out.writeLong(fs.index.size());
        long prev = 0;
        for (long seq = fs.index.nextLive(0, fs.lastSeq); seq >= 0; seq = fs.index.nextLive(seq + 1, fs.lastSeq)) {
            SequenceIndex.Page p = fs.index.page(seq);
            int i = SequenceIndex.slot(seq);
            writeVarLong(out, seq - prev);
            writeVarLong(out, position.get((MessageBlock) p.ref[i]));
            writeVarLong(out, p.loc[i]);
            writeVarLong(out, p.len[i] & 0xFFFF_FFFFL);
            writeVarLong(out, p.subj[i]);
            prev = seq;
        }
    }

    /**
     * Loads the snapshot into {@code fs} if it matches {@code found} (the blocks on disk).
     * Returns false, leaving partial state for the caller to reset, if it does not.
     */
    static boolean load(Path file, FileStore fs, List<MessageBlock> found) {
        // Mapped and checksummed in one call, then decoded from memory: a stream reader costs a
        // call and a CRC update per byte, which made this slower than scanning the blocks.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 12 || size > Integer.MAX_VALUE) {
                return false;
            }
            ByteBuffer in = ch.map(FileChannel.MapMode.READ_ONLY, 0, size); // big-endian, as DataOutputStream wrote
            CRC32C crc = new CRC32C();
            crc.update(in.slice(0, (int) size - 4));
            if ((int) crc.getValue() != in.getInt((int) size - 4)) {
                return false;
            }
            in.limit((int) size - 4);
            if (in.getInt() != MAGIC || in.getInt() != VERSION) {
                return false;
            }
            long floor = in.getLong();
            long floorTime = in.getLong();
            in.getLong();
            in.getLong();
            if (floor != fs.floor || floorTime != fs.floorTime || !readBlocks(in, found)) {
                return false;
            }
            SubjectTable.Subject[] byId = readSubjects(in, fs);
            readEntries(in, fs, found, byId);
            int ttlCount = in.getInt();
            for (int i = 0; i < ttlCount; i++) {
                fs.ttls.add(in.getLong(), in.getLong());
            }
            int neverCount = in.getInt();
            for (int i = 0; i < neverCount; i++) {
                fs.neverExpires.add(in.getLong());
            }
            return !in.hasRemaining();
        } catch (IOException | RuntimeException e) {
            // Unreadable or inconsistent: the blocks are the truth, scan them.
            return false;
        }
    }

    private static boolean readBlocks(ByteBuffer in, List<MessageBlock> found) throws IOException {
        int count = in.getInt();
        if (count != found.size()) {
            return false;
        }
        for (MessageBlock b : found) {
            if (in.getInt() != b.id) {
                return false;
            }
            long fileSize = in.getLong();
            long size = in.getLong();
            boolean compressed = in.get() != 0;
            long deletesSize = in.getLong();
            long actualDeletes = Files.exists(b.deletesFile) ? Files.size(b.deletesFile) : 0;
            if (fileSize != Files.size(b.file) || deletesSize != actualDeletes || (!compressed && size != fileSize)) {
                return false;
            }
            b.size = size;
            if (compressed) {
                b.setCompressed(null);
            }
            b.deletesSize = deletesSize;
            b.firstSeq = in.getLong();
            b.lastSeq = in.getLong();
            b.lastTimestamp = in.getLong();
            b.live = 0;
            b.liveBytes = 0;
        }
        return true;
    }

    private static SubjectTable.Subject[] readSubjects(ByteBuffer in, FileStore fs) throws IOException {
        int count = in.getInt();
        SubjectTable.Subject[] byId = new SubjectTable.Subject[16];
        for (int i = 0; i < count; i++) {
            int id = in.getInt();
            int length = in.getInt();
            if (id <= 0 || length < 0 || length > 0xFFFF) {
                throw new IOException("bad subject entry");
            }
            if (length > in.remaining()) {
                throw new EOFException();
            }
            byte[] name = new byte[length];
            in.get(name);
            if (id >= byId.length) {
                byId = java.util.Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
            }
            byId[id] = fs.subjects.add(new String(name, StandardCharsets.UTF_8));
        }
        return byId;
    }

    private static void readEntries(ByteBuffer in, FileStore fs, List<MessageBlock> found,
                                    SubjectTable.Subject[] byId) throws IOException {
        long count = in.getLong();
        long seq = 0;
        for (long k = 0; k < count; k++) {
            seq += readVarLong(in);
            MessageBlock b = found.get((int) readVarLong(in));
            long loc = readVarLong(in);
            int len = (int) readVarLong(in);
            SubjectTable.Subject s = byId[(int) readVarLong(in)];
            if (s == null || loc < 0 || loc + (len & RecordFormat.LEN_MASK) > b.size) {
                throw new IOException("bad index entry for sequence " + seq);
            }
            fs.index.put(seq, loc, len, s, b);
            b.live++;
            b.liveBytes += len & RecordFormat.LEN_MASK;
            fs.bytes += RecordFormat.accountedSize(len);
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
