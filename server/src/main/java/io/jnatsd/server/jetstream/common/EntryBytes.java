package io.jnatsd.server.jetstream.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The few field encodings replicated log entries are made of (big-endian numbers, length-prefixed
 * byte strings, -1 for null), written into one growing array and read back from a buffer.
 */
public final class EntryBytes {
    private byte[] buf;
    private int len;

    public EntryBytes(int sizeHint) {
        buf = new byte[Math.max(16, sizeHint)];
    }

    private void room(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    public EntryBytes putByte(int b) {
        room(1);
        buf[len++] = (byte) b;
        return this;
    }

    public EntryBytes putLong(long v) {
        room(8);
        for (int i = 7; i >= 0; i--) buf[len++] = (byte) (v >>> (i * 8));
        return this;
    }

    public EntryBytes putInt(int v) {
        room(4);
        for (int i = 3; i >= 0; i--) buf[len++] = (byte) (v >>> (i * 8));
        return this;
    }

    public EntryBytes putBytes(byte[] b) {
        if (b == null) return putInt(-1);
        putInt(b.length);
        room(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    public EntryBytes putString(String s) {
        return putBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toArray() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    public static byte[] bytes(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    public static String string(ByteBuffer in) {
        byte[] b = bytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
