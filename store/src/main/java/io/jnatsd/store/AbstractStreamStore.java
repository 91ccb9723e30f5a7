package io.jnatsd.store;

import io.jnatsd.protocol.subject.Subjects;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * What the memory and file stores share: the counters, purge semantics and queries, with three
 * roles in their own classes: the index ({@link StoreIndex}), limits and expiry
 * ({@link StoreLimits}) and removal reporting ({@link RemovalListeners}). Subclasses supply where the bytes live through a handful of
 * hooks, each called with the write lock held.
 *
 * <p>Locking: one {@link ReentrantReadWriteLock}. Mutations and background tasks hold the write
 * lock; queries hold the read lock. Removal listeners run after the write lock is released.
 */
abstract class AbstractStreamStore implements StreamStore {


    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The index role; the fields below are its parts, named for the code that reads them. */
    final StoreIndex entries = new StoreIndex();
    final SequenceIndex index = entries.seqs;
    final SubjectTable subjects = entries.subjects;
    final IndexQueries queries = entries.queries;
    final TtlHeap ttls = entries.ttls;
    final HashSet<Long> neverExpires = entries.neverExpires;

    volatile StoreConfig config;
    volatile boolean closed;
    long msgs;
    long bytes;
    long firstSeq;
    long lastSeq;
    long lastTimeNanos;

    /** Set by {@link #appendRecord}: the index length field and reference of the new entry. */
    int appendedLen;
    Object appendedRef;

    private final RemovalListeners listeners = new RemovalListeners();
    private final Map<String, ConsumerStore> consumers = new HashMap<>();
    final StoreLimits limits = new StoreLimits(this);

    AbstractStreamStore(StoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    // ---- hooks, all called with the write lock held (reads: read lock) -------------------------

    /** The upstream-compatible size of an index entry with length field {@code len}. */
    abstract long accountedSize(int len);

    /** The upstream-compatible size of a message about to be stored (discard new checks). */
    abstract long accountedSize(String subject, byte[] headers, byte[] payload);

    @Override
    public long messageSize(String subject, byte[] headers, byte[] payload) {
        return accountedSize(subject, headers, payload);
    }

    /**
     * Stores the message's bytes; returns the location for the index and sets
     * {@link #appendedLen} and {@link #appendedRef}. Must leave nothing behind if it throws.
     */
    abstract long appendRecord(long seq, long ts, long ttl, String subject, byte[] headers, byte[] payload);

    /** Reads a live message. */
    abstract StoredMessage readRecord(long seq, long loc, int len, Object ref, String subject);

    /** A live message's timestamp. */
    abstract long timestampOf(long seq, long loc, int len, Object ref);

    /** Records the removal of one live message durably (and overwrites it for an erase). */
    abstract void recordRemoval(long seq, long loc, int len, Object ref, boolean erase);

    /** The entry has left the index (after {@link #recordRemoval}, or in a bulk drop). */
    void entryRemoved(long seq, long loc, int len, Object ref) {
    }

    /**
     * A truncate is about to drop many entries from the top; the storage should not delete
     * blocks as they empty but leave that to {@link #truncateStorage} (which goes top-down).
     */
    void truncateStarting() {
    }

    /** End of a mutating operation: write out anything buffered by the hooks. */
    void flushPending() {
    }

    /** Drops every message; sequences at or below {@code newLast} are gone for good. */
    abstract void resetStorage(long newLast);

    /** About to drop every message below {@code floor + 1}; make that durable first. */
    abstract void compactStorage(long floor);

    /** Every message above {@code seq} has been dropped from the index; cut the storage. */
    abstract void truncateStorage(long seq);

    /** The config changed (already assigned). */
    void configChanged(StoreConfig previous, StoreConfig current) {
    }

    /** Throws if the store cannot take writes (closed, or a sticky I/O error). */
    void checkWritable() {
        checkOpen();
    }

    abstract void closeStorage();

    abstract void deleteStorage();

    abstract ConsumerStore openConsumerStore(String name);

    abstract void deleteConsumerFiles(String name);

    // ---- writes ---------------------------------------------------------------------------------

    @Override
    public StoreConfig config() {
        return config;
    }

    @Override
    public StoredAppend store(String subject, byte[] headers, byte[] payload, long ttlNanos) {
        return store(subject, headers, payload, ttlNanos, 0);
    }

    /** {@code timestampNanos} 0: stamped by this store's clock when appended. */
    @Override
    public StoredAppend store(String subject, byte[] headers, byte[] payload, long ttlNanos, long timestampNanos) {
        checkMessage(subject, payload);
        StoreConfig cfg = config;
        if (cfg.maxMsgSize() > 0 && (long) (headers == null ? 0 : headers.length) + payload.length > cfg.maxMsgSize()) {
            throw new StoreLimitException(StoreLimitException.Reason.MAX_MSG_SIZE);
        }
        lock.writeLock().lock();
        try {
            checkWritable();
            long now = StoreScheduler.nowNanos();
            if (limits.expiryDue(now)) {
                limits.expireLocked(now);
            }
            SubjectTable.Subject s = subjects.get(subject);
            if (cfg.discardNew()) {
                limits.checkDiscardNew(cfg, s, subject, headers, payload);
            }
            long seq = lastSeq + 1;
            long stamp = timestampNanos == 0 ? now : timestampNanos;
            appendLocked(seq, stamp, ttlNanos, subject, s, headers, payload);
            return new StoredAppend(seq, stamp);
        } finally {
            flushAndUnlock();
        }
    }

    @Override
    public void storeRaw(String subject, byte[] headers, byte[] payload, long seq, long timestampNanos,
                         long ttlNanos) {
        checkMessage(subject, payload);
        lock.writeLock().lock();
        try {
            checkWritable();
            if (seq <= lastSeq) {
                throw new IllegalArgumentException("sequence " + seq + " is not above the last sequence " + lastSeq);
            }
            long now = StoreScheduler.nowNanos();
            if (limits.expiryDue(now)) {
                limits.expireLocked(now);
            }
            appendLocked(seq, timestampNanos, ttlNanos, subject, subjects.get(subject), headers, payload);
        } finally {
            flushAndUnlock();
        }
    }

    private static void checkMessage(String subject, byte[] payload) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject required");
        }
        Objects.requireNonNull(payload, "payload");
    }

    final long sizeOf(long seq) {
        SequenceIndex.Page p = index.page(seq);
        return accountedSize(p.len[SequenceIndex.slot(seq)]);
    }

    private void appendLocked(long seq, long ts, long ttl, String subject, SubjectTable.Subject s, byte[] headers,
                              byte[] payload) {
        if (!index.canPut(seq)) {
            throw new IllegalArgumentException("sequence gap too large: " + seq + " after " + lastSeq);
        }
        long loc = appendRecord(seq, ts, ttl, subject, headers, payload);
        int len = appendedLen;
        s = entries.add(seq, loc, len, subject, s, appendedRef, ts, ttl);
        appendedRef = null;
        if (msgs == 0) {
            firstSeq = seq;
        }
        msgs++;
        bytes += accountedSize(len);
        lastSeq = seq;
        lastTimeNanos = ts;
        StoreConfig cfg = config;
        if (cfg.maxMsgsPerSubject() > 0) {
            while (s.count > cfg.maxMsgsPerSubject()) {
                removeLocked(s.first, RemovalReason.MAX_MSGS_PER_SUBJECT, false, true);
            }
        }
        if (!cfg.discardNew()) {
            limits.enforceLimitsLocked(cfg);
        }
        limits.armExpiryAfterAppend(cfg, ts, ttl);
    }

    /**
     * Removes one live message. {@code reason} null marks a bulk removal (reported once as a
     * purge); {@code persist} false skips {@link #recordRemoval} (the caller made the bulk
     * removal durable another way).
     */
    final boolean removeLocked(long seq, RemovalReason reason, boolean erase, boolean persist) {
        SequenceIndex.Page p = index.page(seq);
        if (p == null) {
            return false;
        }
        int i = SequenceIndex.slot(seq);
        int id = p.subj[i];
        if (id == 0) {
            return false;
        }
        long loc = p.loc[i];
        int len = p.len[i];
        Object ref = p.ref[i];
        if (persist) {
            recordRemoval(seq, loc, len, ref, erase);
        }
        SubjectTable.Subject s = subjects.byId(id);
        entries.remove(seq, s);
        msgs--;
        bytes -= accountedSize(len);
        if (seq == firstSeq) {
            firstSeq = msgs == 0 ? lastSeq + 1 : index.nextLive(seq + 1, lastSeq);
        }
        if (reason != null) {
            listeners.removed(seq, s.name, reason);
        }
        entryRemoved(seq, loc, len, ref);
        return true;
    }

    private void endBulk(long count, long removedBytes) {
        listeners.purged(count, removedBytes, firstSeq);
    }

    @Override
    public boolean remove(long seq) {
        return removeOne(seq, false);
    }

    @Override
    public boolean erase(long seq) {
        return removeOne(seq, true);
    }

    private boolean removeOne(long seq, boolean erase) {
        lock.writeLock().lock();
        try {
            checkWritable();
            return removeLocked(seq, erase ? RemovalReason.ERASED : RemovalReason.REMOVED, erase, true);
        } finally {
            flushAndUnlock();
        }
    }

    @Override
    public long purge() {
        lock.writeLock().lock();
        try {
            checkWritable();
            return resetLocked(lastSeq);
        } finally {
            flushAndUnlock();
        }
    }

    /** Drops everything; the next sequence is {@code newLast + 1}. */
    private long resetLocked(long newLast) {
        long count = msgs;
        long removedBytes = bytes;
        resetStorage(newLast);
        entries.clear();
        msgs = 0;
        bytes = 0;
        lastSeq = newLast;
        firstSeq = newLast + 1;
        limits.cleared();
        endBulk(count, removedBytes);
        return count;
    }

    @Override
    public long purge(String subjectFilter, long upToSeqExclusive, long keep) {
        if (upToSeqExclusive < 0 || keep < 0) {
            throw new IllegalArgumentException("negative sequence or keep");
        }
        if (upToSeqExclusive == 1) {
            return 0;
        }
        if (Subjects.matchesEverything(subjectFilter)) {
            if (keep == 0 && upToSeqExclusive == 0) {
                return purge();
            }
            if (upToSeqExclusive > 1) {
                return compact(upToSeqExclusive);
            }
            return keepLast(keep);
        }
        lock.writeLock().lock();
        try {
            checkWritable();
            SimpleState ss = queries.filteredState(1, subjectFilter, firstSeq, lastSeq, msgs);
            if (ss.msgs() == 0) {
                return 0;
            }
            long max = 0;
            if (keep > 0) {
                if (keep >= ss.msgs()) {
                    return 0;
                }
                max = ss.msgs() - keep;
            }
            long last = upToSeqExclusive > 0 ? upToSeqExclusive - 1 : ss.last();
            long count = 0;
            long removedBytes = 0;
            for (long seq = queries.nextMatch(subjectFilter, ss.first(), last); seq > 0;
                 seq = queries.nextMatch(subjectFilter, seq + 1, last)) {
                removedBytes += sizeOf(seq);
                removeLocked(seq, null, false, true);
                count++;
                if (max > 0 && count >= max) {
                    break;
                }
            }
            endBulk(count, removedBytes);
            return count;
        } finally {
            flushAndUnlock();
        }
    }

    /** Purge with no filter and a keep: compact to the keep-th newest message. */
    private long keepLast(long keep) {
        lock.writeLock().lock();
        try {
            checkWritable();
            if (keep >= msgs) {
                return 0;
            }
            long cut = index.prevLive(lastSeq, firstSeq);
            for (long k = 1; k < keep; k++) {
                cut = index.prevLive(cut - 1, firstSeq);
            }
            return compactLocked(cut);
        } finally {
            flushAndUnlock();
        }
    }

    @Override
    public long compact(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence");
        }
        if (seq == 0) {
            return purge();
        }
        lock.writeLock().lock();
        try {
            checkWritable();
            return compactLocked(seq);
        } finally {
            flushAndUnlock();
        }
    }

    private long compactLocked(long seq) {
        if (seq <= firstSeq) {
            return 0;
        }
        if (seq > lastSeq) {
            return resetLocked(seq - 1);
        }
        compactStorage(seq - 1);
        long count = 0;
        long removedBytes = 0;
        for (long s = index.nextLive(firstSeq, seq - 1); s >= 0; s = index.nextLive(s + 1, seq - 1)) {
            removedBytes += sizeOf(s);
            removeLocked(s, null, false, false);
            count++;
        }
        if (msgs == 0) {
            firstSeq = lastSeq + 1;
        }
        endBulk(count, removedBytes);
        return count;
    }

    @Override
    public void truncate(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence");
        }
        lock.writeLock().lock();
        try {
            checkWritable();
            if (seq == 0) {
                resetLocked(0);
                firstSeq = 0;
                lastTimeNanos = 0;
                return;
            }
            if (seq >= lastSeq) {
                return;
            }
            truncateStarting();
            long count = 0;
            long removedBytes = 0;
            for (long s = index.prevLive(lastSeq, seq + 1); s >= 0; s = index.prevLive(s - 1, seq + 1)) {
                removedBytes += sizeOf(s);
                removeLocked(s, null, false, false);
                count++;
            }
            SequenceIndex.Page p = index.page(seq);
            if (p != null && p.subj[SequenceIndex.slot(seq)] != 0) {
                int i = SequenceIndex.slot(seq);
                lastTimeNanos = timestampOf(seq, p.loc[i], p.len[i], p.ref[i]);
            }
            lastSeq = seq;
            if (msgs == 0) {
                firstSeq = seq + 1;
            }
            ttls.removeAbove(seq);
            truncateStorage(seq);
            endBulk(count, removedBytes);
        } finally {
            flushAndUnlock();
        }
    }

    @Override
    public void updateConfig(StoreConfig newConfig) {
        Objects.requireNonNull(newConfig, "config");
        if (newConfig.storage() != config.storage()) {
            throw new IllegalArgumentException("storage type cannot change");
        }
        lock.writeLock().lock();
        try {
            checkWritable();
            StoreConfig previous = config;
            config = newConfig;
            configChanged(previous, newConfig);
            long maxPer = newConfig.maxMsgsPerSubject();
            if (maxPer > 0 && (previous.maxMsgsPerSubject() <= 0 || maxPer < previous.maxMsgsPerSubject())) {
                for (SubjectTable.Subject s : new ArrayList<>(subjects.all())) {
                    while (s.count > maxPer) {
                        removeLocked(s.first, RemovalReason.MAX_MSGS_PER_SUBJECT, false, true);
                    }
                }
            }
            if (!newConfig.discardNew()) {
                limits.enforceLimitsLocked(newConfig);
            }
            limits.expireLocked(StoreScheduler.nowNanos());
        } finally {
            flushAndUnlock();
        }
    }

    // ---- reads ----------------------------------------------------------------------------------

    /**
     * Runs a query under the read lock; if it needs a block the file store has not loaded yet
     * ({@link SequenceIndex.IndexFault}), runs it again under the write lock, which loads it.
     */
    final <T> T read(Supplier<T> query) {
        lock.readLock().lock();
        try {
            checkOpen();
            return query.get();
        } catch (SequenceIndex.IndexFault needsLoad) {
            // Loading changes the index: retried below under the write lock.
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock();
        try {
            checkOpen();
            return query.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public StoredMessage load(long seq) {
        return read(() -> loadLocked(seq));
    }

    /**
     * The subject of the message at {@code seq} when it is the last of its subject and not a
     * subject delete marker (what needs a marker once it goes); else null. Reads the message's
     * headers only when it is the last of its subject. With the write lock held.
     */
    final String lastOfSubjectUnmarked(long seq) {
        SequenceIndex.Page p = index.page(seq);
        if (p == null) {
            return null;
        }
        int i = SequenceIndex.slot(seq);
        int id = p.subj[i];
        if (id == 0) {
            return null;
        }
        SubjectTable.Subject s = subjects.byId(id);
        if (s.count != 1) {
            return null;
        }
        StoredMessage m = readRecord(seq, p.loc[i], p.len[i], p.ref[i], s.name);
        return StoreLimits.isDeleteMarker(m.headers()) ? null : s.name;
    }

    final void subjectEmptiedByAge(String subject) {
        listeners.emptiedByAge(subject);
    }

    final boolean hasMarkerWriter() {
        return listeners.anyWritesMarkers();
    }

    final StoredMessage loadLocked(long seq) {
        SequenceIndex.Page p = seq > 0 ? index.page(seq) : null;
        if (p == null) {
            return null;
        }
        int i = SequenceIndex.slot(seq);
        int id = p.subj[i];
        if (id == 0) {
            return null;
        }
        return readRecord(seq, p.loc[i], p.len[i], p.ref[i], subjects.byId(id).name);
    }

    @Override
    public StoredMessage loadNext(String filterSubject, long startSeq) {
        return read(() -> {
            if (msgs == 0) {
                return null;
            }
            long seq = queries.nextMatch(filterSubject, Math.max(startSeq, firstSeq), lastSeq);
            return seq > 0 ? loadLocked(seq) : null;
        });
    }

    @Override
    public StoredMessage loadLast(String filterSubject) {
        return loadPrev(filterSubject, Long.MAX_VALUE);
    }

    @Override
    public StoredMessage loadPrev(String filterSubject, long startSeq) {
        return read(() -> {
            if (msgs == 0) {
                return null;
            }
            long seq = queries.prevMatch(filterSubject, Math.min(startSeq, lastSeq), firstSeq);
            return seq > 0 ? loadLocked(seq) : null;
        });
    }

    @Override
    public StreamState state(boolean includeDeleted) {
        return read(() -> {
            long firstTime = firstTimestamp();
            long numDeleted = msgs == 0 ? 0 : Math.max(0, lastSeq - firstSeq + 1 - msgs);
            long[] deleted = includeDeleted ? entries.deletedSequences(firstSeq, lastSeq, numDeleted) : null;
            return new StreamState(msgs, bytes, firstSeq, firstTime, lastSeq, lastTimeNanos, numDeleted, deleted,
                    subjects.size());
        });
    }

    /** The first live message's timestamp, 0 when there is none; under the lock. */
    long firstTimestamp() {
        if (msgs == 0) {
            return 0;
        }
        SequenceIndex.Page p = index.page(firstSeq);
        int i = SequenceIndex.slot(firstSeq);
        return timestampOf(firstSeq, p.loc[i], p.len[i], p.ref[i]);
    }


    @Override
    public SimpleState filteredState(long startSeq, String filter) {
        return read(() -> queries.filteredState(startSeq, filter, firstSeq, lastSeq, msgs));
    }

    @Override
    public Map<String, Long> subjectsState(String filter) {
        return read(() -> queries.subjectsState(filter));
    }

    @Override
    public long numPending(long startSeq, String filter, boolean lastPerSubject) {
        return read(() -> {
            if (lastPerSubject) {
                return queries.lastPerSubjectPending(Math.max(startSeq, firstSeq), filter);
            }
            return queries.filteredState(startSeq, filter, firstSeq, lastSeq, msgs).msgs();
        });
    }

    // ---- lifecycle, listeners, consumers --------------------------------------------------------

    @Override
    public void registerRemovalListener(RemovalListener listener) {
        listeners.register(listener);
    }

    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store " + config.name() + " is closed");
        }
    }

    /**
     * Runs {@link #flushPending()}, releases the write lock, then reports removals noted while it
     * was held.
     */
    final void flushAndUnlock() {
        RemovalEvents toFire = null;
        try {
            if (!closed) {
                flushPending();
            }
        } finally {
            toFire = listeners.take();
            lock.writeLock().unlock();
        }
        if (toFire != null) {
            listeners.fire(toFire);
        }
    }

    @Override
    public ConsumerStore consumerStore(String name) {
        validateConsumerName(name);
        synchronized (consumers) {
            checkOpen();
            ConsumerStore cs = consumers.get(name);
            if (cs == null) {
                cs = openConsumerStore(name);
                consumers.put(name, cs);
            }
            return cs;
        }
    }

    @Override
    public void deleteConsumerStore(String name) {
        validateConsumerName(name);
        ConsumerStore cs;
        synchronized (consumers) {
            checkOpen();
            cs = consumers.remove(name);
            if (cs == null) {
                deleteConsumerFiles(name);
                return;
            }
        }
        cs.delete();
    }

    /** Called by a consumer store deleting itself. */
    final void forgetConsumer(String name, ConsumerStore cs) {
        synchronized (consumers) {
            consumers.remove(name, cs);
        }
    }

    private void closeConsumers() {
        List<ConsumerStore> open;
        synchronized (consumers) {
            open = new ArrayList<>(consumers.values());
            consumers.clear();
        }
        for (ConsumerStore cs : open) {
            cs.close();
        }
    }

    /** Consumer names become directory names: no separators, wildcards or dots, as upstream. */
    static void validateConsumerName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("invalid consumer name: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == '.' || c == '*' || c == '>' || c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("invalid consumer name: " + name);
            }
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            limits.cancelTimersLocked();
            closeConsumers();
            closed = true;
            closeStorage();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void delete() {
        lock.writeLock().lock();
        try {
            limits.cancelTimersLocked();
            closeConsumers();
            closed = true;
            deleteStorage();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
