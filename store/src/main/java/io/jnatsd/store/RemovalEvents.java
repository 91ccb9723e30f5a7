package io.jnatsd.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Removals noted under the store's write lock and reported to listeners after it is released.
 * The store owns one instance it appends to; at unlock time the entries move into a per-thread
 * instance, so reporting allocates nothing in the steady state.
 */
final class RemovalEvents {

    private long[] seqs = new long[8];
    private String[] subjects = new String[8];
    private RemovalReason[] reasons = new RemovalReason[8];
    private int size;
    /** Subjects whose last message max_age or a TTL took (with subject delete markers on). */
    private final List<String> emptiedByAge = new ArrayList<>();
    private long purgedCount;
    private long purgedBytes;
    private boolean purged;
    private long firstSeqAfterPurge;

    boolean isEmpty() {
        return size == 0 && !purged && emptiedByAge.isEmpty();
    }

    void add(long seq, String subject, RemovalReason reason) {
        if (size == seqs.length) {
            seqs = Arrays.copyOf(seqs, size * 2);
            subjects = Arrays.copyOf(subjects, size * 2);
            reasons = Arrays.copyOf(reasons, size * 2);
        }
        seqs[size] = seq;
        subjects[size] = subject;
        reasons[size] = reason;
        size++;
    }

    void emptiedByAge(String subject) {
        emptiedByAge.add(subject);
    }

    void purged(long count, long bytes, long firstSeq) {
        purged = true;
        purgedCount += count;
        purgedBytes += bytes;
        firstSeqAfterPurge = firstSeq;
    }

    void clear() {
        Arrays.fill(subjects, 0, size, null);
        size = 0;
        emptiedByAge.clear();
        purged = false;
        purgedCount = 0;
        purgedBytes = 0;
    }

    /** Moves every entry into {@code target} (which is cleared first) and clears this one. */
    void moveTo(RemovalEvents target) {
        target.clear();
        for (int i = 0; i < size; i++) {
            target.add(seqs[i], subjects[i], reasons[i]);
        }
        target.emptiedByAge.addAll(emptiedByAge);
        target.purged = purged;
        target.purgedCount = purgedCount;
        target.purgedBytes = purgedBytes;
        target.firstSeqAfterPurge = firstSeqAfterPurge;
        clear();
    }

    void fire(List<RemovalListener> listeners) {
        for (RemovalListener l : listeners) {
            if (purged) {
                l.messagesPurged(purgedCount, purgedBytes, firstSeqAfterPurge);
            }
            for (int i = 0; i < size; i++) {
                l.messageRemoved(seqs[i], subjects[i], reasons[i]);
            }
            for (String subject : emptiedByAge) {
                l.subjectEmptiedByAge(subject);
            }
        }
        clear();
    }
}
