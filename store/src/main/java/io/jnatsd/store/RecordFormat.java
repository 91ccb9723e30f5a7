package io.jnatsd.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One record of a message block file ({@code msgs/<n>.blk}). All integers little-endian.
 *
 * <pre>
 *  0        4        8                16               24               32      34   35   36       40
 *  +--------+--------+----------------+----------------+----------------+-------+----+----+--------+
 *  | magic  | length | sequence       | timestamp (ns) | ttl (ns)       | subj  |type|flag| hdr    |
 *  | "JSM1" | (all)  |                | since epoch    | 0 none, &lt;0 never| len   |    |    | len    |
 *  +--------+--------+----------------+----------------+----------------+-------+----+----+--------+
 *  40: subject (UTF-8) | headers | payload | crc32c (4 bytes) over bytes 0 .. length-4
 * </pre>
 *
 * <ul>
 *   <li>{@code length} counts the whole record, magic to checksum; the payload length is what
 *       is left after the header, subject and headers.</li>
 *   <li>{@code type} 1 is a message; 2 marks a sequence as used without a message (written
 *       when a truncate leaves the last sequence without a record).</li>
 *   <li>{@code flag} bit 0: the message has a headers block (possibly empty); bit 1: the record
 *       was erased in place (subject, headers and payload overwritten with random bytes).</li>
 *   <li>The magic and the checksum make a record boundary recognisable when scanning past
 *       corruption. Upstream uses a 22-byte header and HighwayHash-64; this format uses
 *       CRC32C (hardware-accelerated, in the JDK) and spends 18 more bytes per record on the
 *       magic and the TTL.</li>
 * </ul>
 */
final class RecordFormat {

    static final int MAGIC = 0x314D534A; // "JSM1" little-endian
    static final int HEADER_SIZE = 40;
    static final int CHECKSUM_SIZE = 4;
    static final int OVERHEAD = HEADER_SIZE + CHECKSUM_SIZE;

    static final byte TYPE_MESSAGE = 1;
    static final byte TYPE_SKIP = 2;
    static final int FLAG_HAS_HEADERS = 1;
    static final int FLAG_ERASED = 2;

    static final int OFF_MAGIC = 0;
    static final int OFF_LENGTH = 4;
    static final int OFF_SEQ = 8;
    static final int OFF_TIMESTAMP = 16;
    static final int OFF_TTL = 24;
    static final int OFF_SUBJECT_LENGTH = 32;
    static final int OFF_TYPE = 34;
    static final int OFF_FLAGS = 35;
    static final int OFF_HEADERS_LENGTH = 36;

    /** The index's length field: record length, with this bit set when headers are non-empty. */
    static final int LEN_HEADERS_BIT = 0x8000_0000;
    static final int LEN_MASK = 0x7FFF_FFFF;
    /** The largest record: 1 GiB (upstream caps messages far lower). */
    static final int MAX_RECORD = 1 << 30;

    private RecordFormat() {
    }

    /** Bytes a record of these parts takes. */
    static long recordLength(int subjectLength, byte[] headers, byte[] payload) {
        return (long) OVERHEAD + subjectLength + (headers == null ? 0 : headers.length) + payload.length;
    }

    /** Upstream's file store size for a record length field (upstream counts 30 + 4 with headers). */
    static long accountedSize(int lenField) {
        int length = lenField & LEN_MASK;
        return length - OVERHEAD + 30 + ((lenField & LEN_HEADERS_BIT) != 0 ? 4 : 0);
    }

    /**
     * Encodes a record at position 0 of {@code buf} (little-endian, large enough) and leaves
     * position 0 and limit at its end. {@code subjectBytes} is the subject's UTF-8 form when it
     * is not plain ASCII, else null (the characters are copied without encoding).
     */
    static int encode(ByteBuffer buf, CRC32C crc, byte type, long seq, long ts, long ttl, String subject,
                      byte[] subjectBytes, byte[] headers, byte[] payload) {
        int subjectLength = subjectBytes != null ? subjectBytes.length : subject.length();
        int length = (int) recordLength(subjectLength, headers, payload);
        buf.clear();
        buf.putInt(MAGIC);
        buf.putInt(length);
        buf.putLong(seq);
        buf.putLong(ts);
        buf.putLong(ttl);
        buf.putShort((short) subjectLength);
        buf.put(type);
        buf.put((byte) (headers != null ? FLAG_HAS_HEADERS : 0));
        buf.putInt(headers == null ? 0 : headers.length);
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

    /**
     * Checks the record starting at {@code pos} (absolute, little-endian buffer holding bytes up
     * to {@code end}): magic, a length that fits, consistent inner lengths and the checksum.
     * Returns its length, or -1 if there is no valid record there.
     */
    static int validLength(ByteBuffer buf, int pos, int end, CRC32C crc) {
        if (end - pos < OVERHEAD || buf.getInt(pos + OFF_MAGIC) != MAGIC) {
            return -1;
        }
        int length = buf.getInt(pos + OFF_LENGTH);
        if (length < OVERHEAD || length > end - pos || length > MAX_RECORD) {
            return -1;
        }
        int subjectLength = Short.toUnsignedInt(buf.getShort(pos + OFF_SUBJECT_LENGTH));
        int headersLength = buf.getInt(pos + OFF_HEADERS_LENGTH);
        if (headersLength < 0 || (long) OVERHEAD + subjectLength + headersLength > length) {
            return -1;
        }
        byte type = buf.get(pos + OFF_TYPE);
        if (type != TYPE_MESSAGE && type != TYPE_SKIP) {
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

    static ByteBuffer littleEndian(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }
}
