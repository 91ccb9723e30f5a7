package io.jnatsd.protocol.client;

import static io.jnatsd.protocol.wire.ControlLine.INVALID;
import static io.jnatsd.protocol.wire.ControlLine.NEED_MORE;
import static io.jnatsd.protocol.wire.ControlLine.TOO_LONG;

import io.jnatsd.protocol.wire.Args;
import io.jnatsd.protocol.wire.ControlLine;
import io.jnatsd.protocol.wire.SubjectInterner;
import io.jnatsd.protocol.wire.FrameParser;
import io.netty.buffer.ByteBuf;

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
 *
 * <p>The byte-level rules (names, blanks, line ends, sizes) are {@link ControlLine}'s, shared
 * with the route parser.
 */
public final class ClientParser extends FrameParser {
    /** An INFO a client sends is ignored; it is bounded only to keep memory in check. */
    private static final int MAX_CONNECT_LINE = 1024 * 1024;
    private static final int MAX_ARGS = 4;

    private enum Op { PUB, HPUB, SUB, UNSUB, PING, PONG, CONNECT, INFO, OK, ERR }

    private final ClientOpHandler handler;
    private final SubjectInterner interner = new SubjectInterner();
    private final InboundMessage msg = new InboundMessage();
    private final Args args = new Args(MAX_ARGS + 1);

    private boolean headersAllowed;
    /** The first operation has been let through (CONNECT, or another the handler allowed). */
    private boolean pastConnect;

    // A PUB/HPUB whose control line is parsed but whose payload has not fully arrived;
    // offsets are relative to the frame start (the reader index).
    private int pendingSubjectOffset;
    private int pendingSubjectLength;
    private int pendingReplyOffset;
    private int pendingReplyLength;
    private int pendingHeaderLength;

    public ClientParser(ClientOpHandler handler, int maxControlLine, int maxPayload) {
        super(maxControlLine, maxPayload);
        this.handler = handler;
    }

    /** Set once CONNECT said {@code "headers":true}; HPUB before that closes the connection. */
    public void setHeadersAllowed(boolean headersAllowed) {
        this.headersAllowed = headersAllowed;
    }

    @Override
    protected boolean parseFrame(ByteBuf in) {
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
                int argFrom = ControlLine.skipBlanks(in, afterOp, end);
                int nl = ControlLine.lineEnd(in, argFrom, end, limit);
                if (nl == NEED_MORE) return false;
                if (nl == TOO_LONG) return violation(ProtocolViolation.MAX_CONTROL_LINE);
                int argTo = ControlLine.trimCr(in, argFrom, nl);
                in.readerIndex(nl + 1);
                if (op == Op.CONNECT) handler.onConnect(in.slice(argFrom, argTo - argFrom));
                else handler.onInfo(in.slice(argFrom, argTo - argFrom));
                return true;
            }
            default -> {
                int argFrom = ControlLine.argsStart(in, afterOp, end);
                if (argFrom == NEED_MORE) return false;
                if (argFrom == INVALID) return violation(ProtocolViolation.UNKNOWN_OPERATION);
                int nl = ControlLine.lineEnd(in, argFrom, end, maxControlLine);
                if (nl == NEED_MORE) return false;
                if (nl == TOO_LONG) return violation(ProtocolViolation.MAX_CONTROL_LINE);
                // upstream splits SUB and UNSUB arguments on CR too, PUB and HPUB on spaces and tabs only
                boolean crIsBlank = op == Op.SUB || op == Op.UNSUB;
                int n = args.split(in, argFrom, ControlLine.trimCr(in, argFrom, nl), MAX_ARGS, crIsBlank);
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
        int c0 = ControlLine.upper(in.getByte(start));
        if (!pastConnect) {
            // upstream looks at the first byte only: anything but C before CONNECT needs the handler's leave
            if (c0 != 'C' && !handler.beforeConnect()) {
                stopped = true;
                return null;
            }
            pastConnect = true;
        }
        Op op;
        String name;
        switch (c0) {
            case 'P' -> {
                if (start + 1 >= end) return null;
                int c1 = ControlLine.upper(in.getByte(start + 1));
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
        int after = ControlLine.matchName(in, start, end, name);
        if (after == NEED_MORE) return null;
        if (after == INVALID) {
            violation(ProtocolViolation.UNKNOWN_OPERATION);
            return null;
        }
        scanPos = after;
        return op;
    }

    private boolean publishLine(ByteBuf in, boolean withHeaders, int n, int frameStart, int dataStart) {
        int minArgs = withHeaders ? 3 : 2;
        if (n < minArgs || n > minArgs + 1) return violation(ProtocolViolation.BAD_ARGUMENTS);
        boolean hasReply = n == minArgs + 1;
        int total = args.size(in, n - 1);
        if (total < 0) return violation(ProtocolViolation.BAD_ARGUMENTS);
        int header = -1;
        if (withHeaders) {
            header = args.size(in, n - 2);
            if (header < 0 || header > total) return violation(ProtocolViolation.BAD_ARGUMENTS);
        }
        if (total > maxPayload) return violation(ProtocolViolation.MAX_PAYLOAD);
        pendingSubjectOffset = args.start(0) - frameStart;
        pendingSubjectLength = args.length(0);
        if (hasReply) {
            pendingReplyOffset = args.start(1) - frameStart;
            pendingReplyLength = args.length(1);
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
    @Override
    protected boolean completePayload(ByteBuf in) {
        int frameStart = in.readerIndex();
        int dataStart = frameStart + pendingDataOffset;
        int next = ControlLine.crlfAfterPayload(in, dataStart + pendingTotal, in.writerIndex());
        if (next == NEED_MORE) return false;
        if (next == INVALID) return violation(ProtocolViolation.UNKNOWN_OPERATION);
        awaitingPayload = false;
        int subjectStart = frameStart + pendingSubjectOffset;
        String subject = interner.intern(in, subjectStart, pendingSubjectLength);
        msg.setFrame(in, subject, subjectStart, pendingSubjectLength, frameStart + pendingReplyOffset,
                pendingReplyLength, pendingHeaderLength, pendingTotal, dataStart);
        in.readerIndex(next);
        handler.onPublish(msg);
        msg.clearFrame();
        return true;
    }

    private boolean subscribeLine(ByteBuf in, int n, int next) {
        if (n < 2 || n > 3) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String subject = args.string(in, 0);
        String queue = n == 3 ? args.string(in, 1) : null;
        String sid = args.string(in, n - 1);
        in.readerIndex(next);
        handler.onSubscribe(subject, queue, sid);
        return true;
    }

    private boolean unsubscribeLine(ByteBuf in, int n, int next) {
        if (n < 1 || n > 2) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String sid = args.string(in, 0);
        long max = n == 2 ? args.size(in, 1) : -1;
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
}
