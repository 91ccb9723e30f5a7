package io.jnatsd.protocol.client;

import io.jnatsd.protocol.wire.GoQuote;
import io.netty.buffer.ByteBuf;

/**
 * The texts upstream logs (at error level, after the client's address and cid) when it closes a
 * client for what it sent, built only when that happens. Upstream's parser names the state it was
 * in by number; the numbers here are those of its state enum (2.9.10), for the operation names and
 * argument states this parser distinguishes.
 */
final class ParseErrors {
    static final int OP_START = 0;
    static final int CONNECT_ARG = 17;
    static final int HPUB_ARG = 23;
    static final int PUB_ARG = 33;
    static final int MSG_END_R = 41;
    static final int MSG_END_N = 42;
    static final int SUB_ARG = 47;
    static final int UNSUB_ARG = 65;
    static final int INFO_ARG = 75;
    /** Upstream's snippet lengths. */
    private static final int PROTO_SNIPPET = 32;
    private static final int CONTROL_LINE_SNIPPET = 128;

    private ParseErrors() {}

    /**
     * The state upstream is in after matching {@code matched} (at least 1) bytes of an
     * operation's name: OP_P, OP_PU, OP_PUB and so on.
     */
    static int nameState(String name, int matched) {
        int base = switch (name) {
            case "+OK" -> 1;
            case "-ERR" -> 4;
            case "CONNECT" -> 10;
            case "HPUB" -> 18;
            case "PUB" -> 29;
            case "PING" -> 33;
            case "PONG" -> 36;
            case "SUB" -> 43;
            case "UNSUB" -> 59;
            case "INFO" -> 71;
            default -> 0;
        };
        // PUB, PING and PONG share OP_P
        if (name.charAt(0) == 'P' && matched == 1) return 29;
        return base + matched - 1;
    }

    /** The argument state of an operation whose line is too long. */
    static int argState(String name) {
        return switch (name) {
            case "CONNECT" -> CONNECT_ARG;
            case "HPUB" -> HPUB_ARG;
            case "PUB" -> PUB_ARG;
            case "SUB" -> SUB_ARG;
            case "UNSUB" -> UNSUB_ARG;
            case "INFO" -> INFO_ARG;
            default -> nameState(name, name.length());
        };
    }

    /** Upstream's parseErr: the state, the index in the read and the next bytes from there. */
    static String parserError(ByteBuf in, int state, int at, int readStart) {
        return "Client parser ERROR, state=" + state + ", i=" + (at - readStart) + ": proto='"
                + snippet(in, at, PROTO_SNIPPET) + "...'";
    }

    static String controlLine(ByteBuf in, int state, int maxControlLine, int argFrom) {
        return "maximum control line exceeded: State " + state + ", max_control_line " + maxControlLine
                + ", Buffer len 0 (snip: " + snippet(in, argFrom, CONTROL_LINE_SNIPPET) + "...)";
    }

    /** {@code %q} of up to {@code max} bytes from {@code at}, short by one when fewer remain, as upstream's protoSnippet. */
    private static String snippet(ByteBuf in, int at, int max) {
        int end = in.writerIndex();
        if (at >= end) return "\"\"";
        int stop = at + max > end ? end - 1 : at + max;
        return GoQuote.quote(in, at, stop);
    }

    /** processPub / processHeaderPub / processSub / processUnsub errors: {@code what} and the quoted argument. */
    static String arguments(String what, ByteBuf in, int argFrom, int argTo) {
        return what + ": " + GoQuote.quote(in, argFrom, argTo);
    }

    static String maxPayload(int size, int max) {
        return "maximum payload exceeded: " + size + " vs " + max;
    }
}
