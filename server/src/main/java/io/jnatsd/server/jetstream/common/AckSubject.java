package io.jnatsd.server.jetstream.common;

/**
 * The reply subject a delivered message carries, through which it is acknowledged:
 * {@code $JS.ACK.<stream>.<consumer>.<delivered count>.<stream seq>.<consumer seq>.<ts ns>.<pending>}
 * (upstream's v1 form, which this server writes). The v2 form
 * {@code $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<dc>.<sseq>.<cseq>.<ts>.<pending>[.…]}
 * is read as well.
 */
public record AckSubject(String stream, String consumer, long deliveries, long streamSeq, long consumerSeq,
                         long timestampNanos, long pending) {
    public static final String PREFIX = "$JS.ACK.";

    public static String format(String stream, String consumer, long dc, long sseq, long dseq, long tsNanos, long pending) {
        return new StringBuilder(PREFIX.length() + stream.length() + consumer.length() + 56)
                .append(PREFIX).append(stream).append('.').append(consumer).append('.')
                .append(dc).append('.').append(sseq).append('.').append(dseq).append('.')
                .append(tsNanos).append('.').append(pending).toString();
    }

    /** The parsed subject, or null when it is not an ack subject. */
    public static AckSubject parse(String subject) {
        if (!subject.startsWith(PREFIX)) return null;
        String[] t = subject.split("\\.", -1);
        int base;
        if (t.length == 9) base = 2;
        else if (t.length >= 11) base = 4;
        else return null;
        long dc = number(t[base + 2]);
        long sseq = number(t[base + 3]);
        long dseq = number(t[base + 4]);
        if (dc < 0 || sseq < 0 || dseq < 0) return null;
        return new AckSubject(t[base], t[base + 1], dc, sseq, dseq, Math.max(0, number(t[base + 5])), Math.max(0, number(t[base + 6])));
    }

    private static long number(String s) {
        if (s.isEmpty() || s.length() > 19) return -1;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
