package io.jnatsd.protocol.route;

import static io.jnatsd.protocol.wire.ControlLine.INVALID;
import static io.jnatsd.protocol.wire.ControlLine.NEED_MORE;
import static io.jnatsd.protocol.wire.ControlLine.TOO_LONG;

import io.jnatsd.protocol.client.ProtocolViolation;
import io.jnatsd.protocol.wire.Args;
import io.jnatsd.protocol.wire.ControlLine;
import io.jnatsd.protocol.wire.SubjectInterner;
import io.jnatsd.protocol.wire.FrameParser;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The route (server-to-server) protocol parser: what one server of a cluster reads from
 * another, as nats-server 2.9.10 speaks it (server/parser.go, server/route.go).
 *
 * <p>The dialect, line by line (names case-insensitive, arguments separated by runs of spaces
 * and tabs, lines ended by CRLF or a bare LF):
 * <ul>
 * <li>{@code INFO <json>}, {@code CONNECT <json>}, {@code PING}, {@code PONG}, {@code +OK},
 *     {@code -ERR <text>}.
 * <li>{@code RS+ <account> <subject> [<queue> <weight>]} and {@code RS- <account> <subject>
 *     [<queue>]}: interest the peer's clients have. The weight is the peer's number of queue
 *     members, a positive decimal.
 * <li>{@code LS+ <origin> <account> <subject> [<queue> <weight>]} and {@code LS- <account>
 *     <subject> [<queue>]}: interest a leaf node of the peer has (no origin on LS-, as
 *     upstream).
 * <li>{@code RMSG <account> <subject> [<reply>] <size>}, {@code HMSG <account> <subject>
 *     [<reply>] <hdr> <total>} and {@code LMSG <origin> <account> <subject> [<reply>] <hdr>
 *     <total>} (a message that came from a leaf, always with header sizes), each followed by
 *     the payload and CRLF. When the sender picked this server for queue groups, the reply
 *     slot holds an indicator, {@code +} (a reply follows) or {@code |} (none), and the queue
 *     names come before the sizes: {@code RMSG acc subj + reply q1 q2 5}, {@code RMSG acc
 *     subj | q1 5}. Which form a line has follows from its argument count alone, as upstream
 *     decides it. A header size of 0 means no headers, as upstream reads it.
 * </ul>
 *
 * <p>On a route pinned to one account (upstream 2.10's {@code accounts} in {@code cluster {}},
 * see {@link #pinAccount}) every line leaves the account out: {@code RS+ <subject> ...},
 * {@code RMSG <subject> ...}, {@code LMSG <origin> <subject> ...}.
 *
 * <p>Like the client parser, a frame is consumed only once complete, so a split at any byte
 * just means calling again with more; a message whose payload is still arriving is remembered
 * by argument positions plus how far the frame moved, so the caller may compact the buffer in
 * between. Account, subject and queue names come from per-connection interners and the
 * payload stays in the read buffer, so the message path allocates nothing once names repeat.
 *
 * <p>Where this is stricter than upstream, which silently ignores or misreads them: PUB,
 * HPUB, SUB, UNSUB and A+/A- are unknown operations on a route, and a queue weight must be a
 * positive number. Upstream applies no control line limit to routes; here one line is bounded
 * (1 MiB unless set), counted from the operation name, only so memory stays bounded.
 *
 * <p>The gateway dialect ({@link #forGateway}) is the route dialect plus {@code A+ <account>} and
 * {@code A- <account>} (the peer's interest in a whole account), without LS+, LS- or LMSG.
 *
 * <p>Violations stop the parser and are reported once: an unknown operation or a payload not
 * followed by CRLF as {@link ProtocolViolation#UNKNOWN_OPERATION} (upstream's -ERR for both),
 * a malformed argument list or size as {@link ProtocolViolation#BAD_ARGUMENTS} (upstream logs
 * and closes without -ERR), an oversized line or payload as
 * {@link ProtocolViolation#MAX_CONTROL_LINE} or {@link ProtocolViolation#MAX_PAYLOAD}.
 */
public final class RouteParser extends FrameParser {
    /** Generous: upstream's INFO lists every route URL, and it has no limit at all. */
    public static final int DEFAULT_MAX_CONTROL_LINE = 1024 * 1024;
    /** LS+ with a queue, the longest subscription line, has 5 arguments. */
    private static final int MAX_SUB_ARGS = 5;

    private enum Op {
        INFO("INFO", false), CONNECT("CONNECT", false), PING("PING", false), PONG("PONG", false),
        OK("+OK", false), ERR("-ERR", true), A_SUB("A+", true), A_UNSUB("A-", true),
        RS_SUB("RS+", true), RS_UNSUB("RS-", true), LS_SUB("LS+", true), LS_UNSUB("LS-", true),
        RMSG("RMSG", true), HMSG("HMSG", true), LMSG("LMSG", true);

        final String wire;
        /** Upstream wants a blank after the name; INFO's and CONNECT's JSON may follow at once. */
        final boolean takesArguments;

        Op(String wire, boolean takesArguments) {
            this.wire = wire;
            this.takesArguments = takesArguments;
        }
    }

    private final RouteOpHandler handler;
    /**
     * The leaf node dialect (upstream's LEAF connections): the account is the connection's, so
     * no line names one; {@code LS+ subject [queue weight]}, {@code LS- subject [queue]},
     * {@code LMSG subject [reply | + reply q.. | | q..] size} and HMSG likewise with a header
     * size; no RS+, RS- or RMSG.
     */
    private final boolean leafDialect;
    /** The gateway dialect: A+/A- as well, and no LS+, LS- or LMSG. */
    private boolean gatewayDialect;
    private final SubjectInterner subjects = new SubjectInterner();
    /** Accounts and origin clusters: a handful of names, repeated on every message. */
    private final SubjectInterner accounts = new SubjectInterner();
    private final SubjectInterner queueNames = new SubjectInterner();
    private final Args args = new Args(8);
    private final RoutedMessage routed = new RoutedMessage(args, queueNames);


    // A message whose control line is parsed but whose payload has not fully arrived. Its
    // arguments stay in args, at positions valid for a reader index of lineBase.
    private int lineBase;
    private int pendingHeaderLength;
    private int originArg;
    private int accountArg;
    private int subjectArg;
    /** The account of a pinned route, whose lines name none; null on any other route. */
    private String pinnedAccount;
    private int replyArg;
    private int firstQueueArg;
    private int queueCount;

    /** {@code maxPayload} bounds headers plus payload, as the server's max_payload does. */
    public RouteParser(RouteOpHandler handler, int maxPayload) {
        this(handler, maxPayload, DEFAULT_MAX_CONTROL_LINE);
    }

    public RouteParser(RouteOpHandler handler, int maxPayload, int maxControlLine) {
        this(handler, maxPayload, maxControlLine, false);
    }

    private RouteParser(RouteOpHandler handler, int maxPayload, int maxControlLine, boolean leafDialect) {
        super(maxControlLine, maxPayload);
        this.handler = handler;
        this.leafDialect = leafDialect;
    }

    /**
     * A parser of the leaf node dialect (see {@link #leafDialect}): the handler gets null for
     * every account and origin.
     */
    public static RouteParser forLeaf(RouteOpHandler handler, int maxPayload) {
        return new RouteParser(handler, maxPayload, DEFAULT_MAX_CONTROL_LINE, true);
    }

    /** A parser of the gateway dialect: the route's plus A+ and A-, without the leaf operations. */
    public static RouteParser forGateway(RouteOpHandler handler, int maxPayload) {
        RouteParser p = new RouteParser(handler, maxPayload, DEFAULT_MAX_CONTROL_LINE, false);
        p.gatewayDialect = true;
        return p;
    }

    /** From now on lines carry no account: they are all {@code account}'s. */
    public void pinAccount(String account) {
        this.pinnedAccount = account;
    }

    /** How many account arguments a line has: none on a pinned route or in the leaf dialect. */
    private int accountArgs() {
        return pinnedAccount == null && !leafDialect ? 1 : 0;
    }

    /** The line's account: the pinned one, none (null) in the leaf dialect, else argument {@code arg}. */
    private String account(ByteBuf in, int arg, int shift) {
        if (leafDialect) return null;
        return pinnedAccount != null ? pinnedAccount : intern(accounts, in, arg, shift);
    }

    @Override
    protected boolean parseFrame(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        Op op = recognize(in, start, end);
        if (op == null) return false; // need more bytes, or stopped
        int from = scanPos;
        if (op.takesArguments) {
            // Checked before the line ends: upstream rejects "RS+x" at the x.
            from = ControlLine.argsStart(in, from, end);
            if (from == INVALID) return violation(ProtocolViolation.UNKNOWN_OPERATION);
            if (from == NEED_MORE) return false;
        }
        // Measured from the frame start, not from the arguments, so that blanks count too: a
        // peer could otherwise make the buffer grow by sending them without end.
        int nl = ControlLine.lineEnd(in, start, end, maxControlLine);
        if (nl == NEED_MORE) return false;
        if (nl == TOO_LONG) return violation(ProtocolViolation.MAX_CONTROL_LINE);
        return switch (op) {
            case PING, PONG, OK -> bareLine(in, op, nl);
            case INFO, CONNECT -> jsonLine(in, op, from, nl);
            default -> argumentLine(in, op, from, nl);
        };
    }

    /**
     * Identifies the operation at {@code start} from as few bytes as upstream needs, so a
     * wrong byte is an error at once, before the line ends. Leaves the index after the name
     * in {@link #scanPos}. Returns null when more bytes are needed or parsing stopped.
     */
    private Op recognize(ByteBuf in, int start, int end) {
        Op op = candidate(in, start, end);
        if (op == null) return null;
        int after = ControlLine.matchName(in, start, end, op.wire);
        if (after == NEED_MORE) return null;
        if (after == INVALID) return unknown();
        scanPos = after;
        return op;
    }

    /** The one operation the first bytes allow; the rest of its name is checked after. */
    private Op candidate(ByteBuf in, int start, int end) {
        return switch (ControlLine.upper(in.getByte(start))) {
            case 'P' -> either(in, start + 1, end, 'I', Op.PING, 'O', Op.PONG);
            case 'R' -> leafDialect ? unknown() : subscriptionOrMessage(in, start, end, Op.RS_SUB, Op.RS_UNSUB, Op.RMSG);
            case 'L' -> gatewayDialect ? unknown() : subscriptionOrMessage(in, start, end, Op.LS_SUB, Op.LS_UNSUB, Op.LMSG);
            case 'A' -> gatewayDialect ? either(in, start + 1, end, '+', Op.A_SUB, '-', Op.A_UNSUB) : unknown();
            case 'H' -> Op.HMSG;
            case 'I' -> Op.INFO;
            case 'C' -> Op.CONNECT;
            case '+' -> Op.OK;
            case '-' -> Op.ERR;
            default -> unknown();
        };
    }

    /** RS+/RS-/RMSG, or LS+/LS-/LMSG, told apart by the second and third bytes. */
    private Op subscriptionOrMessage(ByteBuf in, int start, int end, Op subscribe, Op unsubscribe, Op message) {
        if (start + 1 >= end) return null;
        int c1 = ControlLine.upper(in.getByte(start + 1));
        if (c1 == 'M') return message;
        if (c1 != 'S') return unknown();
        return either(in, start + 2, end, '+', subscribe, '-', unsubscribe);
    }

    private Op either(ByteBuf in, int at, int end, char a, Op opA, char b, Op opB) {
        if (at >= end) return null;
        int c = ControlLine.upper(in.getByte(at));
        if (c == a) return opA;
        if (c == b) return opB;
        return unknown();
    }

    private Op unknown() {
        violation(ProtocolViolation.UNKNOWN_OPERATION);
        return null;
    }

    /** PING, PONG, +OK: like upstream, whatever follows the name on the line is ignored. */
    private boolean bareLine(ByteBuf in, Op op, int nl) {
        in.readerIndex(nl + 1);
        if (op == Op.PING) handler.onPing();
        else if (op == Op.PONG) handler.onPong();
        else handler.onOk();
        return true;
    }

    /** INFO, CONNECT: the argument is the rest of the line, blanks after the name skipped. */
    private boolean jsonLine(ByteBuf in, Op op, int afterOp, int nl) {
        int from = ControlLine.skipBlanks(in, afterOp, nl);
        int to = ControlLine.trimCr(in, from, nl);
        in.readerIndex(nl + 1);
        ByteBuf json = in.slice(from, to - from);
        if (op == Op.INFO) handler.onInfo(json);
        else handler.onConnect(json);
        return true;
    }

    /** The operations whose arguments start at {@code from}, after the blank their name needs. */
    private boolean argumentLine(ByteBuf in, Op op, int from, int nl) {
        int to = ControlLine.trimCr(in, from, nl);
        return switch (op) {
            case ERR -> errLine(in, from, to, nl + 1);
            case A_SUB, A_UNSUB -> accountLine(in, op == Op.A_SUB, from, to, nl + 1);
            case RS_SUB, LS_SUB -> subscribeLine(in, op == Op.LS_SUB, from, to, nl + 1);
            case RS_UNSUB, LS_UNSUB -> unsubscribeLine(in, op == Op.LS_UNSUB, from, to, nl + 1);
            default -> messageLine(in, op, from, to, nl + 1);
        };
    }

    private boolean errLine(ByteBuf in, int from, int to, int next) {
        if (to - from >= 2 && in.getByte(from) == '\'' && in.getByte(to - 1) == '\'') {
            from++;
            to--;
        }
        String text = in.toString(from, to - from, StandardCharsets.UTF_8);
        in.readerIndex(next);
        handler.onErr(text);
        return true;
    }

    /** A+ / A-: one account. */
    private boolean accountLine(ByteBuf in, boolean interested, int from, int to, int next) {
        int n = args.split(in, from, to, 2);
        if (n != 1) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String account = intern(accounts, in, 0, 0);
        in.readerIndex(next);
        handler.onAccountInterest(account, interested);
        return true;
    }

    /** RS+ / LS+: {@code [origin] [account] subject [queue weight]}, as the dialect has them. */
    private boolean subscribeLine(ByteBuf in, boolean leaf, int from, int to, int next) {
        int n = args.split(in, from, to, MAX_SUB_ARGS);
        int origins = leaf && !leafDialect ? 1 : 0;
        int off = origins + accountArgs();
        if (n != 1 + off && n != 3 + off) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String queue = null;
        int weight = 0;
        if (n == 3 + off) {
            weight = args.size(in, 2 + off);
            if (weight < 1) return violation(ProtocolViolation.BAD_ARGUMENTS);
            queue = intern(queueNames, in, 1 + off, 0);
        }
        String origin = origins == 1 ? intern(accounts, in, 0, 0) : null;
        String account = account(in, origins, 0);
        String subject = args.string(in, off);
        in.readerIndex(next);
        handler.onRemoteSubscribe(account, subject, queue, weight, origin);
        return true;
    }

    /** RS- / LS-: {@code [account] subject [queue]}. */
    private boolean unsubscribeLine(ByteBuf in, boolean leaf, int from, int to, int next) {
        int n = args.split(in, from, to, MAX_SUB_ARGS);
        int off = accountArgs();
        if (n != 1 + off && n != 2 + off) return violation(ProtocolViolation.BAD_ARGUMENTS);
        String account = account(in, 0, 0);
        String subject = args.string(in, off);
        String queue = n == 2 + off ? intern(queueNames, in, 1 + off, 0) : null;
        in.readerIndex(next);
        handler.onRemoteUnsubscribe(account, subject, queue, leaf);
        return true;
    }

    /**
     * RMSG, HMSG, LMSG: {@code [origin] account subject}, then what the count of the
     * remaining arguments implies (nothing, a reply, or indicator, reply and queues), then one
     * or two sizes. Delivers at once when the payload is already in.
     */
    private boolean messageLine(ByteBuf in, Op op, int from, int to, int next) {
        int n = args.split(in, from, to, Integer.MAX_VALUE);
        int lead = op == Op.LMSG && !leafDialect ? 1 : 0;
        int sizes = op == Op.RMSG || (op == Op.LMSG && leafDialect) ? 1 : 2;
        int address = accountArgs() + 1;
        int middle = n - lead - address - sizes;
        if (middle < 0 || !layout(in, lead + address, middle)) return violation(ProtocolViolation.BAD_ARGUMENTS);
        int total = args.size(in, n - 1);
        int header = sizes == 2 ? args.size(in, n - 2) : -1;
        if (total < 0 || (sizes == 2 && (header < 0 || header > total))) {
            return violation(ProtocolViolation.BAD_ARGUMENTS);
        }
        if (total > maxPayload) return violation(ProtocolViolation.MAX_PAYLOAD);
        originArg = lead - 1;
        accountArg = lead;
        subjectArg = lead + address - 1;
        // Upstream reads a header size of 0 as no headers (LMSG always carries one, 0 for a
        // message without); a client would get an empty header block otherwise.
        pendingHeaderLength = header > 0 ? header : -1;
        pendingTotal = total;
        lineBase = in.readerIndex();
        pendingDataOffset = next - lineBase;
        awaitingPayload = true;
        return completePayload(in);
    }

    /**
     * Reads the {@code middle} arguments between subject and sizes, from {@code at}: none, a
     * reply, or a one-byte indicator ({@code +} reply follows, {@code |} none) and then queue
     * names. False when the indicator is anything else.
     */
    private boolean layout(ByteBuf in, int at, int middle) {
        replyArg = -1;
        queueCount = 0;
        if (middle == 1) {
            replyArg = at;
        } else if (middle >= 2) {
            if (args.is(in, at, '+')) {
                replyArg = at + 1;
                firstQueueArg = at + 2;
                queueCount = middle - 2;
            } else if (args.is(in, at, '|')) {
                firstQueueArg = at + 1;
                queueCount = middle - 1;
            } else {
                return false;
            }
        }
        return true;
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
        fill(in, frameStart - lineBase, dataStart);
        in.readerIndex(next);
        handler.onRoutedMessage(routed);
        routed.clear();
        return true;
    }

    /** Points the reused message at the frame; {@code shift}: how far it moved since its line was split. */
    private void fill(ByteBuf in, int shift, int dataStart) {
        int subjectStart = args.start(subjectArg) + shift;
        int subjectLength = args.length(subjectArg);
        int replyStart = replyArg < 0 ? 0 : args.start(replyArg) + shift;
        int replyLength = replyArg < 0 ? 0 : args.length(replyArg);
        routed.account = account(in, accountArg, shift);
        routed.origin = originArg < 0 ? null : intern(accounts, in, originArg, shift);
        routed.setQueues(in, firstQueueArg, queueCount, shift);
        routed.message().setFrame(in, subjects.intern(in, subjectStart, subjectLength), subjectStart, subjectLength,
                replyStart, replyLength, pendingHeaderLength, pendingTotal, dataStart);
    }

    private String intern(SubjectInterner interner, ByteBuf in, int arg, int shift) {
        return interner.intern(in, args.start(arg) + shift, args.length(arg));
    }

    private boolean violation(ProtocolViolation v) {
        stopped = true;
        handler.onViolation(v);
        return false;
    }
}
