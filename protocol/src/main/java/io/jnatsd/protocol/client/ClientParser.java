package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The client protocol parser: a state machine over a cumulative read buffer.
 *
 * <p>A frame is consumed only once it is complete, so a split at any byte just means the
 * caller keeps the unread bytes and calls again with more; positions of a half-received
 * message are remembered relative to the reader index, so the caller may compact the buffer
 * in between. Errors are detected as early as upstream detects them (an unknown operation
 * on its first wrong byte, a bad byte after a payload before the line ends), so clients see
 * the same -ERR texts at the same moments.
 *
 * <p>Nothing per message is allocated on the fast path: the subject String comes from a
 * small per-connection interner and the payload stays in the read buffer.
 */
public final class ClientParser {
    /** An INFO a client sends is ignored; it is bounded only to keep memory in check. */
    private static final int MAX_CONNECT_LINE = 1024 * 1024;
    private static final int MAX_ARGS = 4;

    private enum Op { PUB, HPUB, SUB, UNSUB, PING, PONG, CONNECT, INFO, OK, ERR }

    private final ClientOpHandler handler;
    private final SubjectInterner interner = new SubjectInterner();
    private final InboundMessage msg = new InboundMessage();
    private final int[] argStart = new int[MAX_ARGS + 1];
    private final int[] argEnd = new int[MAX_ARGS + 1];

    private int maxControlLine;
    private int maxPayload;
    private boolean headersAllowed;
    private boolean stopped;
    private boolean paused;

    // A PUB/HPUB whose control line is parsed but whose payload has not fully arrived;
    // offsets are relative to the frame start (the reader index).
    private boolean awaitingPayload;
    private int pendingDataOffset;
    private int pendingSubjectOffset;
    private int pendingSubjectLength;
    private int pendingReplyOffset;
    private int pendingReplyLength;
    private int pendingHeaderLength;
    private int pendingTotal;

    private int scanPos;

    public ClientParser(ClientOpHandler handler, int maxControlLine, int maxPayload) {
        this.handler = handler;
        this.maxControlLine = maxControlLine;
        this.maxPayload = maxPayload;
    }

    /** Set once CONNECT said {@code "headers":true}; HPUB before that closes the connection. */
    public void setHeadersAllowed(boolean headersAllowed) {
        this.headersAllowed = headersAllowed;
    }

    public void setMaxPayload(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /** Stops parsing: no further callbacks, now or later. */
    public void stop() {
        stopped = true;
    }

    public boolean isStopped() {
        return stopped;
    }

    /**
     * After {@link #parse} left a partial message in {@code in}: how many more bytes complete
     * it, when its control line is already parsed (payload and trailing CRLF); -1 when the
     * partial frame is still in its control line. Lets the caller copy only the bytes that
     * finish a split frame instead of the whole next read.
     */
    public int bytesToCompleteFrame(ByteBuf in) {
        if (!awaitingPayload) return -1;
        return Math.max(1, pendingDataOffset + pendingTotal + 2 - in.readableBytes());
    }

    /**
     * Pauses parsing after the current operation (called from a callback): the rest of the
     * buffer stays unread until {@link #resume()} and the next {@link #parse} call.
     */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public boolean isPaused() {
        return paused;
    }

    /** Consumes every complete frame in {@code in}; leaves a partial one for the next call. */
    public void parse(ByteBuf in) {
        while (!stopped && !paused && in.isReadable()) {
            if (awaitingPayload) {
                if (!completePayload(in)) return;
                continue;
            }
            if (!parseFrame(in)) return;
        }
    }

    private boolean parseFrame(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        Op op = recognize(in, start, end);
        if (op == null) return false; // need more bytes, or stopped
        int afterOp = scanPos;
        switch (op) {
            case PING, PONG, OK -> {
                int nl = in.indexOf(afterOp, end, (byte) '\n');
                if (nl < 0) return needMore(end - start);
                in.readerIndex(nl + 1);
                if (op == Op.PING) handler.onPing();
                else if (op == Op.PONG) handler.onPong();
                return true;
            }
            case ERR -> {
                int nl = in.indexOf(afterOp, end, (byte) '\n');
                if (nl < 0) return needMore(end - start);
                in.readerIndex(nl + 1);
                return violation(ProtocolViolation.CLIENT_ERROR);
            }
            case CONNECT, INFO -> {
                // Upstream bounds a client's CONNECT by max_control_line like any other line.
                int limit = op == Op.CONNECT ? maxControlLine : MAX_CONNECT_LINE;
                int argFrom = skipBlanks(in, afterOp, end);
                int nl = in.indexOf(argFrom, end, (byte) '\n');
                if (nl < 0) {
                    if (end - argFrom > limit) return violation(ProtocolViolation.MAX_CONTROL_LINE);
                    return false;
                }
                int argTo = trimCr(in, argFrom, nl);
                if (argTo - argFrom > limit) return violation(ProtocolViolation.MAX_CONTROL_LINE);
                in.readerIndex(nl + 1);
                if (op == Op.CONNECT) handler.onConnect(in.slice(argFrom, argTo - argFrom));
                return true;
            }
            default -> {
                if (afterOp >= end) return false;
                byte sep = in.getByte(afterOp);
                if (sep != ' ' && sep != '\t') return violation(ProtocolViolation.UNKNOWN_OPERATION);
                int argFrom = skipBlanks(in, afterOp, end);
                int nl = in.indexOf(argFrom, end, (byte) '\n');
                if (nl < 0) {
                    if (end - argFrom > maxControlLine) return violation(ProtocolViolation.MAX_CONTROL_LINE);
                    return false;
                }
                int argTo = trimCr(in, argFrom, nl);
                if (argTo - argFrom > maxControlLine) return violation(ProtocolViolation.MAX_CONTROL_LINE);
                int n = split(in, argFrom, argTo);
                return switch (op) {
                    case PUB, HPUB -> publishLine(in, op == Op.HPUB, n, start, nl + 1);
                    case SUB -> subscribeLine(in, n, nl + 1);
                    default -> unsubscribeLine(in, n, nl + 1);
                };
            }
        }
    }

    /**
     * Identifies the operation name at {@code start}, byte by byte as upstream does, so that a
     * wrong byte is an error at once, even before the line ends. Leaves the index after the
     * name in {@link #scanPos}. Returns null when more bytes are needed or parsing stopped.
     */
    private Op recognize(ByteBuf in, int start, int end) {
        int c0 = upper(in.getByte(start));
        Op op;
        String name;
        switch (c0) {
            case 'P' -> {
                if (start + 1 >= end) return null;
                int c1 = upper(in.getByte(start + 1));
                if (c1 == 'U') { op = Op.PUB; name = "PUB"; }
                else if (c1 == 'I') { op = Op.PING; name = "PING"; }
                else if (c1 == 'O') { op = Op.PONG; name = "PONG"; }
                else { violation(ProtocolViolation.UNKNOWN_OPERATION); return null; }
            }
            case 'H' -> {
                if (!headersAllowed) { violation(ProtocolViolation.HEADERS_NOT_SUPPORTED); return null; }
                op = Op.HPUB; name = "HPUB";
            }
            case 'S' -> { op = Op.SUB; name = "SUB"; }
            case 'U' -> { op = Op.UNSUB; name = "UNSUB"; }
            case 'C' -> { op = Op.CONNECT; name = "CONNECT"; }
            case 'I' -> { op = Op.INFO; name = "INFO"; }
            case '+' -> { op = Op.OK; name = "+OK"; }
            case '-' -> { op = Op.ERR; name = "-ERR"; }
            default -> { violation(ProtocolViolation.UNKNOWN_OPERATION); return null; }
        }
        int len = name.length();
        for (int i = 1; i < len; i++) {
            if (start + i >= end) return null;
            if (upper(in.getByte(start + i)) != name.charAt(i)) {
                violation(ProtocolViolation.UNKNOWN_OPERATION);
                return null;
            }
        }
        scanPos = start + len;
        return op;
    }

    private boolean publishLine(ByteBuf in, boolean withHeaders, int n, int frameStart, int dataStart) {
        int minArgs = withHeaders ? 3 : 2;
        if (n < minArgs || n > minArgs + 1) return violation(ProtocolViolation.BAD_ARGUMENTS);
        boolean hasReply = n == minArgs + 1;
        int total = parseSize(in, argStart[n - 1], argEnd[n - 1]);
        if (total < 0) return violation(ProtocolViolation.BAD_ARGUMENTS);
        int header = -1;
        if (withHeaders) {
            header = parseSize(in, argStart[n - 2], argEnd[n - 2]);
            if (header < 0 || header > total) return violation(ProtocolViolation.BAD_ARGUMENTS);
        }
        if (total > maxPayload) return violation(ProtocolViolation.MAX_PAYLOAD);
        pendingSubjectOffset = argStart[0] - frameStart;
        pendingSubjectLength = argEnd[0] - argStart[0];
        if (hasReply) {
            pendingReplyOffset = argStart[1] - frameStart;
            pendingReplyLength = argEnd[1] - argStart[1];
        } else {
            pendingReplyLength = 0;
        }
        pendingHeaderLength = header;
        pendingTotal = total;
        pendingDataOffset = dataStart - frameStart;
        awaitingPayload = true;
        return completePayload(in);
    }

    /** Delivers the pending message once its payload and the CRLF after it are in. */
    private boolean completePayload(ByteBuf in) {
        int frameStart = in.readerIndex();
        int dataStart = frameStart + pendingDataOffset;
        int payloadEnd = dataStart + pendingTotal;
        int end = in.writerIndex();
        if (payloadEnd >= end) return false;
        if (in.getByte(payloadEnd) != '\r') return violation(ProtocolViolation.UNKNOWN_OPERATION);
        if (payloadEnd + 1 >= end) return false;
        if (in.getByte(payloadEnd + 1) != '\n') return violation(ProtocolViolation.UNKNOWN_OPERATION);
        awaitingPayload = false;
        InboundMessage m = msg;
        m.reset();
        m.buffer = in;
        m.subjectStart = frameStart + pendingSubjectOffset;
        m.subjectLength = pendingSubjectLength;
        m.subject = interner.intern(in, m.subjectStart, m.subjectLength);
        m.replyStart = frameStart + pendingReplyOffset;
        m.replyLength = pendingReplyLength;
        m.headerLength = pendingHeaderLength;
        m.totalLength = pendingTotal;
        m.dataStart = dataStart;
        in.readerIndex(payloadEnd + 2);
        handler.onPublish(m);
        m.buffer = null;
        return true;
    }

    private boolean subscribeLine(ByteBuf in, int n, int next) {
        if (n < 2 || n > 3) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String subject = arg(in, 0);
        String queue = n == 3 ? arg(in, 1) : null;
        String sid = arg(in, n - 1);
        in.readerIndex(next);
        handler.onSubscribe(subject, queue, sid);
        return true;
    }

    private boolean unsubscribeLine(ByteBuf in, int n, int next) {
        if (n < 1 || n > 2) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String sid = arg(in, 0);
        long max = n == 2 ? parseSize(in, argStart[1], argEnd[1]) : -1;
        in.readerIndex(next);
        handler.onUnsubscribe(sid, max);
        return true;
    }

    private boolean needMore(int pending) {
        if (pending > maxControlLine) return violation(ProtocolViolation.MAX_CONTROL_LINE);
        return false;
    }

    private boolean violation(ProtocolViolation v) {
        stopped = true;
        handler.onViolation(v);
        return false;
    }

    /** Splits on spaces and tabs; returns the count, or MAX_ARGS+1 when there are more. */
    private int split(ByteBuf in, int from, int to) {
        int n = 0;
        int i = from;
        while (i < to) {
            byte b = in.getByte(i);
            if (b == ' ' || b == '\t') { i++; continue; }
            if (n > MAX_ARGS) return n;
            argStart[n] = i;
            while (i < to && (b = in.getByte(i)) != ' ' && b != '\t') i++;
            argEnd[n++] = i;
        }
        return n;
    }

    private String arg(ByteBuf in, int i) {
        return in.toString(argStart[i], argEnd[i] - argStart[i], StandardCharsets.UTF_8);
    }

    /** Decimal digits only, as upstream's parseSize; -1 for anything else or an overflow. */
    static int parseSize(ByteBuf in, int from, int to) {
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

    private static int skipBlanks(ByteBuf in, int from, int end) {
        while (from < end) {
            byte b = in.getByte(from);
            if (b != ' ' && b != '\t') break;
            from++;
        }
        return from;
    }

    private static int trimCr(ByteBuf in, int from, int nl) {
        return nl > from && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
    }

    private static int upper(byte b) {
        return b >= 'a' && b <= 'z' ? b - 32 : b;
    }
}
