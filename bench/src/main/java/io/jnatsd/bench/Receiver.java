package io.jnatsd.bench;

import io.nats.client.Message;
import io.nats.client.MessageHandler;
import java.util.BitSet;

/**
 * Counts and checks what one subscriber receives. Called by one thread at a time (its
 * dispatcher or its polling thread); read by the coordinating thread through volatiles.
 *
 * <p>{@code ordered}: this subscriber must see every sequence number in order, each once, so
 * the first gap, duplicate or reordering is reported with the exact numbers. Otherwise (a
 * queue member) it must see increasing numbers inside {@code [0, total)}, and records them so
 * the members' sets can be checked for overlap and coverage at the end.
 *
 * <p>{@code mark}: when the count reaches it, the time is kept ({@link #markNanos()}), so a
 * stream that never pauses (a push consumer) can be timed from the end of its warm-up.
 */
final class Receiver implements MessageHandler {
    private final String name;
    private final boolean ordered;
    private final long total;
    private final int size;
    private final BitSet seen;
    private final long mark;
    private long next;
    private volatile long count;
    private volatile long lastNanos;
    private volatile long markNanos;
    private volatile String error;

    Receiver(String name, boolean ordered, long total, int size) {
        this(name, ordered, total, size, 0);
    }

    Receiver(String name, boolean ordered, long total, int size, long mark) {
        this.name = name;
        this.mark = mark;
        this.ordered = ordered;
        this.total = total;
        this.size = size;
        this.seen = ordered ? null : new BitSet((int) Math.min(total, Integer.MAX_VALUE));
    }

    @Override
    public void onMessage(Message m) {
        accept(m.getData());
    }

    void accept(byte[] data) {
        long now = System.nanoTime();
        if (error == null) check(data);
        long c = count + 1;
        count = c; // single writer
        lastNanos = now;
        if (c == mark) markNanos = now;
    }

    private void check(byte[] data) {
        int len = data == null ? 0 : data.length;
        if (len != size) {
            fail("message of " + len + " bytes, expected " + size);
            return;
        }
        long s = Payloads.seq(data);
        if (s < 0 || s >= total) {
            fail("sequence " + s + " outside [0, " + total + ")");
        } else if (ordered) {
            if (s != next) {
                fail(s > next ? "lost messages " + next + ".." + (s - 1) + " (got " + s + ")"
                        : "duplicate or reordered message " + s + " (expected " + next + ")");
            }
            next = s + 1;
        } else {
            if (s < next) fail("duplicate or reordered message " + s + " after " + (next - 1));
            next = s + 1;
            seen.set((int) s);
        }
    }

    private void fail(String what) {
        error = name + ": " + what;
    }

    String name() {
        return name;
    }

    long count() {
        return count;
    }

    long lastNanos() {
        return lastNanos;
    }

    /** When the {@code mark}-th message arrived; 0 before that. */
    long markNanos() {
        return markNanos;
    }

    String error() {
        return error;
    }

    /** The sequence numbers received (queue members only); read after {@link #count()}. */
    BitSet seen() {
        return seen;
    }
}
