package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Turns subject bytes into Strings without allocating when the same subject was seen
 * recently: a small direct-mapped table keyed by the bytes' hash. Publishers tend to reuse
 * few subjects, so a hit is the common case. One per connection, so no locking; the table
 * is allocated on first use to keep idle connections small.
 */
final class SubjectInterner {
    private static final int SLOT_BITS = 8;
    private static final int SLOTS = 1 << SLOT_BITS;

    private byte[][] keys;
    private String[] values;

    String intern(ByteBuf buf, int start, int length) {
        if (keys == null) {
            keys = new byte[SLOTS][];
            values = new String[SLOTS];
        }
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + buf.getByte(start + i);
        }
        // Fibonacci hashing: the top bits of h * 2^32/phi spread subjects that differ in one
        // token (orders.eu.x / orders.us.x) over the table, where h's low bits would collide.
        int slot = (h * 0x9E3779B9) >>> (32 - SLOT_BITS);
        byte[] key = keys[slot];
        if (key != null && key.length == length && sameBytes(key, buf, start)) {
            return values[slot];
        }
        byte[] copy = new byte[length];
        buf.getBytes(start, copy);
        String s = new String(copy, StandardCharsets.UTF_8);
        keys[slot] = copy;
        values[slot] = s;
        return s;
    }

    private static boolean sameBytes(byte[] key, ByteBuf buf, int start) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] != buf.getByte(start + i)) return false;
        }
        return true;
    }
}
