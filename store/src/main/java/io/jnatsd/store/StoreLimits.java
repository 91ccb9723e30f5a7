package io.jnatsd.store;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;

/**
 * The limits and expiry role of a stream store, as upstream's stores apply them: discard new
 * (checked before an append), discard old (max_msgs, max_bytes after it), max_age and
 * per-message TTL expiry with its timer on the store scheduler. Works on its store's counters
 * and index, always with the store's write lock held.
 */
final class StoreLimits {

    private static final long MIN_TIMER_DELAY_NANOS = 1_000_000L;
    private static final byte[] ROLLUP_HEADER = "nats-rollup:".getBytes(StandardCharsets.US_ASCII);
    private static final long MARKER_RETRY_NANOS = 100_000_000L;

    private final AbstractStreamStore store;
    private ScheduledFuture<?> expiryTask;
    private long expiryTaskAtNanos = Long.MAX_VALUE;
    /** When the oldest message (by age or TTL) becomes due; store() expires lazily past it. */
    private long nextExpiryNanos = Long.MAX_VALUE;

    StoreLimits(AbstractStreamStore store) {
        this.store = store;
    }

    /** Whether something is due by {@code now}: appends expire lazily past it. */
    boolean expiryDue(long now) {
        return now >= nextExpiryNanos;
    }

    /** Everything was dropped: nothing is due. */
    void cleared() {
        nextExpiryNanos = Long.MAX_VALUE;
    }

    /** Upstream's discard-new rules (memstore.go/filestore.go storeRawMsg). */
    void checkDiscardNew(StoreConfig cfg, SubjectTable.Subject s, String subject, byte[] headers, byte[] payload) {
        boolean atSubjectLimit = s != null && cfg.maxMsgsPerSubject() > 0 && s.count >= cfg.maxMsgsPerSubject();
        if (atSubjectLimit && cfg.discardNewPerSubject() && !hasRollupHeader(headers)) {
            throw new StoreLimitException(StoreLimitException.Reason.MAX_MSGS_PER_SUBJECT);
        }
        // At the subject limit the oldest message of the subject makes room, so the count holds.
        if (cfg.maxMsgs() > 0 && store.msgs >= cfg.maxMsgs() && !atSubjectLimit) {
            throw new StoreLimitException(StoreLimitException.Reason.MAX_MSGS);
        }
        if (cfg.maxBytes() > 0) {
            long size = store.accountedSize(subject, headers, payload);
            if (store.bytes + size > cfg.maxBytes()) {
                if (!atSubjectLimit || store.sizeOf(s.first) < size) {
                    throw new StoreLimitException(StoreLimitException.Reason.MAX_BYTES);
                }
            }
        }
    }

    void enforceLimitsLocked(StoreConfig cfg) {
        if (cfg.maxMsgs() > 0) {
            while (store.msgs > cfg.maxMsgs()) {
                store.removeLocked(store.firstSeq, RemovalReason.MAX_MSGS, false, true);
            }
        }
        if (cfg.maxBytes() > 0) {
            while (store.bytes > cfg.maxBytes() && store.msgs > 0) {
                store.removeLocked(store.firstSeq, RemovalReason.MAX_BYTES, false, true);
            }
        }
    }

    void armExpiryAfterAppend(StoreConfig cfg, long ts, long ttl) {
        long due = Long.MAX_VALUE;
        if (cfg.maxAgeNanos() > 0 && nextExpiryNanos == Long.MAX_VALUE) {
            due = StoreIndex.saturatedAdd(ts, cfg.maxAgeNanos());
        }
        if (ttl > 0 && cfg.allowMsgTtl()) {
            due = Math.min(due, StoreIndex.saturatedAdd(ts, ttl));
        }
        if (due < nextExpiryNanos) {
            nextExpiryNanos = due;
            armTimer(due);
        }
    }

    private void armTimer(long dueNanos) {
        if (store.closed || (expiryTask != null && expiryTaskAtNanos <= dueNanos)) {
            return;
        }
        if (expiryTask != null) {
            expiryTask.cancel(false);
        }
        long delay = Math.max(MIN_TIMER_DELAY_NANOS, dueNanos - StoreScheduler.nowNanos());
        expiryTaskAtNanos = dueNanos;
        expiryTask = StoreScheduler.schedule(this::runExpiry, delay);
    }

    private void runExpiry() {
        store.lock.writeLock().lock();
        try {
            expiryTask = null;
            expiryTaskAtNanos = Long.MAX_VALUE;
            if (store.closed) {
                return;
            }
            store.checkWritable();
            expireLocked(StoreScheduler.nowNanos());
        } finally {
            store.flushAndUnlock();
        }
    }

    /**
     * Removes messages older than max_age (oldest first, skipping those whose TTL says never)
     * and messages whose TTL ran out, then arms the timer for the next one due.
     */
    void expireLocked(long now) {
        StoreConfig cfg = store.config;
        boolean markers = cfg.subjectDeleteMarkers();
        if (markers && !store.hasMarkerWriter()) {
            // nobody would write the markers yet (the store is opening): as upstream, try again shortly
            nextExpiryNanos = StoreIndex.saturatedAdd(now, MARKER_RETRY_NANOS);
            armTimer(nextExpiryNanos);
            return;
        }
        long next = Long.MAX_VALUE;
        long maxAge = cfg.maxAgeNanos();
        if (maxAge > 0) {
            long cutoff = now - maxAge;
            long seq = store.msgs > 0 ? store.firstSeq : -1;
            while (seq > 0) {
                long following = store.index.nextLive(seq + 1, store.lastSeq);
                if (store.neverExpires.isEmpty() || !store.neverExpires.contains(seq)) {
                    SequenceIndex.Page p = store.index.page(seq);
                    int i = SequenceIndex.slot(seq);
                    long ts = store.timestampOf(seq, p.loc[i], p.len[i], p.ref[i]);
                    if (ts > cutoff) {
                        next = StoreIndex.saturatedAdd(ts, maxAge);
                        break;
                    }
                    String emptied = markers ? store.lastOfSubjectUnmarked(seq) : null;
                    store.removeLocked(seq, RemovalReason.MAX_AGE, false, true);
                    if (emptied != null) {
                        store.subjectEmptiedByAge(emptied);
                    }
                }
                seq = following;
            }
        }
        if (cfg.allowMsgTtl()) {
            while (!store.ttls.isEmpty() && store.ttls.peekExpiry() <= now) {
                long seq = store.ttls.pollSeq();
                String emptied = markers ? store.lastOfSubjectUnmarked(seq) : null;
                store.removeLocked(seq, RemovalReason.TTL, false, true);
                if (emptied != null) {
                    store.subjectEmptiedByAge(emptied);
                }
            }
            if (!store.ttls.isEmpty()) {
                next = Math.min(next, store.ttls.peekExpiry());
            }
        }
        nextExpiryNanos = next;
        if (next != Long.MAX_VALUE) {
            armTimer(next);
        }
    }

    /** Stops the expiry timer; with the write store.lock held. */
    void cancelTimersLocked() {
        if (expiryTask != null) {
            expiryTask.cancel(false);
            expiryTask = null;
        }
        expiryTaskAtNanos = Long.MAX_VALUE;
    }


    static boolean hasRollupHeader(byte[] headers) {
        if (headers == null) {
            return false;
        }
        outer:
        for (int i = 0; i + ROLLUP_HEADER.length <= headers.length; i++) {
            if (i > 0 && headers[i - 1] != '\n') {
                continue;
            }
            for (int j = 0; j < ROLLUP_HEADER.length; j++) {
                int c = headers[i + j];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != ROLLUP_HEADER[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Whether {@code headers} make a message a subject delete marker: a {@code Nats-Marker-Reason}
     * (what a stream writes) or a key-value purge ({@code KV-Operation: PURGE}), as upstream
     * recognises them; no new marker replaces an expiring one.
     */
    static boolean isDeleteMarker(byte[] headers) {
        if (headers == null) {
            return false;
        }
        String h = new String(headers, StandardCharsets.UTF_8);
        for (String line : h.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Nats-Marker-Reason") && !value.isEmpty()) {
                return true;
            }
            if (name.equalsIgnoreCase("KV-Operation") && value.equals("PURGE")) {
                return true;
            }
        }
        return false;
    }
}
