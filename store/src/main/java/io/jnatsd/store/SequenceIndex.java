package io.jnatsd.store;

import java.util.Arrays;

/**
 * The in-memory index of live messages by sequence: compact pages of 64 slots, each slot holding
 * the message's location (a file offset, or the timestamp for the memory store), its length, its
 * subject id, the distance to the previous and next message of the same subject, and one
 * reference (the block, or the message bytes). Pages live in a ring covering first..last, so a
 * lookup is an array index; pages with no live slot are dropped.
 *
 * <p>The per-subject links make "oldest message of this subject" (max_msgs_per_subject) and
 * subject-filtered walks O(1) per step. A link is a sequence distance, 0 for none; the window
 * spans at most 2^30 sequences ({@link #MAX_PAGES}), so a distance always fits in an int.
 *
 * <p>Cost: about 28 bytes per live message while the stream is dense; a sparse stream (many
 * deletes in the middle) pays up to a page (1.8 KB) per live message in the worst case.
 * Not thread-safe: guarded by the store's lock.
 *
 * <p><b>Lazy loading.</b> The file store may leave a block's entries out until something needs
 * them ({@link Loader}). Every lookup here first asks the loader for the blocks it is about to
 * look at: {@link #page} for that sequence, {@link #nextLive}/{@link #prevLive} for the range up
 * to the answer and the rest of the answer's page (callers scan the page on from there), and
 * {@link #countFrom} for everything above. So callers see a complete index whichever blocks
 * are loaded.
 */
final class SequenceIndex {

    static final int PAGE_BITS = 6;
    static final int PAGE_SIZE = 1 << PAGE_BITS;
    static final int SLOT_MASK = PAGE_SIZE - 1;
    /** The ring covers at most this many pages (2^30 sequences) between first and last live. */
    static final int MAX_PAGES = 1 << 24;

    /** 64 consecutive sequences. A slot with subject id 0 is empty. */
    static final class Page {
        final long firstSeq;
        final long[] loc = new long[PAGE_SIZE];
        final int[] len = new int[PAGE_SIZE];
        final int[] subj = new int[PAGE_SIZE];
        final int[] next = new int[PAGE_SIZE];
        final int[] prev = new int[PAGE_SIZE];
        final Object[] ref = new Object[PAGE_SIZE];
        int live;

        Page(long firstSeq) {
            this.firstSeq = firstSeq;
        }
    }

    /**
     * Brings blocks' entries into the index on demand. Under the store's read lock it throws
     * {@link IndexFault} instead; the store retries the read under the write lock.
     */
    interface Loader {
        /** True while some block's entries are not in the index. */
        boolean anyUnloaded();

        /**
         * Loads one not yet loaded block holding sequences in [from, to]: the lowest one, or the
         * highest with {@code highest}. False if every such block is loaded.
         */
        boolean loadOne(long from, long to, boolean highest);

        /** An entry of the block {@code ref} changed (added, removed, moved or relinked). */
        void changed(Object ref);
    }

    /** Thrown by a {@link Loader} that must load a block but holds only the read lock. */
    static final class IndexFault extends RuntimeException {
        static final IndexFault INSTANCE = new IndexFault();

        private IndexFault() {
            super("block index not loaded", null, false, false);
        }
    }

    private Loader loader;
    private Page[] ring = new Page[16];
    private int head;
    private int count;
    private long basePage;
    private long size;

    void setLoader(Loader loader) {
        this.loader = loader;
    }

    private void changed(Page p, int i) {
        if (loader != null) {
            loader.changed(p.ref[i]);
        }
    }

    private boolean lazy() {
        return loader != null && loader.anyUnloaded();
    }

    /** Live entries in the index (those of loaded blocks). */
    long size() {
        return size;
    }

    void clear() {
        ring = new Page[16];
        head = 0;
        count = 0;
        basePage = 0;
        size = 0;
    }

    static int slot(long seq) {
        return (int) (seq & SLOT_MASK);
    }

    /** The page holding {@code seq}, or null; the block holding {@code seq} is loaded first. */
    Page page(long seq) {
        if (lazy()) {
            loader.loadOne(seq, seq, false);
        }
        return loadedPage(seq);
    }

    private Page loadedPage(long seq) {
        long d = (seq >>> PAGE_BITS) - basePage;
        if (d < 0 || d >= count) {
            return null;
        }
        return ring[(int) ((head + d) & (ring.length - 1))];
    }

    /** True if {@code seq} is a live entry. */
    boolean contains(long seq) {
        Page p = page(seq);
        return p != null && p.subj[slot(seq)] != 0;
    }

    /**
     * Whether {@link #put} can take {@code seq} without the window (first live .. seq) growing
     * past {@link #MAX_PAGES}: a sequence more than about 2^30 above the oldest live message.
     */
    boolean canPut(long seq) {
        return count == 0 || (seq >>> PAGE_BITS) - basePage < MAX_PAGES;
    }

    /**
     * Adds a live entry. {@code seq} must be above every live entry; {@code subject} is updated
     * (count, first, last) and linked.
     */
    void put(long seq, long loc, int len, SubjectTable.Subject subject, Object ref) {
        Page p = pageForWrite(seq);
        int i = slot(seq);
        if (p.subj[i] != 0) {
            throw new IllegalStateException("sequence " + seq + " already indexed");
        }
        p.loc[i] = loc;
        p.len[i] = len;
        p.subj[i] = subject.id;
        p.ref[i] = ref;
        p.next[i] = 0;
        p.prev[i] = 0;
        p.live++;
        size++;
        changed(p, i);
        if (subject.count == 0) {
            subject.first = seq;
        } else {
            long last = subject.last;
            if (last >= seq) {
                throw new IllegalStateException("sequence " + seq + " not above subject's last " + last);
            }
            int d = (int) (seq - last);
            p.prev[i] = d;
            Page lp = page(last);
            lp.next[slot(last)] = d;
            changed(lp, slot(last));
        }
        subject.last = seq;
        subject.count++;
    }

    /**
     * Puts back an entry as a block index file saved it, links included; the subject's count,
     * first and last already account for it. Used when a block is loaded lazily.
     */
    void restore(long seq, long loc, int len, int subjectId, int prevDistance, int nextDistance, Object ref) {
        Page p = pageForWrite(seq);
        int i = slot(seq);
        if (p.subj[i] != 0) {
            throw new IllegalStateException("sequence " + seq + " already indexed");
        }
        p.loc[i] = loc;
        p.len[i] = len;
        p.subj[i] = subjectId;
        p.ref[i] = ref;
        p.prev[i] = prevDistance;
        p.next[i] = nextDistance;
        p.live++;
        size++;
    }

    /** Links live entry {@code seq} to the previous message of its subject (a block rebuilt without its index file). */
    void setPrev(long seq, long prevSeq) {
        Page p = loadedPage(seq);
        p.prev[slot(seq)] = (int) (seq - prevSeq);
        changed(p, slot(seq));
    }

    /** Links live entry {@code seq} to the next message of its subject. */
    void setNext(long seq, long nextSeq) {
        Page p = loadedPage(seq);
        p.next[slot(seq)] = (int) (nextSeq - seq);
        changed(p, slot(seq));
    }

    /**
     * Takes a live entry out of memory without changing its subject or its neighbours' links
     * (they point at it by distance): its block's index file has it, and the entry comes back
     * when the block is loaded again.
     */
    void evict(long seq) {
        Page p = loadedPage(seq);
        int i = slot(seq);
        p.subj[i] = 0;
        p.ref[i] = null;
        p.live--;
        size--;
        if (p.live == 0) {
            dropPage(seq >>> PAGE_BITS);
        }
    }

    /** Updates the location of a live entry (block compaction moves records). */
    void relocate(long seq, long loc) {
        Page p = page(seq);
        p.loc[slot(seq)] = loc;
        changed(p, slot(seq));
    }

    /**
     * Removes a live entry, relinking its subject's neighbours and updating the subject's count,
     * first and last.
     */
    void remove(long seq, SubjectTable.Subject subject) {
        Page p = page(seq);
        int i = slot(seq);
        long before = p.prev[i] == 0 ? 0 : seq - p.prev[i];
        long after = p.next[i] == 0 ? 0 : seq + p.next[i];
        int gap = before > 0 && after > 0 ? (int) (after - before) : 0;
        if (before > 0) {
            Page bp = page(before);
            bp.next[slot(before)] = gap;
            changed(bp, slot(before));
        }
        if (after > 0) {
            Page ap = page(after);
            ap.prev[slot(after)] = gap;
            changed(ap, slot(after));
        }
        changed(p, i);
        subject.count--;
        if (subject.first == seq) {
            subject.first = after;
        }
        if (subject.last == seq) {
            subject.last = before;
        }
        p.subj[i] = 0;
        p.ref[i] = null;
        p.live--;
        size--;
        if (p.live == 0) {
            dropPage(seq >>> PAGE_BITS);
        }
    }

    /** The next live sequence with the same subject as live entry {@code seq}, or 0. */
    long nextSameSubject(long seq) {
        int d = page(seq).next[slot(seq)];
        return d == 0 ? 0 : seq + d;
    }

    /** The previous live sequence with the same subject as live entry {@code seq}, or 0. */
    long prevSameSubject(long seq) {
        int d = page(seq).prev[slot(seq)];
        return d == 0 ? 0 : seq - d;
    }

    /**
     * The first live sequence in [from, to], or -1. Every block holding sequences from
     * {@code from} to the end of the answer's page (within {@code to}) is loaded.
     */
    long nextLive(long from, long to) {
        if (!lazy()) {
            return nextLoaded(from, to);
        }
        while (true) {
            long r = nextLoaded(from, to);
            long upTo = r < 0 ? to : Math.min(to, r | SLOT_MASK);
            if (from > upTo || !loader.loadOne(from, upTo, false)) {
                return r;
            }
        }
    }

    private long nextLoaded(long from, long to) {
        long seq = Math.max(from, basePage << PAGE_BITS);
        while (seq <= to) {
            Page p = loadedPage(seq);
            if (p == null || p.live == 0) {
                if ((seq >>> PAGE_BITS) >= basePage + count) {
                    return -1;
                }
                seq = ((seq >>> PAGE_BITS) + 1) << PAGE_BITS;
                continue;
            }
            int end = (int) Math.min(SLOT_MASK, to - p.firstSeq);
            for (int i = slot(seq); i <= end; i++) {
                if (p.subj[i] != 0) {
                    return p.firstSeq + i;
                }
            }
            seq = p.firstSeq + PAGE_SIZE;
        }
        return -1;
    }

    /**
     * The last live sequence in [to, from] (walking down from {@code from}), or -1. Every block
     * holding sequences from the start of the answer's page (within {@code to}) up to
     * {@code from} is loaded.
     */
    long prevLive(long from, long to) {
        if (!lazy()) {
            return prevLoaded(from, to);
        }
        while (true) {
            long r = prevLoaded(from, to);
            long downTo = r < 0 ? to : Math.max(to, r & ~(long) SLOT_MASK);
            if (downTo > from || !loader.loadOne(downTo, from, true)) {
                return r;
            }
        }
    }

    private long prevLoaded(long from, long to) {
        long top = ((basePage + count) << PAGE_BITS) - 1;
        long seq = Math.min(from, top);
        while (seq >= to && seq >= 0) {
            Page p = loadedPage(seq);
            if (p == null || p.live == 0) {
                if ((seq >>> PAGE_BITS) < basePage || seq < PAGE_SIZE) {
                    return -1;
                }
                seq = ((seq >>> PAGE_BITS) << PAGE_BITS) - 1;
                continue;
            }
            int end = (int) Math.max(0, to - p.firstSeq);
            for (int i = slot(seq); i >= end; i--) {
                if (p.subj[i] != 0) {
                    return p.firstSeq + i;
                }
            }
            seq = p.firstSeq - 1;
        }
        return -1;
    }

    /** The first live sequence in [from, to] with subject id {@code id}, or 0. */
    long nextWithSubject(long from, long to, int id) {
        for (long seq = nextLive(from, to); seq >= 0; seq = nextLive(seq + 1, to)) {
            Page p = page(seq);
            int end = (int) Math.min(SLOT_MASK, to - p.firstSeq);
            for (int i = slot(seq); i <= end; i++) {
                if (p.subj[i] == id) {
                    return p.firstSeq + i;
                }
            }
            seq = p.firstSeq + SLOT_MASK;
        }
        return 0;
    }

    /** The last live sequence in [to, from] with subject id {@code id}, or 0. */
    long prevWithSubject(long from, long to, int id) {
        for (long seq = prevLive(from, to); seq >= 0; seq = prevLive(seq - 1, to)) {
            Page p = page(seq);
            int end = (int) Math.max(0, to - p.firstSeq);
            for (int i = slot(seq); i >= end; i--) {
                if (p.subj[i] == id) {
                    return p.firstSeq + i;
                }
            }
            seq = p.firstSeq;
        }
        return 0;
    }

    /** Live entries at or above {@code from}; whole pages are counted by their live count. */
    long countFrom(long from) {
        if (lazy()) {
            while (loader.loadOne(from, Long.MAX_VALUE, false)) {
                // every block from there on is needed
            }
        }
        long total = 0;
        Page first = loadedPage(from);
        if (first != null) {
            for (int i = slot(from); i < PAGE_SIZE; i++) {
                if (first.subj[i] != 0) {
                    total++;
                }
            }
        }
        long startPage = Math.max(basePage, (from >>> PAGE_BITS) + 1);
        for (long pn = startPage; pn < basePage + count; pn++) {
            Page p = ring[(int) ((head + (pn - basePage)) & (ring.length - 1))];
            if (p != null) {
                total += p.live;
            }
        }
        return total;
    }

    private Page pageForWrite(long seq) {
        long pn = seq >>> PAGE_BITS;
        if (count == 0) {
            basePage = pn;
            head = 0;
            count = 1;
            Page p = new Page(pn << PAGE_BITS);
            ring[0] = p;
            return p;
        }
        long d = pn - basePage;
        if (d < 0) {
            // A lazily loaded block below the loaded ones: the window grows downwards.
            if (count - d > MAX_PAGES) {
                throw new IllegalStateException("sequence " + seq + " too far below the index window");
            }
            growDown((int) -d);
            d = 0;
        }
        if (d >= count) {
            if (d >= MAX_PAGES) {
                throw new IllegalArgumentException("sequence gap too large: " + seq);
            }
            int newCount = (int) d + 1;
            if (newCount > ring.length) {
                grow(newCount);
            }
            count = newCount;
        }
        int idx = (int) ((head + d) & (ring.length - 1));
        Page p = ring[idx];
        if (p == null) {
            p = new Page(pn << PAGE_BITS);
            ring[idx] = p;
        }
        return p;
    }

    private void growDown(int pages) {
        int needed = count + pages;
        int cap = Math.max(ring.length, Integer.highestOneBit(needed - 1) << 1);
        Page[] bigger = new Page[cap];
        for (int i = 0; i < count; i++) {
            bigger[pages + i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
        count = needed;
        basePage -= pages;
    }

    private void grow(int needed) {
        int cap = Integer.highestOneBit(needed - 1) << 1;
        Page[] bigger = new Page[cap];
        for (int i = 0; i < count; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }

    private void dropPage(long pn) {
        int idx = (int) ((head + (pn - basePage)) & (ring.length - 1));
        ring[idx] = null;
        // Trim empty pages at both ends so the window stays first..last.
        while (count > 0 && ring[head] == null) {
            head = (head + 1) & (ring.length - 1);
            basePage++;
            count--;
        }
        while (count > 0 && ring[(head + count - 1) & (ring.length - 1)] == null) {
            count--;
        }
        if (count == 0) {
            head = 0;
            if (ring.length > 1024) {
                ring = new Page[16];
            }
        }
    }

    /** For tests and invariants: the slots of the window, in order. */
    int pagesInWindow() {
        return count;
    }

    @Override
    public String toString() {
        return "SequenceIndex[size=" + size + ", pages=" + count + ", base=" + basePage + ", ring="
                + Arrays.toString(new int[] {ring.length}) + "]";
    }
}
