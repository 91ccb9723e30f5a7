package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.GoTime;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.store.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A consumer's dead-letter subject (a jnatsd addition, {@code dead_letter_subject}): a message
 * that used up {@code max_deliver} or was terminated with {@code +TERM} is published there, in the
 * stream's account, so that a stream capturing the subject keeps it. The copy carries the
 * original payload and headers, less those a stream would act on again (message id,
 * expectations, rollup, TTL, batches, counters), plus {@code Nats-DLQ-*} headers saying where it
 * came from and why.
 */
final class DeadLetters {
    static final String MAX_DELIVERIES = "MaxDeliveries";
    static final String TERMINATED = "Terminated";

    static final String STREAM = "Nats-DLQ-Stream";
    static final String CONSUMER = "Nats-DLQ-Consumer";
    static final String SEQUENCE = "Nats-DLQ-Sequence";
    static final String SUBJECT = "Nats-DLQ-Subject";
    static final String TIME_STAMP = "Nats-DLQ-Time-Stamp";
    static final String DELIVERIES = "Nats-DLQ-Deliveries";
    static final String REASON = "Nats-DLQ-Reason";
    static final String TERM_REASON = "Nats-DLQ-Term-Reason";

    /** Headers a stream interprets when it stores a message: a dead letter must not trigger them again. */
    private static final List<String> DROPPED = List.of("nats-msg-id", "nats-rollup", "nats-ttl", "nats-incr",
            "nats-required-api-level");
    /** The same for families of headers, and an earlier dead letter's own (replaced, not repeated). */
    private static final List<String> DROPPED_PREFIXES = List.of("nats-expected-", "nats-batch-", "nats-schedule",
            "nats-dlq-");

    private DeadLetters() {}

    /**
     * Why {@code subject} cannot be a dead-letter subject of a consumer whose stream holds
     * {@code streamSubjects} (with its sources' and mirror's), or null when it can. A subject the
     * stream would store again would feed the consumer its own failures, so it is refused.
     */
    static String refusal(String subject, List<String> streamSubjects) {
        if (!Subjects.isValidSubject(subject)) return "invalid dead letter subject";
        if (!Subjects.isLiteral(subject)) return "dead letter subject can not contain wildcards";
        if (subject.startsWith("$JS.") || subject.startsWith("$SYS.")) {
            return "dead letter subject can not be a reserved subject";
        }
        for (String s : streamSubjects) {
            if (Subjects.subjectMatchesFilter(subject, s)) {
                return "dead letter subject can not be a subject of the consumer's stream";
            }
        }
        return null;
    }

    /** Whether the stream (whose subjects may have changed since the check) would store {@code subject} again. */
    static boolean loops(String subject, List<String> streamSubjects) {
        for (String s : streamSubjects) if (Subjects.subjectMatchesFilter(subject, s)) return true;
        return false;
    }

    /** The header block of the dead letter for {@code m}. {@code termReason} may be null or empty. */
    static byte[] headers(StoredMessage m, String stream, String consumer, long deliveries, String reason,
                          String termReason) {
        StringBuilder h = new StringBuilder(256).append("NATS/1.0\r\n");
        copyKept(m.headers(), h);
        h.append(STREAM).append(": ").append(stream).append("\r\n");
        h.append(CONSUMER).append(": ").append(consumer).append("\r\n");
        h.append(SEQUENCE).append(": ").append(m.seq()).append("\r\n");
        h.append(SUBJECT).append(": ").append(m.subject()).append("\r\n");
        h.append(TIME_STAMP).append(": ").append(GoTime.rfc3339Nano(m.timestampNanos())).append("\r\n");
        h.append(DELIVERIES).append(": ").append(deliveries).append("\r\n");
        h.append(REASON).append(": ").append(reason).append("\r\n");
        if (termReason != null && !termReason.isEmpty()) {
            // one line: a header value cannot hold a line break
            h.append(TERM_REASON).append(": ").append(termReason.replace('\r', ' ').replace('\n', ' ')).append("\r\n");
        }
        return h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The original header lines (not its version line) but the dropped ones. */
    private static void copyKept(byte[] block, StringBuilder out) {
        if (block == null || block.length == 0) return;
        String s = new String(block, StandardCharsets.UTF_8);
        int start = s.indexOf("\r\n");
        while (start >= 0 && start + 2 < s.length()) {
            int from = start + 2;
            int end = s.indexOf("\r\n", from);
            if (end < 0) end = s.length();
            if (end == from) return; // the empty line ends the block
            String line = s.substring(from, end);
            if (!dropped(line)) out.append(line).append("\r\n");
            start = end;
        }
    }

    private static boolean dropped(String line) {
        int colon = line.indexOf(':');
        String name = (colon < 0 ? line : line.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        if (DROPPED.contains(name)) return true;
        for (String p : DROPPED_PREFIXES) if (name.startsWith(p)) return true;
        return false;
    }
}
