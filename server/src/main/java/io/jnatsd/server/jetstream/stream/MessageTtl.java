package io.jnatsd.server.jetstream.stream;

import io.jnatsd.conf.GoDuration;

/** The {@code Nats-TTL} header: a Go duration of at least 1s, whole seconds, or "never". */
final class MessageTtl {
    private static final long SECOND = 1_000_000_000L;

    private MessageTtl() {}

    /** Nanoseconds; -1 for "never"; 0 when the value is invalid. */
    static long parseNanos(String v) {
        String s = v.trim();
        if (s.equalsIgnoreCase("never")) return -1;
        try {
            long seconds = Long.parseLong(s);
            return seconds >= 1 ? seconds * SECOND : 0;
        } catch (NumberFormatException notSeconds) {
            try {
                long n = GoDuration.parseNanos(s);
                return n >= SECOND ? n : 0;
            } catch (IllegalArgumentException bad) {
                return 0;
            }
        }
    }
}
