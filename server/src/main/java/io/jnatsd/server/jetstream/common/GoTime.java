package io.jnatsd.server.jetstream.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Times as Go's {@code time.RFC3339Nano} writes them in UTC: trailing zeros of the fraction trimmed. */
public final class GoTime {
    public static final String ZERO = "0001-01-01T00:00:00Z";

    private GoTime() {}

    public static String rfc3339Nano(long epochNanos) {
        if (epochNanos == 0) return ZERO;
        return rfc3339Nano(Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L)));
    }

    /** An RFC 3339 time with any offset, rewritten in UTC as Go writes it. */
    public static String utc(String rfc3339) {
        return rfc3339Nano(java.time.OffsetDateTime.parse(rfc3339).toInstant());
    }

    private static String rfc3339Nano(Instant i) {
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
    public static long parse(String s) {
        Instant i = java.time.OffsetDateTime.parse(s).toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /**
     * Epoch nanoseconds of an RFC 3339 time, or 0 for times at or before the epoch (Go's zero
     * time among them, which would overflow): for deadlines, where those mean "none".
     */
    public static long deadline(String s) {
        Instant i = java.time.OffsetDateTime.parse(s).toInstant();
        return i.getEpochSecond() <= 0 ? 0 : i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** Wall-clock time in nanoseconds since the epoch (microsecond resolution where the JDK has it). */
    public static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String s = String.valueOf(v);
        for (int i = s.length(); i < width; i++) b.append('0');
        return b.append(s);
    }
}
