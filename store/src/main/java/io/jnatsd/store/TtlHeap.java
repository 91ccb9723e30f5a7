package io.jnatsd.store;

import java.util.Arrays;

/**
 * Messages with a per-message TTL, by expiry time: a binary min-heap over two parallel long
 * arrays (no object per entry). Entries of messages removed meanwhile are dropped lazily when
 * they reach the top. Guarded by the store's lock.
 */
final class TtlHeap {

    private long[] expiries = new long[16];
    private long[] seqs = new long[16];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    void add(long expiresNanos, long seq) {
        if (size == expiries.length) {
            expiries = Arrays.copyOf(expiries, size * 2);
            seqs = Arrays.copyOf(seqs, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (expiries[parent] <= expiresNanos) {
                break;
            }
            expiries[i] = expiries[parent];
            seqs[i] = seqs[parent];
            i = parent;
        }
        expiries[i] = expiresNanos;
        seqs[i] = seq;
    }

    /** The earliest expiry; only when not empty. */
    long peekExpiry() {
        return expiries[0];
    }

    /** Removes the earliest entry and returns its sequence. */
    long pollSeq() {
        long seq = seqs[0];
        size--;
        if (size > 0) {
            long e = expiries[size];
            long s = seqs[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && expiries[child + 1] < expiries[child]) {
                    child++;
                }
                if (expiries[child] >= e) {
                    break;
                }
                expiries[i] = expiries[child];
                seqs[i] = seqs[child];
                i = child;
            }
            expiries[i] = e;
            seqs[i] = s;
        }
        return seq;
    }

    /** Drops entries for sequences above {@code seq} (after a truncate, those sequences get reused). */
    void removeAbove(long seq) {
        long[] e = Arrays.copyOf(expiries, size);
        long[] s = Arrays.copyOf(seqs, size);
        int n = size;
        size = 0;
        for (int i = 0; i < n; i++) {
            if (s[i] <= seq) {
                add(e[i], s[i]);
            }
        }
    }

    /** Visits every entry (for the index snapshot). */
    void forEach(EntryVisitor visitor) {
        for (int i = 0; i < size; i++) {
            visitor.visit(expiries[i], seqs[i]);
        }
    }

    @FunctionalInterface
    interface EntryVisitor {
        void visit(long expiresNanos, long seq);
    }
}
