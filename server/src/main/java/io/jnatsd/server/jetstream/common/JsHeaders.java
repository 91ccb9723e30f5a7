package io.jnatsd.server.jetstream.common;

import java.nio.charset.StandardCharsets;

/**
 * The headers JetStream acts on when a message is published to a stream, read from the raw
 * {@code NATS/1.0} block in one pass: the stream's write path asks for several of them per
 * message, and decoding the block once per question showed in the publish path. Names match
 * case-insensitively and the first occurrence wins, as {@link Headers#get} reads them; values
 * are trimmed. A message without any of them shares {@link #NONE}.
 */
public final class JsHeaders {
    private static final byte[] PREFIX = ascii("nats-");
    private static final byte[] SCHEDULE_PREFIX = ascii("schedule");
    private static final int MSG_ID = 0;
    private static final int EXPECTED_STREAM = 1;
    private static final int EXPECTED_LAST_SEQUENCE = 2;
    private static final int EXPECTED_LAST_SUBJECT_SEQUENCE = 3;
    private static final int EXPECTED_LAST_MSG_ID = 4;
    private static final int ROLLUP = 5;
    private static final int TTL = 6;
    private static final int EXPECTED_LAST_SUBJECT_SEQUENCE_SUBJECT = 7;
    private static final int INCR = 8;
    private static final int BATCH_ID = 9;
    private static final int BATCH_SEQUENCE = 10;
    private static final int BATCH_COMMIT = 11;
    /** After the {@code Nats-} prefix, lower case, indexed by the constants above. */
    private static final byte[][] NAMES = {
        ascii("msg-id"), ascii("expected-stream"), ascii("expected-last-sequence"),
        ascii("expected-last-subject-sequence"), ascii("expected-last-msg-id"), ascii("rollup"), ascii("ttl"),
        ascii("expected-last-subject-sequence-subject"), ascii("incr"),
        ascii("batch-id"), ascii("batch-sequence"), ascii("batch-commit"),
    };

    /** Shared by every message without JetStream headers. */
    public static final JsHeaders NONE = new JsHeaders();

    private final String[] values = new String[NAMES.length];
    /** Whether a {@code Nats-Schedule*} header (or {@code Nats-Scheduler}) is present: message schedules read those apart. */
    private boolean scheduling;

    private JsHeaders() {}

    /** The JetStream headers of {@code block} (null: no headers). */
    public static JsHeaders parse(byte[] block) {
        if (block == null) return NONE;
        JsHeaders found = null;
        int n = block.length;
        int line = indexOfCrLf(block, 0);
        while (line >= 0 && line + 2 < n) {
            int start = line + 2;
            int end = indexOfCrLf(block, start);
            if (end < 0) end = n;
            if (end == start) break; // the empty line ends the block
            int colon = indexOf(block, (byte) ':', start, end);
            if (colon > start) {
                int name = skipBlanks(block, start, colon);
                int nameEnd = trimEnd(block, name, colon);
                int which = knownName(block, name, nameEnd);
                if (which < 0 && isSchedulingName(block, name, nameEnd)) {
                    if (found == null) found = new JsHeaders();
                    found.scheduling = true;
                } else if (which >= 0) {
                    if (found == null) found = new JsHeaders();
                    if (found.values[which] == null) {
                        found.values[which] = new String(block, colon + 1, end - colon - 1, StandardCharsets.UTF_8).trim();
                    }
                }
            }
            line = end;
        }
        return found == null ? NONE : found;
    }

    public String msgId() {
        return values[MSG_ID];
    }

    public String expectedStream() {
        return values[EXPECTED_STREAM];
    }

    public String expectedLastSequence() {
        return values[EXPECTED_LAST_SEQUENCE];
    }

    public String expectedLastSubjectSequence() {
        return values[EXPECTED_LAST_SUBJECT_SEQUENCE];
    }

    /**
     * {@code Nats-Expected-Last-Subject-Sequence-Subject} (2.11): the subject, or filter, whose last
     * sequence {@link #expectedLastSubjectSequence()} is checked against instead of the message's
     * own; null when absent or empty.
     */
    public String expectedLastSubjectSequenceSubject() {
        String v = values[EXPECTED_LAST_SUBJECT_SEQUENCE_SUBJECT];
        return v == null || v.isEmpty() ? null : v;
    }

    /** {@code Nats-Incr} (2.12): a counter stream's increment. */
    public String incr() {
        return values[INCR];
    }

    /** {@code Nats-Batch-Id} (2.12): the atomic batch the message belongs to; null when absent or empty. */
    public String batchId() {
        String v = values[BATCH_ID];
        return v == null || v.isEmpty() ? null : v;
    }

    /** {@code Nats-Batch-Sequence}: the message's place in its batch, from 1. */
    public String batchSequence() {
        return values[BATCH_SEQUENCE];
    }

    /** {@code Nats-Batch-Commit}: {@code 1} (commit with this message) or {@code eob} (commit without it). */
    public String batchCommit() {
        return values[BATCH_COMMIT];
    }

    public String expectedLastMsgId() {
        return values[EXPECTED_LAST_MSG_ID];
    }

    public String rollup() {
        return values[ROLLUP];
    }

    public String ttl() {
        return values[TTL];
    }

    /** Whether one of the message schedule headers is present (2.12). */
    public boolean hasScheduling() {
        return scheduling;
    }

    private static boolean isSchedulingName(byte[] b, int from, int to) {
        int rest = from + PREFIX.length;
        return to - rest >= SCHEDULE_PREFIX.length && equalsIgnoreCase(b, from, PREFIX) && equalsIgnoreCase(b, rest, SCHEDULE_PREFIX);
    }

    /** Which of {@link #NAMES} (after {@code Nats-}) the name in {@code [from, to)} is; -1 for none. */
    private static int knownName(byte[] b, int from, int to) {
        if (to - from <= PREFIX.length || !equalsIgnoreCase(b, from, PREFIX)) return -1;
        int rest = from + PREFIX.length;
        for (int i = 0; i < NAMES.length; i++) {
            if (to - rest == NAMES[i].length && equalsIgnoreCase(b, rest, NAMES[i])) return i;
        }
        return -1;
    }

    private static boolean equalsIgnoreCase(byte[] b, int at, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int c = b[at + i];
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != lower[i]) return false;
        }
        return true;
    }

    private static int indexOfCrLf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) if (b[i] == '\r' && b[i + 1] == '\n') return i;
        return -1;
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    /** As String.trim: blanks are bytes up to the space. */
    private static int skipBlanks(byte[] b, int from, int to) {
        while (from < to && (b[from] & 0xff) <= ' ') from++;
        return from;
    }

    private static int trimEnd(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] & 0xff) <= ' ') to--;
        return to;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
