package io.jnatsd.server.client;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.MsgTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Whether a client's message is traced (upstream's initMsgTrace for a client): {@code trace} is
 * its trace or null, and {@code skip} says the message must not be processed at all (a
 * trace-only message that cannot be traced, or whose destination the client may not publish to).
 */
record TraceStart(MsgTrace trace, boolean skip) {
    static final TraceStart NONE = new TraceStart(null, false);
    private static final TraceStart SKIP = new TraceStart(null, true);
    /** Made by an older upstream that traced across accounts; its presence turns tracing off. */
    private static final String ORIGIN_ACCOUNT = "Nats-Trace-Origin-Account";
    private static final ByteBuf DEST_NAME = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(MsgTrace.DEST.getBytes(StandardCharsets.US_ASCII)));

    /** The connection's side of the checks: who publishes, and whether it may publish to the destination. */
    interface Publisher {
        Account account();

        long cid();

        String clientName();

        boolean canPublishTo(String subject);

        /** Refuses the destination as upstream does (-ERR and a log line). */
        void destinationRefused(String dest);

        void log(String error);
    }

    static TraceStart of(InboundMessage msg, Publisher p) {
        ByteBuf block = msg.headers();
        // the common case (headers, no trace) copies nothing
        if (ByteBufUtil.indexOf(DEST_NAME, block) < 0) return NONE;
        Map<String, List<String>> headers = MsgTrace.headers(ByteBufUtil.getBytes(block));
        if (headers == null) return NONE;
        boolean only = MsgTrace.traceOnly(first(headers, MsgTrace.ONLY));
        String dest = first(headers, MsgTrace.DEST);
        TraceStart untraced = only ? SKIP : NONE;
        String origin = first(headers, ORIGIN_ACCOUNT);
        if (origin != null) {
            p.log("Message tracing disabled because of header \"" + ORIGIN_ACCOUNT + "\" with value=\"" + origin + "\"");
            return untraced;
        }
        if (!Subjects.isValidPublishSubject(dest)) {
            p.log("Destination \"" + dest + "\" is not valid, won't be able to trace events");
            return untraced;
        }
        if (dest.startsWith("_GR_.") || !p.canPublishTo(dest)) {
            p.destinationRefused(dest);
            return SKIP;
        }
        return new TraceStart(new MsgTrace(p.account(), dest, only, headers, msg.totalLength(), ConnectionKind.CLIENT,
                p.cid(), p.clientName(), msg.subject()), false);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
