package io.jnatsd.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * The byte-level rules every NATS protocol dialect shares, for the parsers of each: operation
 * names matched case-insensitively, arguments separated by runs of spaces and tabs, lines
 * ended by {@code \n} with an optional {@code \r} before it, sizes in plain decimal, and a
 * payload followed by exactly {@code \r\n}.
 *
 * <p>All methods look at absolute indices of a buffer without moving its reader index, and
 * answer "not yet" ({@link #NEED_MORE}) apart from "never" ({@link #INVALID},
 * {@link #TOO_LONG}), because a parser over a cumulative read buffer must tell a frame split
 * by the network from a broken one.
 */
public final class ControlLine {
    /** The bytes so far are a valid beginning; the answer depends on bytes not yet read. */
    public static final int NEED_MORE = -1;
    /** The bytes cannot be the beginning of what was expected, whatever follows. */
    public static final int INVALID = -2;
    /** The line is, or will be, longer than the limit. */
    public static final int TOO_LONG = -3;

    private ControlLine() {}

    /** ASCII upper case of a byte; other bytes unchanged. */
    public static int upper(byte b) {
        return b >= 'a' && b <= 'z' ? b - 32 : b;
    }

    /**
     * Matches the operation {@code name} (upper case) at {@code start}, byte by byte as
     * upstream does, so that a wrong byte is an error as soon as it arrives even though the
     * line has not ended. Returns the index after the name, {@link #NEED_MORE} or
     * {@link #INVALID}.
     */
    public static int matchName(ByteBuf in, int start, int end, String name) {
        int len = name.length();
        for (int i = 0; i < len; i++) {
            if (start + i >= end) return NEED_MORE;
            if (upper(in.getByte(start + i)) != name.charAt(i)) return INVALID;
        }
        return start + len;
    }

    /**
     * Where the arguments of an operation that takes them begin: upstream requires at least
     * one space or tab right after the name ({@code PUBX} is an unknown operation, not PUB
     * with an argument). Returns the first byte after the blanks (possibly {@code end}, when
     * only blanks arrived so far), {@link #NEED_MORE} or {@link #INVALID}.
     */
    public static int argsStart(ByteBuf in, int afterName, int end) {
        if (afterName >= end) return NEED_MORE;
        byte sep = in.getByte(afterName);
        if (sep != ' ' && sep != '\t') return INVALID;
        return skipBlanks(in, afterName, end);
    }

    public static int skipBlanks(ByteBuf in, int from, int end) {
        while (from < end) {
            byte b = in.getByte(from);
            if (b != ' ' && b != '\t') break;
            from++;
        }
        return from;
    }

    /**
     * The index of the {@code \n} ending the line whose content starts at {@code from}, or
     * {@link #NEED_MORE}, or {@link #TOO_LONG} when its content (without the CR) exceeds
     * {@code maxLine}. An unfinished line is measured too, so a peer cannot make the caller
     * buffer without bound by never sending the newline.
     */
    public static int lineEnd(ByteBuf in, int from, int end, int maxLine) {
        int nl = in.indexOf(from, end, (byte) '\n');
        if (nl < 0) return end - from > maxLine ? TOO_LONG : NEED_MORE;
        return trimCr(in, from, nl) - from > maxLine ? TOO_LONG : nl;
    }

    /** The end of a line's content: {@code nl}, or one before it when a CR precedes it. */
    public static int trimCr(ByteBuf in, int from, int nl) {
        return nl > from && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
    }

    /**
     * Decimal digits only, as upstream's parseSize: no sign, no blanks, at most 9 digits (so
     * the value fits an int); -1 for anything else.
     */
    public static int parseSize(ByteBuf in, int from, int to) {
        int len = to - from;
        if (len == 0 || len > 9) return -1;
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = in.getByte(i) - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * Checks the {@code \r\n} that must follow a payload ending at {@code at}. Each byte is
     * judged as soon as it arrives, as upstream does. Returns the index after the CRLF,
     * {@link #NEED_MORE} or {@link #INVALID}.
     */
    public static int crlfAfterPayload(ByteBuf in, int at, int end) {
        if (at >= end) return NEED_MORE;
        if (in.getByte(at) != '\r') return INVALID;
        if (at + 1 >= end) return NEED_MORE;
        if (in.getByte(at + 1) != '\n') return INVALID;
        return at + 2;
    }
}
