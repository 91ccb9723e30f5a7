package io.jnatsd.bench;

/** Message bodies carrying a sequence number in their first eight bytes (big-endian). */
final class Payloads {
    static final int SEQ_BYTES = 8;

    private Payloads() {}

    /** A fresh body of {@code size} bytes; the client queues it by reference, so never reuse one. */
    static byte[] make(int size, long seq) {
        byte[] b = new byte[size];
        if (size >= SEQ_BYTES) {
            for (int i = 7; i >= 0; i--) {
                b[i] = (byte) seq;
                seq >>>= 8;
            }
        }
        return b;
    }

    /** The sequence number in {@code b}, or -1 when it is too short to hold one. */
    static long seq(byte[] b) {
        if (b == null || b.length < SEQ_BYTES) return -1;
        long v = 0;
        for (int i = 0; i < SEQ_BYTES; i++) v = (v << 8) | (b[i] & 0xFF);
        return v;
    }
}
