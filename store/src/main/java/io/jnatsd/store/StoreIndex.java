package io.jnatsd.store;

import java.util.HashSet;

/**
 * The index role of a stream store: which messages are live and where (the sequence index),
 * per subject (count, first, last), and which expire by TTL or never. It keeps these in step
 * as entries come and go; the store keeps the counters and decides what to add or remove.
 * Guarded by the store's lock.
 */
final class StoreIndex {

    final SequenceIndex seqs = new SequenceIndex();
    final SubjectTable subjects = new SubjectTable();
    final IndexQueries queries = new IndexQueries(seqs, subjects);
    final TtlHeap ttls = new TtlHeap();
    /** Messages with a negative TTL: exempt from max_age. Rare, so boxed. */
    final HashSet<Long> neverExpires = new HashSet<>();

    /**
     * Adds a live message above every other ({@code subject} null: the subject is new) and
     * returns its subject.
     */
    SubjectTable.Subject add(long seq, long loc, int len, String name, SubjectTable.Subject subject, Object ref,
                             long ts, long ttl) {
        SubjectTable.Subject s = subject != null ? subject : subjects.add(name);
        seqs.put(seq, loc, len, s, ref);
        if (ttl > 0) {
            ttls.add(saturatedAdd(ts, ttl), seq);
        } else if (ttl < 0) {
            neverExpires.add(seq);
        }
        return s;
    }

    /** Takes live entry {@code seq} of subject {@code s} out; a subject without messages goes. */
    void remove(long seq, SubjectTable.Subject s) {
        seqs.remove(seq, s);
        if (s.count == 0) {
            subjects.remove(s);
        }
        if (!neverExpires.isEmpty()) {
            neverExpires.remove(seq);
        }
    }

    void clear() {
        seqs.clear();
        subjects.clear();
        ttls.clear();
        neverExpires.clear();
    }

    /** The removed sequences between {@code first} and {@code last}, ascending; there are {@code count}. */
    long[] deletedSequences(long first, long last, long count) {
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many deleted sequences to list: " + count);
        }
        long[] out = new long[(int) count];
        int n = 0;
        long seq = first;
        while (seq <= last && n < out.length) {
            long live = seqs.nextLive(seq, last);
            long end = live < 0 ? last + 1 : live;
            for (long d = seq; d < end && n < out.length; d++) {
                out[n++] = d;
            }
            seq = end + 1;
        }
        return out;
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
