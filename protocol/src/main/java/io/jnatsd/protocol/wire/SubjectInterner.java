package io.jnatsd.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Turns subject bytes into Strings without allocating when the same subject was seen
 * recently: a small direct-mapped table keyed by the bytes' hash. Publishers tend to reuse
 * few subjects, so a hit is the common case. One per connection, so no locking; the table
 * is allocated on first use to keep idle connections small.
 *
 * <p>The route parser keeps further instances for account and queue names: they repeat even
 * more than subjects, and a table of their own keeps a busy subject set from evicting them.
 */
public final class SubjectInterner {
    private static final int SLOT_BITS = 8;
    private static final int SLOTS = 1 << SLOT_BITS;

    private ByteBuf[] keys;
    private String[] values;

    public String intern(ByteBuf buf, int start, int length) {
        if (keys == null) {
            keys = new ByteBuf[SLOTS];
            values = new String[SLOTS];
        }
        int h = hash(buf, start, length);
        // Fibonacci hashing: the top bits of h * 2^32/phi spread subjects that differ in one
        // token (orders.eu.x / orders.us.x) over the table, where h's low bits would collide.
        int slot = (h * 0x9E3779B9) >>> (32 - SLOT_BITS);
        ByteBuf key = keys[slot];
        if (key != null && key.readableBytes() == length && ByteBufUtil.equals(key, 0, buf, start, length)) {
            return values[slot];
        }
        byte[] copy = new byte[length];
        buf.getBytes(start, copy);
        String s = new String(copy, StandardCharsets.UTF_8);
        keys[slot] = Unpooled.wrappedBuffer(copy);
        values[slot] = s;
        return s;
    }

    /** Eight bytes at a time: a byte-by-byte loop over a direct buffer costs more than the lookup saves. */
    private static int hash(ByteBuf buf, int start, int length) {
        int h = length;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long v = buf.getLong(start + i);
            h = 31 * h + (int) (v ^ (v >>> 32));
        }
        for (; i < length; i++) h = 31 * h + buf.getByte(start + i);
        return h;
    }
}
