package io.jnatsd.protocol.client;

import static io.jnatsd.protocol.wire.ControlLine.INVALID;
import static io.jnatsd.protocol.wire.ControlLine.NEED_MORE;
import static io.jnatsd.protocol.wire.ControlLine.TOO_LONG;

import io.jnatsd.protocol.wire.Args;
import io.jnatsd.protocol.wire.ControlLine;
import io.jnatsd.protocol.wire.SubjectInterner;
import io.jnatsd.protocol.wire.FrameParser;
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
    /** The name of the operation being parsed (for error texts). */
    private String opName;
    /** What upstream would log about the violation that stopped this parser, or null. */
    private String errorText;
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
                if (nl < 0) return needMore(in, afterOp, end - start);
                in.readerIndex(nl + 1);
                if (op == Op.PING) handler.onPing();
                else if (op == Op.PONG) handler.onPong();
                return true;
            }
            case ERR -> {
                int nl = in.indexOf(afterOp, end, (byte) '\n');
                if (nl < 0) return needMore(in, afterOp, end - start);
                int from = ControlLine.skipBlanks(in, afterOp, nl);
                String text = "Client Error " + in.toString(from, ControlLine.trimCr(in, from, nl) - from, StandardCharsets.UTF_8);
                in.readerIndex(nl + 1);
                return violation(ProtocolViolation.CLIENT_ERROR, text);
            }
            case CONNECT, INFO -> {
                // Upstream bounds a client's CONNECT by max_control_line like any other line.
                int limit = op == Op.CONNECT ? maxControlLine : MAX_CONNECT_LINE;
                int argFrom = ControlLine.skipBlanks(in, afterOp, end);
                int nl = ControlLine.lineEnd(in, argFrom, end, limit);
                if (nl == NEED_MORE) return false;
                if (nl == TOO_LONG) return tooLong(in, argFrom);
                int argTo = ControlLine.trimCr(in, argFrom, nl);
                in.readerIndex(nl + 1);
                if (op == Op.CONNECT) handler.onConnect(in.slice(argFrom, argTo - argFrom));
                else handler.onInfo(in.slice(argFrom, argTo - argFrom));
                return true;
            }
            default -> {
                int argFrom = ControlLine.argsStart(in, afterOp, end);
                if (argFrom == NEED_MORE) return false;
                if (argFrom == INVALID) {
                    return violation(ProtocolViolation.UNKNOWN_OPERATION,
                            ParseErrors.parserError(in, ParseErrors.nameState(opName, opName.length()), afterOp, readStart));
                }
                int nl = ControlLine.lineEnd(in, argFrom, end, maxControlLine);
                if (nl == NEED_MORE) return false;
                if (nl == TOO_LONG) return tooLong(in, argFrom);
                // upstream splits SUB and UNSUB arguments on CR too, PUB and HPUB on spaces and tabs only
                boolean crIsBlank = op == Op.SUB || op == Op.UNSUB;
                int argTo = ControlLine.trimCr(in, argFrom, nl);
                int n = args.split(in, argFrom, argTo, MAX_ARGS, crIsBlank);
                return switch (op) {
                    case PUB, HPUB -> publishLine(in, op == Op.HPUB, n, start, nl + 1, argFrom, argTo);
                    case SUB -> subscribeLine(in, n, nl + 1, argFrom, argTo);
                    default -> unsubscribeLine(in, n, nl + 1, argFrom, argTo);
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
                else { unknownOperation(in, 29, start + 1); return null; }
            }
            case 'H' -> {
                if (!headersAllowed) { violation(ProtocolViolation.HEADERS_NOT_SUPPORTED, "message headers not supported"); return null; }
                op = Op.HPUB; name = "HPUB";
            }
            case 'S' -> { op = Op.SUB; name = "SUB"; }
            case 'U' -> { op = Op.UNSUB; name = "UNSUB"; }
            case 'C' -> { op = Op.CONNECT; name = "CONNECT"; }
            case 'I' -> { op = Op.INFO; name = "INFO"; }
            case '+' -> { op = Op.OK; name = "+OK"; }
            case '-' -> { op = Op.ERR; name = "-ERR"; }
            default -> { unknownOperation(in, ParseErrors.OP_START, start); return null; }
        }
        int after = ControlLine.matchName(in, start, end, name);
        if (after == NEED_MORE) return null;
        if (after == INVALID) {
            int k = 1;
            while (ControlLine.upper(in.getByte(start + k)) == name.charAt(k)) k++;
            unknownOperation(in, ParseErrors.nameState(name, k), start + k);
            return null;
        }
        opName = name;
        scanPos = after;
        return op;
    }

    private void unknownOperation(ByteBuf in, int state, int at) {
        violation(ProtocolViolation.UNKNOWN_OPERATION, ParseErrors.parserError(in, state, at, readStart));
    }

    private boolean tooLong(ByteBuf in, int argFrom) {
        return violation(ProtocolViolation.MAX_CONTROL_LINE,
                ParseErrors.controlLine(in, ParseErrors.argState(opName), maxControlLine, argFrom));
    }

    private boolean publishLine(ByteBuf in, boolean withHeaders, int n, int frameStart, int dataStart, int argFrom, int argTo) {
        int minArgs = withHeaders ? 3 : 2;
        String what = withHeaders ? "processHeaderPub" : "processPub";
        if (n < minArgs || n > minArgs + 1) return badArguments(in, what + " Parse Error", argFrom, argTo);
        boolean hasReply = n == minArgs + 1;
        int total = args.size(in, n - 1);
        int header = -1;
        if (withHeaders) {
            header = args.size(in, n - 2);
            if (header < 0) return badArguments(in, what + " Bad or Missing Header Size", argFrom, argTo);
        }
        if (total < 0) return badArguments(in, what + " Bad or Missing Size", argFrom, argTo);
        if (header > total) return badArguments(in, what + " Header Size larger then TotalSize", argFrom, argTo);
        if (total > maxPayload) return violation(ProtocolViolation.MAX_PAYLOAD, ParseErrors.maxPayload(total, maxPayload));
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
        int at = dataStart + pendingTotal;
        int next = ControlLine.crlfAfterPayload(in, at, in.writerIndex());
        if (next == NEED_MORE) return false;
        if (next == INVALID) {
            boolean cr = in.getByte(at) == '\r';
            unknownOperation(in, cr ? ParseErrors.MSG_END_N : ParseErrors.MSG_END_R, cr ? at + 1 : at);
            return false;
        }
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

    private boolean subscribeLine(ByteBuf in, int n, int next, int argFrom, int argTo) {
        if (n < 2 || n > 3) return badArguments(in, "processSub Parse Error", argFrom, argTo);
        String subject = args.string(in, 0);
        String queue = n == 3 ? args.string(in, 1) : null;
        String sid = args.string(in, n - 1);
        in.readerIndex(next);
        handler.onSubscribe(subject, queue, sid);
        return true;
    }

    private boolean unsubscribeLine(ByteBuf in, int n, int next, int argFrom, int argTo) {
        if (n < 1 || n > 2) return badArguments(in, "processUnsub Parse Error", argFrom, argTo);
        String sid = args.string(in, 0);
        long max = n == 2 ? args.size(in, 1) : -1;
        in.readerIndex(next);
        handler.onUnsubscribe(sid, max);
        return true;
    }

    private boolean needMore(ByteBuf in, int argFrom, int pending) {
        if (pending > maxControlLine) return tooLong(in, argFrom);
        return false;
    }

    private boolean badArguments(ByteBuf in, String what, int argFrom, int argTo) {
        return violation(ProtocolViolation.BAD_ARGUMENTS, ParseErrors.arguments(what, in, argFrom, argTo));
    }

    private boolean violation(ProtocolViolation v, String text) {
        stopped = true;
        errorText = text;
        handler.onViolation(v);
        return false;
    }

    /** What upstream logs about the violation that stopped this parser (null before one). */
    public String errorText() {
        return errorText;
    }
}
