package io.jnatsd.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One record of a message block file ({@code msgs/<n>.blk}). All integers little-endian. Two
 * versions, told apart by their first byte; blocks may mix them (a store written before
 * version 2 keeps its old records and appends new ones).
 *
 * <p>Version 2, written since #16 (28 bytes of overhead, 32 with headers, 8 more with a TTL;
 * upstream spends 30 and 34):
 * <pre>
 *  0      1      2         4        8                16               24
 *  +------+------+---------+--------+----------------+----------------+--------------+---------+
 *  | 0xB2 | flag | subj len| length | sequence       | timestamp (ns) | [hdr len u32]| [ttl ns]|
 *  +------+------+---------+--------+----------------+----------------+--------------+---------+
 *  then: subject (UTF-8) | headers | payload | crc32c (4 bytes) over everything before it
 * </pre>
 * {@code flag} bit 0: a headers block follows (possibly empty; its length field is there only
 * then); bit 1: erased in place; bit 2: a skip record (a sequence used without a message);
 * bit 3: a TTL field is there (0 none, &lt;0 never).
 *
 * <p>Version 1 (before #16; read, never written): magic "JSM1" u32 | length u32 | sequence |
 * timestamp | ttl | subject length u16 | type u8 (1 message, 2 skip) | flags u8 (bit 0 headers,
 * bit 1 erased) | headers length u32 | subject | headers | payload | crc32c: 44 bytes of
 * overhead. Length, sequence and timestamp are at the same offsets in both.
 *
 * <p>The first byte and the checksum make a record boundary recognisable when scanning past
 * corruption; {@code length} counts the whole record.
 */
final class RecordFormat {

    /** Version 1's magic, "JSM1" little-endian. */
    static final int MAGIC_V1 = 0x314D534A;
    /** Version 2's first byte (never the first byte of version 1 or of a compressed frame, 'J'). */
    static final byte MAGIC = (byte) 0xB2;
    /** Version 2's header without the optional fields. */
    static final int HEADER_SIZE = 24;
    static final int CHECKSUM_SIZE = 4;
    /** Version 2's smallest record: no subject, headers, TTL or payload (a skip record). */
    static final int OVERHEAD = HEADER_SIZE + CHECKSUM_SIZE;
    static final int OVERHEAD_V1 = 44;

    static final int OFF_MAGIC = 0;
    static final int OFF_FLAGS = 1;
    static final int OFF_SUBJECT_LENGTH = 2;
    static final int OFF_LENGTH = 4;
    static final int OFF_SEQ = 8;
    static final int OFF_TIMESTAMP = 16;
    /** Where a version 2 record's optional fields start (headers length, then TTL). */
    static final int OFF_TTL = 24;

    private static final int V1_OFF_TTL = 24;
    private static final int V1_OFF_SUBJECT_LENGTH = 32;
    private static final int V1_OFF_TYPE = 34;
    private static final int V1_OFF_FLAGS = 35;
    private static final int V1_OFF_HEADERS_LENGTH = 36;
    private static final int V1_HEADER_SIZE = 40;

    static final int FLAG_HAS_HEADERS = 1;
    static final int FLAG_ERASED = 2;
    static final int FLAG_SKIP = 4;
    static final int FLAG_TTL = 8;

    /**
     * The index's length field: the record length, plus bits saying how it was written, so the
     * upstream-compatible size can be told from it alone ({@link #accountedSize}).
     */
    static final int LEN_HEADERS_BIT = 0x8000_0000; // non-empty headers
    static final int LEN_V2_BIT = 0x4000_0000;
    static final int LEN_TTL_BIT = 0x2000_0000;      // version 2 with a TTL field
    static final int LEN_EMPTY_HEADERS_BIT = 0x1000_0000; // version 2 with an empty headers block
    static final int LEN_MASK = 0x0FFF_FFFF;
    /** The largest record: 256 MiB (upstream caps messages far lower). */
    static final int MAX_RECORD = LEN_MASK;

    private RecordFormat() {
    }

    /** Bytes a version 2 record of these parts takes. */
    static long recordLength(int subjectLength, byte[] headers, byte[] payload, long ttl) {
        return (long) OVERHEAD + (headers != null ? 4 + headers.length : 0) + (ttl != 0 ? 8 : 0) + subjectLength
                + payload.length;
    }

    /** Upstream's file store size for a length field: 22 + subject + [4 + headers] + payload + 8. */
    static long accountedSize(int lenField) {
        int length = lenField & LEN_MASK;
        boolean headers = (lenField & LEN_HEADERS_BIT) != 0;
        int overhead;
        if ((lenField & LEN_V2_BIT) == 0) {
            overhead = OVERHEAD_V1;
        } else {
            overhead = OVERHEAD + (headers || (lenField & LEN_EMPTY_HEADERS_BIT) != 0 ? 4 : 0)
                    + ((lenField & LEN_TTL_BIT) != 0 ? 8 : 0);
        }
        return length - overhead + 30 + (headers ? 4 : 0);
    }

    /**
     * Encodes a version 2 record at position 0 of {@code buf} (little-endian, large enough) and
     * leaves position 0 and limit at its end. {@code subjectBytes} is the subject's UTF-8 form
     * when it is not plain ASCII, else null (the characters are copied without encoding).
     */
    static int encode(ByteBuffer buf, CRC32C crc, boolean skip, long seq, long ts, long ttl, String subject,
                      byte[] subjectBytes, byte[] headers, byte[] payload) {
        int subjectLength = subjectBytes != null ? subjectBytes.length : subject.length();
        int length = (int) recordLength(subjectLength, headers, payload, ttl);
        int flags = (headers != null ? FLAG_HAS_HEADERS : 0) | (skip ? FLAG_SKIP : 0) | (ttl != 0 ? FLAG_TTL : 0);
        buf.clear();
        buf.put(MAGIC);
        buf.put((byte) flags);
        buf.putShort((short) subjectLength);
        buf.putInt(length);
        buf.putLong(seq);
        buf.putLong(ts);
        if (headers != null) {
            buf.putInt(headers.length);
        }
        if (ttl != 0) {
            buf.putLong(ttl);
        }
        if (subjectBytes != null) {
            buf.put(subjectBytes);
        } else {
            for (int i = 0; i < subjectLength; i++) {
                buf.put((byte) subject.charAt(i));
            }
        }
        if (headers != null) {
            buf.put(headers);
        }
        buf.put(payload);
        int body = buf.position();
        buf.flip();
        crc.reset();
        crc.update(buf);
        buf.limit(body + CHECKSUM_SIZE);
        buf.putInt(body, (int) crc.getValue());
        buf.position(0);
        return length;
    }

    /** The subject's UTF-8 bytes if it is not ASCII, else null (encode copies chars directly). */
    static byte[] nonAsciiBytes(String subject) {
        for (int i = 0; i < subject.length(); i++) {
            if (subject.charAt(i) >= 0x80) {
                return subject.getBytes(StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    // ---- reading either version; pos is absolute in a little-endian buffer ----------------------

    /** Whether a block's first four bytes start a record of either version (not a compressed frame). */
    static boolean startsRecord(int firstInt) {
        return firstInt == MAGIC_V1 || (byte) firstInt == MAGIC;
    }

    private static boolean v1(ByteBuffer b, int pos) {
        return b.get(pos) != MAGIC;
    }

    private static int flags(ByteBuffer b, int pos) {
        return b.get(pos + (v1(b, pos) ? V1_OFF_FLAGS : OFF_FLAGS));
    }

    /** Where the subject starts, relative to the record. */
    static int headerSize(ByteBuffer b, int pos) {
        if (v1(b, pos)) {
            return V1_HEADER_SIZE;
        }
        int f = b.get(pos + OFF_FLAGS);
        return HEADER_SIZE + ((f & FLAG_HAS_HEADERS) != 0 ? 4 : 0) + ((f & FLAG_TTL) != 0 ? 8 : 0);
    }

    static int subjectLength(ByteBuffer b, int pos) {
        return Short.toUnsignedInt(b.getShort(pos + (v1(b, pos) ? V1_OFF_SUBJECT_LENGTH : OFF_SUBJECT_LENGTH)));
    }

    static boolean hasHeaders(ByteBuffer b, int pos) {
        return (flags(b, pos) & FLAG_HAS_HEADERS) != 0;
    }

    static int headersLength(ByteBuffer b, int pos) {
        if (v1(b, pos)) {
            return b.getInt(pos + V1_OFF_HEADERS_LENGTH);
        }
        return (b.get(pos + OFF_FLAGS) & FLAG_HAS_HEADERS) != 0 ? b.getInt(pos + HEADER_SIZE) : 0;
    }

    static long ttl(ByteBuffer b, int pos) {
        if (v1(b, pos)) {
            return b.getLong(pos + V1_OFF_TTL);
        }
        int f = b.get(pos + OFF_FLAGS);
        return (f & FLAG_TTL) != 0 ? b.getLong(pos + HEADER_SIZE + ((f & FLAG_HAS_HEADERS) != 0 ? 4 : 0)) : 0;
    }

    /** A message (not a skip record) that was not erased. */
    static boolean isLiveMessage(ByteBuffer b, int pos) {
        if (v1(b, pos)) {
            return b.get(pos + V1_OFF_TYPE) == 1 && (b.get(pos + V1_OFF_FLAGS) & FLAG_ERASED) == 0;
        }
        return (b.get(pos + OFF_FLAGS) & (FLAG_SKIP | FLAG_ERASED)) == 0;
    }

    /** Sets the erased flag of the record at {@code pos}. */
    static void markErased(ByteBuffer b, int pos) {
        int at = pos + (v1(b, pos) ? V1_OFF_FLAGS : OFF_FLAGS);
        b.put(at, (byte) (b.get(at) | FLAG_ERASED));
    }

    /** The index's length field for the valid record at {@code pos} of length {@code length}. */
    static int lenField(ByteBuffer b, int pos, int length) {
        int field = length | (headersLength(b, pos) > 0 ? LEN_HEADERS_BIT : 0);
        if (!v1(b, pos)) {
            int f = b.get(pos + OFF_FLAGS);
            field |= LEN_V2_BIT | ((f & FLAG_TTL) != 0 ? LEN_TTL_BIT : 0);
            if ((f & FLAG_HAS_HEADERS) != 0 && (field & LEN_HEADERS_BIT) == 0) {
                field |= LEN_EMPTY_HEADERS_BIT;
            }
        }
        return field;
    }

    /** Whether a record of either version could start at {@code pos} (a quick test before {@link #validLength}). */
    static boolean mayStart(ByteBuffer b, int pos, int end) {
        return end - pos >= OVERHEAD && (b.get(pos) == MAGIC || (end - pos >= OVERHEAD_V1 && b.getInt(pos) == MAGIC_V1));
    }

    /**
     * Checks the record starting at {@code pos} (absolute, little-endian buffer holding bytes up
     * to {@code end}): first byte, a length that fits, consistent inner lengths and the
     * checksum. Returns its length, or -1 if there is no valid record there.
     */
    static int validLength(ByteBuffer buf, int pos, int end, CRC32C crc) {
        if (!mayStart(buf, pos, end)) {
            return -1;
        }
        boolean v1 = buf.get(pos) != MAGIC;
        int length = buf.getInt(pos + OFF_LENGTH);
        int minimum = v1 ? OVERHEAD_V1 : OVERHEAD;
        if (length < minimum || length > end - pos || length > (v1 ? 1 << 30 : MAX_RECORD)) {
            return -1;
        }
        if (v1) {
            byte type = buf.get(pos + V1_OFF_TYPE);
            if (type != 1 && type != 2) {
                return -1;
            }
        } else if ((buf.get(pos + OFF_FLAGS) & 0xF0) != 0) {
            return -1;
        }
        int header = headerSize(buf, pos);
        int headersLength = headersLength(buf, pos);
        if (headersLength < 0 || (long) header + CHECKSUM_SIZE + subjectLength(buf, pos) + headersLength > length) {
            return -1;
        }
        int limit = buf.limit();
        int position = buf.position();
        buf.limit(pos + length - CHECKSUM_SIZE).position(pos);
        crc.reset();
        crc.update(buf);
        buf.limit(limit).position(position);
        if ((int) crc.getValue() != buf.getInt(pos + length - CHECKSUM_SIZE)) {
            return -1;
        }
        return length;
    }

    /** Validates a record held alone in {@code rec} (heap array, little-endian). */
    static boolean valid(byte[] rec, CRC32C crc) {
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        return validLength(b, 0, rec.length, crc) == rec.length;
    }
}
