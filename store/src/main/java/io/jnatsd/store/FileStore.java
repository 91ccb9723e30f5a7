package io.jnatsd.store;

import io.jnatsd.protocol.subject.Subjects;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * A stream store on disk, laid out as upstream's file store:
 *
 * <pre>
 * &lt;dir&gt;/meta.inf           the StoreConfig, checksummed ({@link MetaFile})
 * &lt;dir&gt;/msgs/&lt;n&gt;.blk        message blocks: append-only records ({@link RecordFormat}), rolled at block_size
 * &lt;dir&gt;/msgs/&lt;n&gt;.dlt        removals of block n's messages ({@link MessageBlock})
 * &lt;dir&gt;/msgs/floor.dat      sequences at or below the floor are gone (purge, compact, first_seq)
 * &lt;dir&gt;/msgs/&lt;n&gt;.idx        block n's message index, written on close ({@link BlockIndexFile})
 * &lt;dir&gt;/msgs/index.db       summary of the blocks and subjects, written on close ({@link StoreSummary})
 * &lt;dir&gt;/obs/&lt;consumer&gt;/o.dat consumer state ({@link FileConsumerStore})
 * </pre>
 *
 * <p><b>Durability.</b> {@code store()} hands the record to the operating system with one
 * positional write before it returns: a killed process (SIGKILL) loses nothing that was
 * acknowledged. Surviving a power loss needs an fsync: with sync_always the caller calls
 * {@link #sync()} when it wants everything so far durable, typically once per batch of appends
 * before acknowledging them (group commit); otherwise the store fsyncs every sync_interval
 * (default two minutes) in the background, as upstream does. Removals are buffered per
 * operation and written to the delete logs before the operation returns.
 *
 * <p><b>Recovery.</b> After a clean close, the open reads only the summary (counters, blocks,
 * subjects) and leaves each block's message index on disk until something first reads that
 * block ({@link BlockIndexLoader}), so the time to open does not grow with the messages.
 * Without a summary that matches the files exactly (a crash, a missing or stale file), every
 * block is scanned and checksummed ({@link FileStoreRecovery}). A torn last record is cut off;
 * a damaged record elsewhere is skipped, reported in {@link #recoveryReport()}, and scanning
 * resumes at the next intact record.
 *
 * <p><b>Space.</b> A block whose messages are all removed is deleted (except the last, which
 * holds the last sequence). A sealed block with at least half a block of removed records is
 * rewritten without them in the background (write aside, fsync, rename over). With compression
 * on, each block is compressed once sealed ({@link BlockCompressor}, {@link ChunkFormat}).
 */
public final class FileStore extends AbstractStreamStore {

    static final String MSGS_DIR = "msgs";
    static final String OBS_DIR = "obs";

    private static final ThreadLocal<CRC32C> READ_CRC = ThreadLocal.withInitial(CRC32C::new);
    /** Block files one store keeps open at most (the delete logs ride along with them). */
    static final int MAX_OPEN_BLOCKS = 128;

    final Path dir;
    final Path msgsDir;
    final Path obsDir;
    /** Blocks in id (and sequence) order; the last one is the tail, where appends go. */
    final ArrayList<MessageBlock> blocks = new ArrayList<>();
    MessageBlock tail;
    int nextBlockId = 1;
    long floor;
    long floorTime;

    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C writeCrc = new CRC32C();
    private final List<MessageBlock> pendingDeleteBlocks = new ArrayList<>();
    private volatile StoreException writeError;
    private boolean directoryDirty;
    private ScheduledFuture<?> syncTask;
    private ScheduledFuture<?> evictionTask;
    private boolean compactionScheduled;
    private boolean truncating;
    /** Serialises {@link #sync()} calls: one must not return while another's fsync is running. */
    private final Object syncMonitor = new Object();
    private RecoveryReport recoveryReport;
    /** The first message's time as the summary gave it, valid while that message is first. */
    private long knownFirstSeq = -1;
    private long knownFirstTime;
    private final BlockCompressor compressor = new BlockCompressor(this);
    final OpenFileLimit openFiles = new OpenFileLimit(MAX_OPEN_BLOCKS, b -> b == tail);
    final BlockIndexLoader loader = new BlockIndexLoader(this);

    private FileStore(Path dir, StoreConfig config) {
        super(config);
        this.dir = dir;
        this.msgsDir = dir.resolve(MSGS_DIR);
        this.obsDir = dir.resolve(OBS_DIR);
        index.setLoader(loader);
    }

    /**
     * Opens the store in {@code dir}, creating it if needed, with {@code config} (which replaces
     * the stored one). Recovers the messages already there.
     */
    public static FileStore open(Path dir, StoreConfig config) {
        if (config.storage() != StorageType.FILE) {
            throw new IllegalArgumentException("file store needs storage FILE, got " + config.storage());
        }
        try {
            Files.createDirectories(dir.resolve(MSGS_DIR));
            Files.createDirectories(dir.resolve(OBS_DIR));
            StoreConfig stored = MetaFile.read(dir);
            if (!config.equals(stored)) {
                MetaFile.write(dir, config);
            }
            FileStore fs = new FileStore(dir, config);
            fs.recover(stored == null);
            return fs;
        } catch (IOException e) {
            throw new StoreException("cannot open file store " + dir, e);
        }
    }

    /** Opens an existing store with the configuration stored in its {@code meta.inf}. */
    public static FileStore open(Path dir) {
        StoreConfig stored;
        try {
            stored = MetaFile.read(dir);
        } catch (IOException e) {
            throw new StoreException("cannot read " + dir.resolve(MetaFile.NAME), e);
        }
        if (stored == null) {
            throw new StoreException("no stream store in " + dir);
        }
        return open(dir, stored);
    }

    /** What the last open found: snapshot or scan, lost sequences, a cut torn tail. */
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    // ---- recovery -----------------------------------------------------------------------------

    private void recover(boolean fresh) throws IOException {
        lock.writeLock().lock();
        try {
            List<MessageBlock> found = listBlocks();
            long[] fl = FloorFile.read(msgsDir);
            floor = fl[0];
            floorTime = fl[1];
            if (fresh && found.isEmpty() && floor == 0 && config.firstSeq() > 1) {
                floor = config.firstSeq() - 1;
                FloorFile.write(msgsDir, floor, 0, true);
            }
            Path summary = msgsDir.resolve(StoreSummary.NAME);
            boolean loaded = Files.exists(summary) && StoreSummary.load(summary, this, found);
            if (loaded) {
                recoveryReport = new RecoveryReport(true, found.size(), msgs, List.of(), 0, List.of());
            } else {
                resetMemory();
                for (MessageBlock b : found) {
                    b.resetCounters();
                }
                recoveryReport = new FileStoreRecovery(this).scan(found);
                msgs = index.size();
                firstSeq = -1;
            }
            // The summary describes the files as they are now; the first change makes it stale.
            Files.deleteIfExists(summary);
            finishRecovery(found);
        } finally {
            flushAndUnlock();
        }
        startSyncTask();
        evictionTask = StoreScheduler.scheduleWithFixedDelay(this::backgroundEviction, EVICTION_PERIOD_NANOS);
    }

    /** How often idle block indexes are looked for; one idle for {@link #IDLE_EPOCHS} rounds goes. */
    static final long EVICTION_PERIOD_NANOS = 10_000_000_000L;
    static final int IDLE_EPOCHS = 3;

    private void backgroundEviction() {
        if (closed || writeError != null) {
            return;
        }
        loader.epoch++;
        try {
            evictIdleIndexes(IDLE_EPOCHS);
        } catch (IllegalStateException | StoreException closedOrFailed) {
            // Closed meanwhile, or the index file could not be written: the blocks stay loaded.
        }
    }

    /**
     * Unloads the message index of blocks nobody has read for {@code idleEpochs} eviction
     * rounds (0: all but the tail), bounding memory: the index of a stream read once from the
     * start would otherwise stay whole. Returns how many blocks were unloaded.
     */
    int evictIdleIndexes(int idleEpochs) {
        lock.writeLock().lock();
        try {
            checkWritable();
            flushPending();
            return loader.evictIdle(idleEpochs, config.syncAlways());
        } catch (IOException e) {
            throw new StoreException("cannot write a block index in " + msgsDir, e);
        } finally {
            flushAndUnlock();
        }
    }

    private List<MessageBlock> listBlocks() throws IOException {
        List<MessageBlock> found = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        try (var files = Files.list(msgsDir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp") || name.endsWith(".cmp")) {
                    // A replacement that never got renamed into place: the original stands.
                    Files.deleteIfExists(p);
                } else if (name.endsWith(".idx") && !Files.exists(p.resolveSibling(name.replace(".idx", ".blk")))) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(".blk") && name.substring(0, name.length() - 4).chars()
                        .allMatch(Character::isDigit) && name.length() > 4) {
                    ids.add(MessageBlock.idOf(p));
                }
            }
        }
        ids.sort(null);
        for (int id : ids) {
            found.add(new MessageBlock(msgsDir, id, openFiles));
        }
        try (var files = Files.list(msgsDir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".dlt") && !Files.exists(p.resolveSibling(name.replace(".dlt", ".blk")))) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return found;
    }

    /** Forgets whatever a failed snapshot load put in memory. */
    void resetMemory() {
        loader.reset();
        msgs = 0;
        entries.clear();
        bytes = 0;
    }

    private void finishRecovery(List<MessageBlock> found) throws IOException {
        blocks.clear();
        blocks.addAll(found);
        loader.opened(blocks);
        long maxRecordSeq = 0;
        long maxRecordTime = 0;
        for (MessageBlock b : blocks) {
            if (b.lastSeq > maxRecordSeq) {
                maxRecordSeq = b.lastSeq;
                maxRecordTime = b.lastTimestamp;
            }
            nextBlockId = Math.max(nextBlockId, b.id + 1);
        }
        lastSeq = Math.max(floor, maxRecordSeq);
        lastTimeNanos = maxRecordSeq >= floor && maxRecordSeq > 0 ? maxRecordTime : floorTime;
        if (msgs > 0) {
            if (firstSeq <= 0) {
                firstSeq = index.nextLive(0, lastSeq);
            }
        } else {
            firstSeq = lastSeq == 0 && config.firstSeq() == 0 ? 0 : lastSeq + 1;
        }
        tail = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        removeEmptyBlocks();
        limits.expireLocked(StoreScheduler.nowNanos());
    }

    /** Deletes blocks with no live message, except the tail while it holds the last sequence. */
    private void removeEmptyBlocks() {
        for (MessageBlock b : new ArrayList<>(blocks)) {
            if (b.live == 0 && (b != tail || b.lastSeq <= floor)) {
                deleteBlock(b);
            }
        }
    }

    // ---- appends ------------------------------------------------------------------------------

    @Override
    long accountedSize(int len) {
        return RecordFormat.accountedSize(len);
    }

    @Override
    long accountedSize(String subject, byte[] headers, byte[] payload) {
        // Upstream's fileStoreMsgSize: 22-byte header + subject + [4 + headers] + payload + 8-byte hash.
        long h = headers == null || headers.length == 0 ? 0 : 4L + headers.length;
        return 22L + Subjects.utf8Length(subject) + h + payload.length + 8;
    }

    /** Called by the summary load: the first message's time without reading its block. */
    void rememberFirstTime(long seq, long time) {
        knownFirstSeq = seq;
        knownFirstTime = time;
    }

    @Override
    long firstTimestamp() {
        if (msgs > 0 && firstSeq == knownFirstSeq) {
            return knownFirstTime;
        }
        return super.firstTimestamp();
    }

    @Override
    long appendRecord(long seq, long ts, long ttl, String subject, byte[] headers, byte[] payload) {
        // Appends go to the tail (and may seal it): its index must be complete before it changes.
        loader.ensureLoaded(tail);
        byte[] subjectBytes = RecordFormat.nonAsciiBytes(subject);
        int subjectLength = subjectBytes != null ? subjectBytes.length : subject.length();
        if (subjectLength > 0xFFFF) {
            throw new IllegalArgumentException("subject longer than 65535 bytes");
        }
        long length = RecordFormat.recordLength(subjectLength, headers, payload, ttl);
        if (length > RecordFormat.MAX_RECORD) {
            throw new IllegalArgumentException("message too large: " + length + " bytes");
        }
        ByteBuffer buf = writeBuffer((int) length);
        RecordFormat.encode(buf, writeCrc, false, seq, ts, ttl, subject, subjectBytes, headers, payload);
        MessageBlock previousTail = tail;
        MessageBlock b = blockForAppend((int) length);
        long offset = b.size;
        writeRecord(b, buf, offset);
        if (previousTail != null && previousTail != b && previousTail.live == 0) {
            // It only kept the last sequence, which the new tail now holds.
            deleteBlock(previousTail);
        }
        b.size += length;
        b.dirty = true;
        if (b.firstSeq == 0) {
            b.firstSeq = seq;
        }
        b.lastSeq = seq;
        b.lastTimestamp = ts;
        b.live++;
        b.liveBytes += length;
        appendedLen = RecordFormat.lenField(buf, 0, (int) length);
        appendedRef = b;
        return offset;
    }

    private ByteBuffer writeBuffer(int length) {
        if (writeBuffer.capacity() < length) {
            int cap = Integer.highestOneBit(length - 1) << 1;
            writeBuffer = ByteBuffer.allocateDirect(cap > 0 ? cap : length).order(ByteOrder.LITTLE_ENDIAN);
        }
        return writeBuffer;
    }

    /** Writes a record; on failure puts the file back as it was, or latches the error. */
    private void writeRecord(MessageBlock b, ByteBuffer buf, long offset) {
        try {
            b.writeFully(buf, offset);
        } catch (IOException e) {
            try {
                b.truncateFile(offset);
            } catch (IOException e2) {
                e.addSuppressed(e2);
                setWriteError("cannot undo a failed write to " + b.file, e);
            }
            throw new StoreException("write to " + b.file + " failed", e);
        }
    }

    private MessageBlock blockForAppend(int length) {
        // A compressed tail (the blocks after it were removed) is sealed for good.
        if (tail == null || tail.compressed || (tail.size > 0 && tail.size + length > config.blockSize())) {
            MessageBlock b = new MessageBlock(msgsDir, nextBlockId, openFiles);
            try {
                b.create();
            } catch (IOException e) {
                throw new StoreException("cannot create block " + b.file, e);
            }
            nextBlockId++;
            blocks.add(b);
            if (tail != null) {
                compressor.sealed(tail);
            }
            tail = b;
            directoryDirty = true;
        }
        return tail;
    }

    /** Records that {@code seq} is used but holds no message (keeps the last sequence). */
    private void appendSkip(long seq, long ts) {
        loader.ensureLoaded(tail);
        ByteBuffer buf = writeBuffer(RecordFormat.OVERHEAD);
        int length = RecordFormat.encode(buf, writeCrc, true, seq, ts, 0, "", null, null, new byte[0]);
        MessageBlock b = blockForAppend(length);
        writeRecord(b, buf, b.size);
        b.size += length;
        b.dirty = true;
        if (b.firstSeq == 0) {
            b.firstSeq = seq;
        }
        b.lastSeq = seq;
        b.lastTimestamp = ts;
    }

    // ---- reads --------------------------------------------------------------------------------

    @Override
    StoredMessage readRecord(long seq, long loc, int len, Object ref, String subject) {
        MessageBlock b = (MessageBlock) ref;
        b.usedEpoch = loader.epoch;
        byte[] rec = readRecordBytes(b, seq, loc, len);
        ByteBuffer bb = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        int subjectLength = RecordFormat.subjectLength(bb, 0);
        int headersLength = RecordFormat.headersLength(bb, 0);
        boolean hasHeaders = RecordFormat.hasHeaders(bb, 0);
        int h = RecordFormat.headerSize(bb, 0) + subjectLength;
        int p = h + headersLength;
        byte[] headers = hasHeaders ? Arrays.copyOfRange(rec, h, p) : null;
        byte[] payload = Arrays.copyOfRange(rec, p, rec.length - RecordFormat.CHECKSUM_SIZE);
        return new StoredMessage(subject, headers, payload, seq, bb.getLong(RecordFormat.OFF_TIMESTAMP),
                RecordFormat.ttl(bb, 0));
    }

    private byte[] readRecordBytes(MessageBlock b, long seq, long loc, int len) {
        byte[] rec = new byte[len & RecordFormat.LEN_MASK];
        try {
            b.readContent(rec, 0, loc, rec.length);
        } catch (IOException e) {
            throw new StoreException("cannot read sequence " + seq + ": " + e.getMessage(), e);
        }
        ByteBuffer bb = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        if (!RecordFormat.valid(rec, READ_CRC.get()) || bb.getLong(RecordFormat.OFF_SEQ) != seq) {
            throw new StoreException("corrupt record for sequence " + seq + " in " + b.file + " at offset " + loc);
        }
        return rec;
    }

    @Override
    long timestampOf(long seq, long loc, int len, Object ref) {
        MessageBlock b = (MessageBlock) ref;
        byte[] ts = new byte[8];
        try {
            b.readContent(ts, 0, loc + RecordFormat.OFF_TIMESTAMP, ts.length);
        } catch (IOException e) {
            throw new StoreException("cannot read sequence " + seq + " from " + b.file, e);
        }
        return ByteBuffer.wrap(ts).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    // ---- removals -----------------------------------------------------------------------------

    @Override
    void recordRemoval(long seq, long loc, int len, Object ref, boolean erase) {
        MessageBlock b = (MessageBlock) ref;
        if (!b.hasPendingDeletes()) {
            pendingDeleteBlocks.add(b);
        }
        b.bufferDelete(seq);
        if (erase) {
            // The removal is on disk before the bytes are destroyed.
            flushPending();
            eraseInPlace(b, seq, loc, len);
        }
    }

    /** Rewrites the record where it is: same length, random content, erased flag, valid checksum. */
    private void eraseInPlace(MessageBlock b, long seq, long loc, int len) {
        byte[] rec = readRecordBytes(b, seq, loc, len);
        ByteBuffer bb = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        // Subject, headers and payload; the header (and the lengths in it) stays as it was.
        int header = RecordFormat.headerSize(bb, 0);
        byte[] noise = new byte[rec.length - header - RecordFormat.CHECKSUM_SIZE];
        ThreadLocalRandom.current().nextBytes(noise);
        System.arraycopy(noise, 0, rec, header, noise.length);
        RecordFormat.markErased(bb, 0);
        CRC32C crc = new CRC32C();
        crc.update(rec, 0, rec.length - RecordFormat.CHECKSUM_SIZE);
        bb.putInt(rec.length - RecordFormat.CHECKSUM_SIZE, (int) crc.getValue());
        try {
            if (b.compressed) {
                // Compressed chunks cannot be patched in place: the block is rewritten, still compressed.
                byte[] content = b.readContent();
                System.arraycopy(rec, 0, content, (int) loc, rec.length);
                b.replaceContent(content, content.length, true);
            } else {
                b.overwrite(ByteBuffer.wrap(rec), loc);
            }
        } catch (IOException e) {
            throw new StoreException("cannot erase sequence " + seq + " in " + b.file, e);
        }
        b.dirty = true;
    }

    @Override
    void entryRemoved(long seq, long loc, int len, Object ref) {
        MessageBlock b = (MessageBlock) ref;
        b.live--;
        b.liveBytes -= len & RecordFormat.LEN_MASK;
        if (b == tail || truncating) {
            return;
        }
        if (b.live == 0) {
            deleteBlock(b);
        } else if (worthCompacting(b)) {
            scheduleCompaction();
        }
    }

    private boolean worthCompacting(MessageBlock b) {
        long removed = b.size - b.liveBytes;
        return removed >= config.blockSize() / 2 && removed * 2 >= b.size && b.size < Integer.MAX_VALUE - 8;
    }

    private void deleteBlock(MessageBlock b) {
        loader.forget(b);
        blocks.remove(b);
        pendingDeleteBlocks.remove(b);
        if (tail == b) {
            tail = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        }
        try {
            b.deleteFiles();
        } catch (IOException e) {
            setWriteError("cannot delete " + b.file, e);
        }
        directoryDirty = true;
    }

    @Override
    void flushPending() {
        if (pendingDeleteBlocks.isEmpty()) {
            return;
        }
        try {
            for (MessageBlock b : pendingDeleteBlocks) {
                b.flushDeletes(writeCrc);
            }
        } catch (IOException e) {
            setWriteError("cannot write a delete log", e);
            throw new StoreException("cannot write a delete log in " + msgsDir, e);
        } finally {
            pendingDeleteBlocks.clear();
        }
    }

    private void writeFloor(long newFloor) {
        try {
            FloorFile.write(msgsDir, newFloor, lastTimeNanos, config.syncAlways());
        } catch (IOException e) {
            setWriteError("cannot write " + FloorFile.NAME, e);
            throw new StoreException("cannot write " + msgsDir.resolve(FloorFile.NAME), e);
        }
        floor = newFloor;
        floorTime = lastTimeNanos;
    }

    @Override
    void resetStorage(long newLast) {
        // The floor goes first: from then on, whatever is left of the blocks is dead.
        writeFloor(newLast);
        for (MessageBlock b : new ArrayList<>(blocks)) {
            deleteBlock(b);
        }
        tail = null;
    }

    @Override
    void compactStorage(long newFloor) {
        if (newFloor > floor) {
            writeFloor(newFloor);
        }
    }

    @Override
    void truncateStarting() {
        truncating = true;
    }

    @Override
    void truncateStorage(long seq) {
        truncating = false;
        flushPending();
        try {
            while (!blocks.isEmpty() && blocks.get(blocks.size() - 1).firstSeq > seq) {
                deleteBlock(blocks.get(blocks.size() - 1));
            }
            MessageBlock b = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
            if (b != null && b.lastSeq > seq) {
                new FileStoreRecovery(this).cutBlock(b, seq);
            }
            tail = b;
            loader.ensureLoaded(tail);
            if (floor > seq) {
                writeFloor(seq);
            }
            if ((tail == null || tail.lastSeq < seq) && seq > floor) {
                appendSkip(seq, lastTimeNanos);
            }
            removeEmptyBlocks();
        } catch (IOException e) {
            setWriteError("truncate failed", e);
            throw new StoreException("truncate of " + dir + " failed", e);
        }
    }

    // ---- durability ---------------------------------------------------------------------------

    @Override
    public void sync() {
        synchronized (syncMonitor) {
            syncNow();
        }
    }

    private void syncNow() {
        List<MessageBlock> toSync = new ArrayList<>();
        boolean syncDirectory;
        lock.writeLock().lock();
        try {
            checkOpen();
            for (MessageBlock b : blocks) {
                if (b.dirty || b.deletesDirty) {
                    toSync.add(b);
                    b.dirty = false;
                    b.deletesDirty = false;
                }
            }
            syncDirectory = directoryDirty;
            directoryDirty = false;
        } finally {
            flushAndUnlock();
        }
        // fsync outside the lock: the writer keeps appending meanwhile.
        try {
            for (MessageBlock b : toSync) {
                b.force();
            }
            if (syncDirectory) {
                AtomicFiles.syncDirectory(msgsDir);
            }
        } catch (IOException e) {
            setWriteError("fsync failed", e);
            throw new StoreException("fsync of " + dir + " failed", e);
        }
    }

    private void startSyncTask() {
        if (!config.syncAlways() && syncTask == null && !closed) {
            syncTask = StoreScheduler.scheduleWithFixedDelay(this::backgroundSync, config.syncIntervalNanos());
        }
    }

    private void backgroundSync() {
        if (!closed && writeError == null) {
            try {
                sync();
            } catch (IllegalStateException closedMeanwhile) {
                // Closed between the check and the sync: close() fsyncs itself.
            }
        }
    }

    private void setWriteError(String what, IOException e) {
        if (writeError == null) {
            writeError = new StoreException(what + " in " + dir + "; the store takes no more writes", e);
        }
    }

    @Override
    void checkWritable() {
        checkOpen();
        StoreException e = writeError;
        if (e != null) {
            throw new StoreException(e.getMessage(), e);
        }
    }

    @Override
    void configChanged(StoreConfig previous, StoreConfig current) {
        try {
            MetaFile.write(dir, current);
        } catch (IOException e) {
            throw new StoreException("cannot write " + dir.resolve(MetaFile.NAME), e);
        }
        if (previous.syncAlways() != current.syncAlways()
                || previous.syncIntervalNanos() != current.syncIntervalNanos()) {
            if (syncTask != null) {
                syncTask.cancel(false);
                syncTask = null;
            }
            startSyncTask();
        }
    }

    // ---- compaction ---------------------------------------------------------------------------

    private void scheduleCompaction() {
        if (!compactionScheduled && !closed) {
            compactionScheduled = true;
            StoreScheduler.schedule(this::backgroundCompaction, 0);
        }
    }

    private void backgroundCompaction() {
        if (!closed) {
            try {
                compactBlocks();
            } catch (IllegalStateException closedMeanwhile) {
                // Nothing to do for a closed store.
            }
        }
    }

    /**
     * Rewrites every sealed block holding at least half a block of removed records, without
     * them. Runs in the background when removals pass that threshold; public for tests and
     * tools. Returns how many blocks were rewritten.
     */
    public int compactBlocks() {
        lock.writeLock().lock();
        try {
            compactionScheduled = false;
            checkWritable();
            flushPending();
            int n = 0;
            for (MessageBlock b : new ArrayList<>(blocks)) {
                if (b != tail && b.live > 0 && worthCompacting(b)) {
                    new FileStoreRecovery(this).rewriteBlock(b);
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            setWriteError("block compaction failed", e);
            throw new StoreException("block compaction in " + dir + " failed", e);
        } finally {
            flushAndUnlock();
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    @Override
    void closeStorage() {
        if (syncTask != null) {
            syncTask.cancel(false);
            syncTask = null;
        }
        if (evictionTask != null) {
            evictionTask.cancel(false);
            evictionTask = null;
        }
        try {
            flushPending();
            if (writeError == null) {
                compressor.drain();
                for (MessageBlock b : blocks) {
                    if (b.dirty || b.deletesDirty) {
                        b.force();
                    }
                }
                StoreSummary.write(this, config.syncAlways());
            }
        } catch (IOException | RuntimeException e) {
            // The blocks are intact; the next open scans them instead of reading a summary.
            setWriteError("close failed", e instanceof IOException io ? io : new IOException(e));
        } finally {
            for (MessageBlock b : blocks) {
                b.closeChannels();
            }
        }
    }

    @Override
    void deleteStorage() {
        if (syncTask != null) {
            syncTask.cancel(false);
            syncTask = null;
        }
        if (evictionTask != null) {
            evictionTask.cancel(false);
            evictionTask = null;
        }
        compressor.cancel();
        for (MessageBlock b : blocks) {
            b.closeChannels();
        }
        blocks.clear();
        tail = null;
        try {
            FileConsumerStore.deleteDirectory(dir);
        } catch (IOException e) {
            throw new StoreException("cannot delete " + dir, e);
        }
    }

    @Override
    ConsumerStore openConsumerStore(String name) {
        return new FileConsumerStore(name, obsDir.resolve(name), config.syncAlways(), this);
    }

    @Override
    void deleteConsumerFiles(String name) {
        try {
            FileConsumerStore.deleteDirectory(obsDir.resolve(name));
        } catch (IOException e) {
            throw new StoreException("cannot delete consumer " + name, e);
        }
    }

    /** For tests: how many blocks an open from the summary left unloaded that nothing has read yet. */
    int unloadedBlocks() {
        lock.readLock().lock();
        try {
            return loader.unloadedBlocks();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** For tests: the block files, in order. */
    List<Path> blockFiles() {
        lock.readLock().lock();
        try {
            return blocks.stream().map(b -> b.file).toList();
        } finally {
            lock.readLock().unlock();
        }
    }
}
