package io.jnatsd.store;

import java.util.List;

/**
 * Loads a block's entries into the sequence index the first time something looks at its
 * sequences, after an open that left them out ({@link StoreSummary}). From the block's index
 * file when it is the one the summary named; otherwise by reading the block itself
 * ({@link FileStoreRecovery#reindexBlock}).
 *
 * <p>Loading changes the index, so it needs the store's write lock; a reader holding only the
 * read lock gets {@link SequenceIndex.IndexFault} and the store runs its query again under the
 * write lock ({@link AbstractStreamStore#read}), where loads happen in place. Eviction
 * ({@link #evictIdle}) takes the write lock too and runs between operations, so a block loaded
 * for an operation stays loaded until it ends.
 */
final class BlockIndexLoader implements SequenceIndex.Loader {

    private final FileStore fs;
    /** Blocks whose entries are not in the index. */
    private int unloaded;

    BlockIndexLoader(FileStore fs) {
        this.fs = fs;
    }

    /** After an open from the summary: counts the blocks it left out. */
    void opened(List<MessageBlock> blocks) {
        unloaded = 0;
        for (MessageBlock b : blocks) {
            if (!b.indexed) {
                unloaded++;
            }
        }
    }

    @Override
    public boolean anyUnloaded() {
        return unloaded > 0;
    }

    /** How many blocks still wait to be loaded (for tests and the recovery report). */
    int unloadedBlocks() {
        return unloaded;
    }

    @Override
    public boolean loadOne(long from, long to, boolean highest) {
        MessageBlock b = find(from, to, highest);
        if (b == null) {
            return false;
        }
        if (!fs.lock.isWriteLockedByCurrentThread()) {
            throw SequenceIndex.IndexFault.INSTANCE;
        }
        load(b);
        return true;
    }

    /** Loads {@code b} if it is not loaded (blocks about to change must be). */
    void ensureLoaded(MessageBlock b) {
        if (b != null && !b.indexed) {
            load(b);
        }
    }

    @Override
    public void changed(Object ref) {
        ((MessageBlock) ref).indexChanged = true;
    }

    /** A block left out by the open is deleted as a whole: nothing to load any more. */
    void forget(MessageBlock b) {
        if (!b.indexed) {
            b.indexed = true;
            unloaded--;
        }
    }

    /** Every block is gone or loaded (purge, a failed open). */
    void reset() {
        unloaded = 0;
    }

    /** Counts eviction rounds: a block whose {@link MessageBlock#usedEpoch} lags is idle. */
    volatile int epoch;

    /**
     * Unloads the index of every block idle for {@code idleEpochs} eviction rounds (0: every
     * block), keeping the tail and blocks a background compression will still change. With
     * the write lock held and no operation under way, so no one holds a page of it. Its index
     * file is written first; returns how many blocks were unloaded.
     */
    int evictIdle(int idleEpochs, boolean fsync) throws java.io.IOException {
        int now = epoch;
        int n = 0;
        for (MessageBlock b : fs.blocks) {
            if (!b.indexed || b == fs.tail || b.live == 0 || now - b.usedEpoch < idleEpochs
                    || (fs.config.compression() != StoreCompression.NONE && !b.compressed)) {
                continue;
            }
            if (b.indexChanged) {
                BlockIndexFile.write(fs, b, fsync);
            }
            SequenceIndex index = fs.index;
            for (long seq = index.nextLive(b.firstSeq, b.lastSeq); seq >= 0; seq = index.nextLive(seq + 1, b.lastSeq)) {
                index.evict(seq);
            }
            b.indexed = false;
            unloaded++;
            n++;
        }
        return n;
    }

    private void load(MessageBlock b) {
        // Marked first: rebuilding its links looks at the sequences around it, not at it again.
        b.indexed = true;
        b.usedEpoch = epoch;
        unloaded--;
        if (!BlockIndexFile.load(fs, b)) {
            new FileStoreRecovery(fs).reindexBlock(b);
        }
    }

    /** The lowest (or highest) unloaded block holding sequences in [from, to], or null. */
    private MessageBlock find(long from, long to, boolean highest) {
        List<MessageBlock> blocks = fs.blocks;
        int n = blocks.size();
        // Blocks are in sequence order; only the last may be empty (first and last 0).
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (blocks.get(mid).lastSeq >= from) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        MessageBlock found = null;
        for (int i = lo; i < n; i++) {
            MessageBlock b = blocks.get(i);
            if (b.firstSeq > to || b.lastSeq == 0) {
                break;
            }
            if (!b.indexed && b.lastSeq >= from) {
                found = b;
                if (!highest) {
                    break;
                }
            }
        }
        return found;
    }
}
