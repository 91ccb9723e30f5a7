package io.jnatsd.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Just enough DER to walk an X.501 Name: one tag-length-value element and its children. */
record Der(int tag, byte[] buf, int start, int end) {
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;
    static final int OID = 0x06;

    static Der parse(byte[] data) {
        Der d = read(data, 0, data.length);
        if (d.end != data.length) throw new IllegalArgumentException("trailing bytes after DER element");
        return d;
    }

    /** Reads the element starting at {@code pos}; {@link #end} is where the next one starts. */
    private static Der read(byte[] b, int pos, int limit) {
        if (pos + 2 > limit) throw new IllegalArgumentException("truncated DER");
        int tag = b[pos] & 0xff;
        if ((tag & 0x1f) == 0x1f) throw new IllegalArgumentException("multi-byte DER tags are not supported");
        int len = b[pos + 1] & 0xff;
        int p = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 3 || p + n > limit) throw new IllegalArgumentException("bad DER length");
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (b[p++] & 0xff);
        }
        if (p + len > limit) throw new IllegalArgumentException("truncated DER");
        return new Der(tag, b, p, p + len);
    }

    /** The length of the content, where {@link #start} is its first byte. */
    int length() {
        return end - start;
    }

    List<Der> children() {
        List<Der> out = new ArrayList<>();
        int p = start;
        while (p < end) {
            Der child = read(buf, p, end);
            out.add(child);
            p = child.end;
        }
        return out;
    }

    /** The dotted form of an OBJECT IDENTIFIER. */
    String oid() {
        if (tag != OID || length() == 0) throw new IllegalArgumentException("not an OID");
        StringBuilder sb = new StringBuilder();
        long v = 0;
        boolean first = true;
        for (int i = start; i < end; i++) {
            v = (v << 7) | (buf[i] & 0x7f);
            if ((buf[i] & 0x80) == 0) {
                if (first) {
                    int a = v < 40 ? 0 : v < 80 ? 1 : 2;
                    sb.append(a).append('.').append(v - 40L * a);
                    first = false;
                } else {
                    sb.append('.').append(v);
                }
                v = 0;
            }
        }
        return sb.toString();
    }

    /**
     * The value of a directory string, or null for a type Go's asn1 would not turn into a Go
     * string (UTF8String, PrintableString, IA5String, T61String, NumericString and BMPString do).
     */
    String string() {
        return switch (tag) {
            case 0x0c -> new String(buf, start, length(), StandardCharsets.UTF_8);
            case 0x13, 0x16, 0x12 -> new String(buf, start, length(), StandardCharsets.US_ASCII);
            case 0x14 -> new String(buf, start, length(), StandardCharsets.ISO_8859_1);
            case 0x1e -> new String(buf, start, length(), StandardCharsets.UTF_16BE);
            default -> null;
        };
    }
}
