package io.jnatsd.server.jetstream;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Times as Go's {@code time.RFC3339Nano} writes them in UTC: trailing zeros of the fraction trimmed. */
final class GoTime {
    static final String ZERO = "0001-01-01T00:00:00Z";

    private GoTime() {}

    static String rfc3339Nano(long epochNanos) {
        if (epochNanos == 0) return ZERO;
        Instant i = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        LocalDateTime t = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(30);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            String f = String.valueOf(1_000_000_000 + nanos).substring(1);
            int end = f.length();
            while (f.charAt(end - 1) == '0') end--;
            b.append('.').append(f, 0, end);
        }
        return b.append('Z').toString();
    }

    /** Parses an RFC 3339 time (any offset) to epoch nanoseconds. */
    static long parse(String s) {
        Instant i = java.time.OffsetDateTime.parse(s).toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = String.valueOf(v);
        for (int i = s.length(); i < width; i++) b.append('0');
        return b.append(s);
    }
}
