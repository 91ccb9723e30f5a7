package io.jnatsd.store;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
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
 * {@code msgs/index.db}: what a clean close leaves so that the next open reads neither the
 * blocks nor their message indexes: the store's counters, a summary of each block, the state of
 * every subject (count, first, last: what max_msgs_per_subject, subject filters and
 * subjects_filter need) and the TTLs. Each block's own message index is in its
 * {@code <n>.idx} ({@link BlockIndexFile}), loaded when something first reads the block.
 *
 * <p>It is trusted only if its checksum holds and it describes exactly the files present (same
 * blocks, block and delete log sizes, index file sizes, floor). It is deleted as soon as it has
 * been read: from then on the blocks change, and a store that crashes is scanned on its next
 * open, as before.
 *
 * <pre>
 * magic "JNX1" | version 3
 * floor, floor time, last seq, last time, messages, bytes, first seq, first message's time (longs)
 * block count; per block: id, file size, content size, compressed (byte), delete log size,
 *   first seq, last seq, last timestamp, live messages, live record bytes,
 *   index file size (longs), index file CRC32C (int)
 * subject count; per subject: id, UTF-8 length, UTF-8 bytes, count, first, last
 * ttl count; per entry: expiry, seq;  never count; per entry: seq
 * CRC32C of everything before it
 * </pre>
 *
 * Version 2 (a full index snapshot) is not read: such a store is scanned once.
 */
final class StoreSummary {

    static final String NAME = "index.db";
    private static final int MAGIC = 0x31584E4A;
    private static final int VERSION = 3;

    private StoreSummary() {
    }

    /** Writes the index file of every loaded block that changed since its file was written, then the summary. */
    static void write(FileStore fs, boolean fsync) throws IOException {
        for (MessageBlock b : fs.blocks) {
            if (b.indexed && b.live > 0 && b.indexChanged) {
                BlockIndexFile.write(fs, b, fsync);
            }
        }
        Path file = fs.msgsDir.resolve(NAME);
        Path tmp = file.resolveSibling(NAME + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Files.newOutputStream(tmp);
             CheckedOutputStream checked = new CheckedOutputStream(raw, crc);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(fs.floor);
            out.writeLong(fs.floorTime);
            out.writeLong(fs.lastSeq);
            out.writeLong(fs.lastTimeNanos);
            out.writeLong(fs.msgs);
            out.writeLong(fs.bytes);
            out.writeLong(fs.firstSeq);
            out.writeLong(fs.firstTimestamp());
            out.writeInt(fs.blocks.size());
            for (MessageBlock b : fs.blocks) {
                out.writeInt(b.id);
                out.writeLong(Files.size(b.file));
                out.writeLong(b.size);
                out.writeBoolean(b.compressed);
                out.writeLong(b.deletesSize);
                out.writeLong(b.firstSeq);
                out.writeLong(b.lastSeq);
                out.writeLong(b.lastTimestamp);
                out.writeLong(b.live);
                out.writeLong(b.liveBytes);
                out.writeLong(b.indexFileSize);
                out.writeInt(b.indexFileCrc);
            }
            out.writeInt(fs.subjects.size());
            for (SubjectTable.Subject s : fs.subjects.all()) {
                byte[] name = s.name.getBytes(StandardCharsets.UTF_8);
                out.writeInt(s.id);
                out.writeInt(name.length);
                out.write(name);
                out.writeLong(s.count);
                out.writeLong(s.first);
                out.writeLong(s.last);
            }
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
            out.writeInt((int) crc.getValue());
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (fsync) {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
        AtomicFiles.move(tmp, file);
        if (fsync) {
            AtomicFiles.syncDirectory(file.getParent());
        }
    }

    /**
     * Loads the summary into {@code fs} if it matches {@code found} (the blocks on disk): the
     * counters, the subjects and the TTLs; every block is left unloaded. Returns false, leaving
     * partial state for the caller to reset, if it does not match.
     */
    static boolean load(Path file, FileStore fs, List<MessageBlock> found) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 12 || size > Integer.MAX_VALUE) {
                return false;
            }
            ByteBuffer in = ch.map(FileChannel.MapMode.READ_ONLY, 0, size); // big-endian, as written
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
            in.getLong(); // last seq and time: the blocks and the floor say the same
            in.getLong();
            long msgs = in.getLong();
            long bytes = in.getLong();
            long firstSeq = in.getLong();
            long firstTime = in.getLong();
            if (floor != fs.floor || floorTime != fs.floorTime || !readBlocks(in, found)) {
                return false;
            }
            readSubjects(in, fs);
            int ttlCount = in.getInt();
            for (int i = 0; i < ttlCount; i++) {
                fs.ttls.add(in.getLong(), in.getLong());
            }
            int neverCount = in.getInt();
            for (int i = 0; i < neverCount; i++) {
                fs.neverExpires.add(in.getLong());
            }
            if (in.hasRemaining()) {
                return false;
            }
            fs.msgs = msgs;
            fs.bytes = bytes;
            fs.firstSeq = firstSeq;
            fs.rememberFirstTime(firstSeq, firstTime);
            return true;
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
            b.live = in.getLong();
            b.liveBytes = in.getLong();
            b.indexFileSize = in.getLong();
            b.indexFileCrc = in.getInt();
            if (b.live > 0 && (!Files.exists(b.indexFile) || Files.size(b.indexFile) != b.indexFileSize)) {
                // Its message index is gone or from another close: scanning is the only way.
                return false;
            }
            b.indexed = b.live == 0;
            b.indexChanged = b.live == 0;
        }
        return true;
    }

    private static void readSubjects(ByteBuffer in, FileStore fs) throws IOException {
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            int id = in.getInt();
            int length = in.getInt();
            if (length < 0 || length > 0xFFFF || length > in.remaining()) {
                throw new IOException("bad subject entry");
            }
            byte[] name = new byte[length];
            in.get(name);
            long n = in.getLong();
            long first = in.getLong();
            long last = in.getLong();
            if (n <= 0 || first <= 0 || last < first) {
                throw new IOException("bad subject state");
            }
            fs.subjects.restore(new String(name, StandardCharsets.UTF_8), id, n, first, last);
        }
        fs.subjects.restored();
    }
}
