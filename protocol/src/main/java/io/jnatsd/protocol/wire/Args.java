package io.jnatsd.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The arguments of one control line as positions in the read buffer, reused by a parser for
 * every line so that splitting allocates nothing. The positions are absolute buffer indices
 * of the moment of the split; a parser that keeps them across reads (a message whose payload
 * has not fully arrived) adds how far the frame has moved since.
 */
public final class Args {
    private int[] starts;
    private int[] ends;

    /** Room for {@code capacity} arguments before the arrays grow. */
    public Args(int capacity) {
        starts = new int[Math.max(1, capacity)];
        ends = new int[starts.length];
    }

    /**
     * Splits {@code [from, to)} on runs of spaces and tabs. Returns the number of arguments,
     * but stops at {@code limit + 1}: a caller that accepts at most {@code limit} learns that
     * there are too many without the line's length deciding how much is recorded.
     */
    public int split(ByteBuf in, int from, int to, int limit) {
        return split(in, from, to, limit, false);
    }

    /** As {@link #split(ByteBuf, int, int, int)}; with {@code crIsBlank} a CR separates arguments too. */
    public int split(ByteBuf in, int from, int to, int limit, boolean crIsBlank) {
        int n = 0;
        int i = from;
        while (i < to) {
            if (blank(in.getByte(i), crIsBlank)) {
                i++;
                continue;
            }
            if (n > limit) return n;
            if (n == starts.length) grow();
            starts[n] = i;
            while (i < to && !blank(in.getByte(i), crIsBlank)) i++;
            ends[n++] = i;
        }
        return n;
    }

    private static boolean blank(byte b, boolean crIsBlank) {
        return b == ' ' || b == '\t' || (crIsBlank && b == '\r');
    }

    public int start(int i) {
        return starts[i];
    }

    public int end(int i) {
        return ends[i];
    }

    public int length(int i) {
        return ends[i] - starts[i];
    }

    /** The argument decoded as UTF-8; allocates, so for the rarer operations. */
    public String string(ByteBuf in, int i) {
        return in.toString(starts[i], ends[i] - starts[i], StandardCharsets.UTF_8);
    }

    /** The argument as a size (see {@link ControlLine#parseSize}); -1 when it is not one. */
    public int size(ByteBuf in, int i) {
        return ControlLine.parseSize(in, starts[i], ends[i]);
    }

    /** Whether the argument is exactly the one byte {@code c}. */
    public boolean is(ByteBuf in, int i, char c) {
        return ends[i] - starts[i] == 1 && in.getByte(starts[i]) == c;
    }

    // Only lines with many queue names get here; the line length bounds how far this goes.
    private void grow() {
        starts = java.util.Arrays.copyOf(starts, starts.length * 2);
        ends = java.util.Arrays.copyOf(ends, ends.length * 2);
    }
}
