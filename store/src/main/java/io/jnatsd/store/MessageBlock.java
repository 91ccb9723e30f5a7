package io.jnatsd.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One segment of a file store: {@code <n>.blk}, records appended in sequence order (see
 * {@link RecordFormat}), and {@code <n>.dlt}, the removals of this block's messages.
 *
 * <p>A sealed block may be compressed ({@link ChunkFormat}): its file then holds compressed
 * chunks of the same content. Offsets and sizes here are content offsets either way; reads of
 * records go through {@link #readContent}, which knows the difference.
 *
 * <p>Delete log entries are 20 bytes: first sequence, last sequence (a range; single removals
 * have first == last), CRC32C of those 16 bytes; little-endian. Keeping removals next to the
 * block they concern means a block's deletes vanish with it, and compaction can drop the log
 * once it has rewritten the block without the removed records.
 *
 * <p>The channel is opened lazily and may be closed by the store to bound open files
 * ({@link OpenFileLimit}), or by a reader's interrupt; every I/O here retries on a closed channel, reopening it. Writes are
 * positional, so a retried write lands where the first attempt would have. Fields are guarded
 * by the store's lock; the channel by this object's monitor.
 */
final class MessageBlock {

    static final int DELETE_ENTRY_SIZE = 20;
    /** The largest block content: what one byte array holds. */
    static final int MAX_CONTENT = Integer.MAX_VALUE - 8;
    private static final int RETRIES = 4;

    final int id;
    final Path file;
    final Path deletesFile;
    /** {@code <n>.idx}: this block's entries as they were at the last clean close ({@link BlockIndexFile}). */
    final Path indexFile;
    private final OpenFileLimit limit;

    private FileChannel channel;
    private FileChannel deletes;

    /** Bytes of content (the block file's size unless compressed): where the next record goes. */
    long size;
    /** Sequence of the first and last record (message or skip); 0 when there are none. */
    long firstSeq;
    long lastSeq;
    long lastTimestamp;
    /** Live messages and the bytes of their records. */
    long live;
    long liveBytes;
    /** Bytes in the delete log. */
    long deletesSize;
    /**
     * The block's entries are in the store's sequence index. A block left out by a lazy open
     * is loaded from {@link #indexFile} (whose size and checksum the store summary gave) when
     * something first looks at its sequences; until then nothing may change the block.
     */
    boolean indexed = true;
    /**
     * The block or its entries changed since {@link #indexFile} was written or loaded (or there
     * is none): a close or an eviction must write it again.
     */
    boolean indexChanged = true;
    /** The store's eviction epoch when the block's index was last loaded or read (racy, a hint). */
    int usedEpoch;
    long indexFileSize;
    int indexFileCrc;
    /** Written since the last fsync. */
    boolean dirty;
    boolean deletesDirty;

    /** The file holds compressed chunks ({@link ChunkFormat}); set on sealed blocks only. */
    boolean compressed;
    /**
     * Bumped whenever the file's content is overwritten or replaced, so that a background
     * compression of an earlier version is not installed over the change.
     */
    int generation;
    /** The compressed file's chunks; read on first use, by any reader thread. */
    private volatile ChunkDirectory chunks;

    private long[] pendingDeletes = new long[4];
    private int pendingCount;

    MessageBlock(Path dir, int id, OpenFileLimit limit) {
        this.id = id;
        this.limit = limit;
        this.file = dir.resolve(id + ".blk");
        this.deletesFile = dir.resolve(id + ".dlt");
        this.indexFile = dir.resolve(id + ".idx");
    }

    static int idOf(Path blockFile) {
        String name = blockFile.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.length() - 4));
    }

    /** Creates the (empty) block file. */
    void create() throws IOException {
        synchronized (this) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        limit.opened(this);
    }

    private FileChannel channel() throws IOException {
        FileChannel ch;
        synchronized (this) {
            ch = channel;
            if (ch != null && ch.isOpen()) {
                return ch;
            }
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel = ch;
        }
        // Outside the monitor: the limit may close another block's channels.
        limit.opened(this);
        return ch;
    }

    private synchronized FileChannel deletesChannel() throws IOException {
        if (deletes == null || !deletes.isOpen()) {
            deletes = FileChannel.open(deletesFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        return deletes;
    }

    /** Reads exactly {@code dst.remaining()} bytes at {@code pos}. */
    void readFully(ByteBuffer dst, long pos) throws IOException {
        int start = dst.position();
        for (int attempt = 0; ; attempt++) {
            try {
                FileChannel ch = channel();
                long p = pos + (dst.position() - start);
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, p);
                    if (n < 0) {
                        throw new IOException("unexpected end of " + file + " at " + p);
                    }
                    p += n;
                }
                return;
            } catch (ClosedChannelException e) {
                retryOrThrow(e, attempt);
            }
        }
    }

    /** Writes all of {@code src} at {@code pos}. */
    void writeFully(ByteBuffer src, long pos) throws IOException {
        indexChanged = true;
        int start = src.position();
        for (int attempt = 0; ; attempt++) {
            try {
                FileChannel ch = channel();
                src.position(start);
                long p = pos;
                while (src.hasRemaining()) {
                    p += ch.write(src, p);
                }
                return;
            } catch (ClosedChannelException e) {
                retryOrThrow(e, attempt);
            }
        }
    }

    private static void retryOrThrow(ClosedChannelException e, int attempt) throws IOException {
        if (attempt >= RETRIES || (e instanceof ClosedByInterruptException && Thread.currentThread().isInterrupted())) {
            throw e;
        }
    }

    /** Reads content bytes {@code [pos, pos + len)} into {@code dst}, compressed or not. */
    void readContent(byte[] dst, int dstOffset, long pos, int len) throws IOException {
        if (compressed) {
            chunks().read(this, dst, dstOffset, pos, len);
        } else if (len > ReadAhead.SIZE / 4) {
            readFully(ByteBuffer.wrap(dst, dstOffset, len), pos);
        } else {
            ReadAhead.read(this, dst, dstOffset, pos, len);
        }
    }

    /** The whole content, {@link #size} bytes (for a compressed block with damaged chunks, zeros there). */
    byte[] readContent() throws IOException {
        if (compressed) {
            byte[] file = Files.readAllBytes(this.file);
            return chunks().content(file);
        }
        byte[] content = new byte[(int) size];
        readFully(ByteBuffer.wrap(content), 0);
        return content;
    }

    private ChunkDirectory chunks() throws IOException {
        ChunkDirectory d = chunks;
        if (d == null) {
            // Two readers may both parse the file; they find the same chunks.
            byte[] file = Files.readAllBytes(this.file);
            d = ChunkDirectory.parse(file, file.length, new CRC32C());
            chunks = d;
        }
        return d;
    }

    /** Marks the file as compressed, with its directory if known (else it is read on first use). */
    void setCompressed(ChunkDirectory directory) {
        compressed = true;
        chunks = directory;
    }

    /** Overwrites content in place (plain blocks only): the erase of a record. */
    void overwrite(ByteBuffer src, long pos) throws IOException {
        generation++;
        indexChanged = true;
        writeFully(src, pos);
    }

    /**
     * Replaces the file with {@code content[0, length)}, compressed or not: written aside as
     * {@code <n>.cmp}, fsynced, renamed over the block file, directory fsynced. A crash before
     * the rename leaves the old file (the store discards a {@code .cmp} on open).
     */
    void replaceContent(byte[] content, int length, boolean compress) throws IOException {
        Path aside = file.resolveSibling(id + ".cmp");
        if (compress) {
            ChunkFormat.Encoded e = ChunkFormat.encode(content, length);
            writeAside(aside, e.bytes(), e.length());
        } else {
            writeAside(aside, content, length);
        }
        install(aside, compress);
        AtomicFiles.syncDirectory(file.getParent());
        size = length;
    }

    /** Writes a replacement for the block file, fsynced; {@link #install} puts it in place. */
    static void writeAside(Path aside, byte[] bytes, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(aside, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer src = ByteBuffer.wrap(bytes, 0, length);
            while (src.hasRemaining()) {
                ch.write(src);
            }
            ch.force(true);
        }
    }

    /** Renames a replacement over the block file (the caller fsyncs the directory). */
    void install(Path aside, boolean compressedFile) throws IOException {
        closeChannels();
        AtomicFiles.move(aside, file);
        compressed = compressedFile;
        chunks = null;
        generation++;
        indexChanged = true;
    }

    /** Cuts the block file to {@code length} bytes (plain blocks only). */
    void truncateFile(long length) throws IOException {
        generation++;
        indexChanged = true;
        for (int attempt = 0; ; attempt++) {
            try {
                channel().truncate(length);
                return;
            } catch (ClosedChannelException e) {
                retryOrThrow(e, attempt);
            }
        }
    }

    /** Notes a removal; {@link #flushDeletes} writes it. */
    void bufferDelete(long seq) {
        if (pendingCount == pendingDeletes.length) {
            pendingDeletes = Arrays.copyOf(pendingDeletes, pendingCount * 2);
        }
        pendingDeletes[pendingCount++] = seq;
    }

    boolean hasPendingDeletes() {
        return pendingCount > 0;
    }

    void dropPendingDeletes() {
        pendingCount = 0;
    }

    /** Appends the buffered removals to the delete log in one write. */
    void flushDeletes(CRC32C crc) throws IOException {
        if (pendingCount == 0) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate(pendingCount * DELETE_ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < pendingCount; i++) {
            putDeleteEntry(buf, crc, pendingDeletes[i], pendingDeletes[i]);
        }
        buf.flip();
        writeDeletes(buf, deletesSize);
        deletesSize += buf.limit();
        deletesDirty = true;
        pendingCount = 0;
    }

    static void putDeleteEntry(ByteBuffer buf, CRC32C crc, long first, long last) {
        int at = buf.position();
        buf.putLong(first);
        buf.putLong(last);
        crc.reset();
        crc.update(buf.array(), buf.arrayOffset() + at, 16);
        buf.putInt((int) crc.getValue());
    }

    private void writeDeletes(ByteBuffer src, long pos) throws IOException {
        indexChanged = true;
        for (int attempt = 0; ; attempt++) {
            try {
                FileChannel ch = deletesChannel();
                src.position(0);
                long p = pos;
                while (src.hasRemaining()) {
                    p += ch.write(src, p);
                }
                return;
            } catch (ClosedChannelException e) {
                retryOrThrow(e, attempt);
            }
        }
    }

    /**
     * Reads the delete log: pairs of (first, last) sequences. A torn or corrupt entry ends it
     * (only the last write can be torn); the log is cut there.
     */
    long[] readDeletes(CRC32C crc) throws IOException {
        if (!Files.exists(deletesFile)) {
            deletesSize = 0;
            return new long[0];
        }
        byte[] all = Files.readAllBytes(deletesFile);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int entries = all.length / DELETE_ENTRY_SIZE;
        long[] ranges = new long[entries * 2];
        int n = 0;
        for (int i = 0; i < entries; i++) {
            int at = i * DELETE_ENTRY_SIZE;
            crc.reset();
            crc.update(all, at, 16);
            if ((int) crc.getValue() != buf.getInt(at + 16)) {
                break;
            }
            ranges[2 * n] = buf.getLong(at);
            ranges[2 * n + 1] = buf.getLong(at + 8);
            n++;
        }
        long valid = (long) n * DELETE_ENTRY_SIZE;
        if (valid != all.length) {
            indexChanged = true;
            try (FileChannel ch = FileChannel.open(deletesFile, StandardOpenOption.WRITE)) {
                ch.truncate(valid);
            }
        }
        deletesSize = valid;
        return Arrays.copyOf(ranges, 2 * n);
    }

    /** Forgets what a failed summary load set, before a scan recounts (and indexes) it. */
    void resetCounters() {
        indexed = true;
        indexChanged = true;
        size = 0;
        firstSeq = 0;
        lastSeq = 0;
        lastTimestamp = 0;
        live = 0;
        liveBytes = 0;
    }

    /** fsyncs what was written; nothing if the block has been deleted meanwhile. */
    void force() throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                if (Files.exists(file)) {
                    channel().force(false);
                }
                if (deletesSize > 0 && Files.exists(deletesFile)) {
                    deletesChannel().force(false);
                }
                return;
            } catch (NoSuchFileException e) {
                return;
            } catch (ClosedChannelException e) {
                retryOrThrow(e, attempt);
            }
        }
    }

    /** Closes the channels; they reopen on the next use. */
    void closeChannels() {
        synchronized (this) {
            closeQuietly(channel);
            closeQuietly(deletes);
            channel = null;
            deletes = null;
        }
        limit.closed(this);
    }

    /** Closes the channels and deletes both files. */
    void deleteFiles() throws IOException {
        closeChannels();
        pendingCount = 0;
        Files.deleteIfExists(file);
        Files.deleteIfExists(deletesFile);
        Files.deleteIfExists(indexFile);
    }

    /** Deletes the delete log (after compaction applied it). */
    void deleteDeletesFile() throws IOException {
        synchronized (this) {
            closeQuietly(deletes);
            deletes = null;
        }
        Files.deleteIfExists(deletesFile);
        deletesSize = 0;
        deletesDirty = false;
        indexChanged = true;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a file we only read or already fsynced: nothing to recover.
            }
        }
    }

    @Override
    public String toString() {
        return "block " + id + " [" + firstSeq + ".." + lastSeq + ", " + size + " bytes" + (compressed ? " compressed" : "")
                + ", " + live + " live]";
    }
}
