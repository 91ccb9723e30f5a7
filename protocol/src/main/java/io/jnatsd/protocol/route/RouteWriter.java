package io.jnatsd.protocol.route;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.MessageWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Encodes what a server sends to a route, in the dialect {@link RouteParser} reads: messages
 * (RMSG, HMSG, LMSG) straight into the outbound buffer with subject and reply copied from the
 * message (its read buffer, or the bytes of a rewritten subject), and interest changes (RS+,
 * RS-, LS+, LS-). Nothing is allocated: names given as Strings are encoded in place.
 *
 * <p>The subject written is the one the message is matched on
 * ({@link InboundMessage#writeRoutingSubject}), since the peer matches it against its own
 * subscriptions; only a JetStream delivery shows its clients another one.
 */
public final class RouteWriter {
    private static final byte[] RMSG = {'R', 'M', 'S', 'G', ' '};
    private static final byte[] HMSG = {'H', 'M', 'S', 'G', ' '};
    private static final byte[] LMSG = {'L', 'M', 'S', 'G', ' '};
    private static final byte[] RS_SUB = {'R', 'S', '+', ' '};
    private static final byte[] RS_UNSUB = {'R', 'S', '-', ' '};
    private static final byte[] LS_SUB = {'L', 'S', '+', ' '};
    private static final byte[] LS_UNSUB = {'L', 'S', '-', ' '};
    private static final short CRLF = ('\r' << 8) | '\n';
    /** Room for the operation, blanks, sizes and CRLFs, so one ensureWritable covers most frames. */
    private static final int FRAME_OVERHEAD = 64;

    private RouteWriter() {}

    /**
     * Writes {@code msg} of {@code account} for a route: {@code RMSG acc subj [reply] size}
     * with the payload, or, when the peer supports headers ({@code headers}) and the message
     * has some, {@code HMSG acc subj [reply] hdr total} with headers and payload. A peer
     * without header support gets RMSG with the payload only, as upstream strips headers for
     * it. With queue groups ({@code queues[0..queueCount)}, the groups the peer is to deliver
     * to), the reply slot carries the indicator: {@code + reply q1 q2} or {@code | q1 q2}.
     * Returns the number of bytes written. A null {@code account} is left out, as on a route
     * pinned to one account (upstream 2.10), where every line is that account's.
     */
    public static int writeMessage(ByteBuf out, byte[] account, InboundMessage msg,
                                   byte[][] queues, int queueCount, boolean headers) {
        int start = out.writerIndex();
        boolean hmsg = headers && msg.headerLength() > 0;
        int body = hmsg ? msg.totalLength() : msg.payloadLength();
        out.ensureWritable(FRAME_OVERHEAD + (account == null ? 0 : account.length) + body);
        out.writeBytes(hmsg ? HMSG : RMSG);
        address(out, account, msg, queues, queueCount);
        if (hmsg) headerSizes(out, msg.headerLength(), msg.totalLength());
        else MessageWriter.writeDecimal(out, body);
        body(out, msg, hmsg);
        return out.writerIndex() - start;
    }

    /**
     * Writes a message that entered the cluster from a leaf node of cluster {@code origin}:
     * {@code LMSG origin acc subj [reply | + reply q.. | | q..] hdr total}, always with a
     * header size (0 for a message without headers), so the peer must support headers, as
     * upstream only sends LMSG to routes that announced it. Returns the number of bytes written.
     */
    public static int writeLeafOriginMessage(ByteBuf out, byte[] origin, byte[] account, InboundMessage msg,
                                             byte[][] queues, int queueCount) {
        int start = out.writerIndex();
        out.ensureWritable(FRAME_OVERHEAD + origin.length + (account == null ? 0 : account.length) + msg.totalLength());
        out.writeBytes(LMSG);
        out.writeBytes(origin);
        out.writeByte(' ');
        address(out, account, msg, queues, queueCount);
        headerSizes(out, Math.max(msg.headerLength(), 0), msg.totalLength());
        body(out, msg, true);
        return out.writerIndex() - start;
    }

    /**
     * A message for a leaf node connection, whose account is the connection's: {@code LMSG subj
     * [reply | + reply q.. | | q..] size} with the payload, or, when the peer supports headers
     * and the message has some, {@code HMSG subj [...] hdr total} (upstream's leaf dialect).
     * Returns the number of bytes written.
     */
    public static int writeLeafMessage(ByteBuf out, InboundMessage msg, byte[][] queues, int queueCount,
                                       boolean headers) {
        int start = out.writerIndex();
        boolean hmsg = headers && msg.headerLength() > 0;
        int body = hmsg ? msg.totalLength() : msg.payloadLength();
        out.ensureWritable(FRAME_OVERHEAD + body);
        out.writeBytes(hmsg ? HMSG : LMSG);
        address(out, null, msg, queues, queueCount);
        if (hmsg) headerSizes(out, msg.headerLength(), msg.totalLength());
        else MessageWriter.writeDecimal(out, body);
        body(out, msg, hmsg);
        return out.writerIndex() - start;
    }

    /**
     * {@code LS+ subj\r\n} or {@code LS+ subj queue weight\r\n} on a leaf node connection
     * (no origin, no account: the connection's).
     */
    public static void writeLeafNodeSubscribe(ByteBuf out, String subject, String queue, int weight) {
        checkWeight(queue, weight);
        out.writeBytes(LS_SUB);
        interest(out, null, subject, queue, weight);
    }

    /** {@code LS- subj [queue]\r\n} on a leaf node connection. */
    public static void writeLeafNodeUnsubscribe(ByteBuf out, String subject, String queue) {
        out.writeBytes(LS_UNSUB);
        interest(out, null, subject, queue, 0);
    }

    /**
     * {@code RS+ acc subj\r\n}, or {@code RS+ acc subj queue weight\r\n} for a queue, whose
     * weight (this server's member count) must be at least 1: upstream writes no digits for 0,
     * and every parser, this one and upstream's, rejects the line then. Send RS- instead.
     */
    public static void writeSubscribe(ByteBuf out, String account, String subject, String queue, int weight) {
        checkWeight(queue, weight);
        out.writeBytes(RS_SUB);
        interest(out, account, subject, queue, weight);
    }

    /** {@code RS- acc subj [queue]\r\n}. */
    public static void writeUnsubscribe(ByteBuf out, String account, String subject, String queue) {
        out.writeBytes(RS_UNSUB);
        interest(out, account, subject, queue, 0);
    }

    /** {@code LS+ origin acc subj [queue weight]\r\n}: interest of a leaf node of cluster {@code origin}. */
    public static void writeLeafSubscribe(ByteBuf out, String origin, String account, String subject,
                                          String queue, int weight) {
        checkWeight(queue, weight);
        out.writeBytes(LS_SUB);
        ByteBufUtil.writeUtf8(out, origin);
        out.writeByte(' ');
        interest(out, account, subject, queue, weight);
    }

    /** {@code LS- acc subj [queue]\r\n} (no origin, as upstream). */
    public static void writeLeafUnsubscribe(ByteBuf out, String account, String subject, String queue) {
        out.writeBytes(LS_UNSUB);
        interest(out, account, subject, queue, 0);
    }

    /** {@code [acc ]subj }, then the reply and queue groups, each followed by a blank. */
    private static void address(ByteBuf out, byte[] account, InboundMessage msg, byte[][] queues, int queueCount) {
        if (account != null) {
            out.writeBytes(account);
            out.writeByte(' ');
        }
        msg.writeRoutingSubject(out);
        out.writeByte(' ');
        if (queueCount > 0) {
            if (msg.hasReply()) {
                out.writeByte('+');
                out.writeByte(' ');
                reply(out, msg);
            } else {
                out.writeByte('|');
            }
            out.writeByte(' ');
            for (int i = 0; i < queueCount; i++) {
                out.writeBytes(queues[i]);
                out.writeByte(' ');
            }
        } else if (msg.hasReply()) {
            reply(out, msg);
            out.writeByte(' ');
        }
    }

    /**
     * The reply; for a JetStream delivery (routed on its deliver subject, shown under the
     * subject it was stored with) followed by {@code @} and the shown subject, as upstream
     * carries it to the server of the consumer's client.
     */
    private static void reply(ByteBuf out, InboundMessage msg) {
        msg.writeReply(out);
        if (msg.shownUnderAnotherSubject()) {
            out.writeByte('@');
            msg.writeSubject(out);
        }
    }

    private static void headerSizes(ByteBuf out, int header, int total) {
        MessageWriter.writeDecimal(out, header);
        out.writeByte(' ');
        MessageWriter.writeDecimal(out, total);
    }

    /** Ends the control line, then headers and payload (or the payload alone) and CRLF. */
    private static void body(ByteBuf out, InboundMessage msg, boolean withHeaders) {
        out.writeShort(CRLF);
        if (withHeaders) msg.writeAll(out);
        else msg.writePayload(out);
        out.writeShort(CRLF);
    }

    private static void checkWeight(String queue, int weight) {
        if (queue != null && weight < 1) throw new IllegalArgumentException("queue weight must be positive: " + weight);
    }

    /**
     * {@code [acc ]subj [queue [weight]]\r\n}; {@code weight} 0 for an unsubscription, a null
     * {@code account} on a route pinned to it.
     */
    private static void interest(ByteBuf out, String account, String subject, String queue, int weight) {
        if (account != null) {
            ByteBufUtil.writeUtf8(out, account);
            out.writeByte(' ');
        }
        ByteBufUtil.writeUtf8(out, subject);
        if (queue != null) {
            out.writeByte(' ');
            ByteBufUtil.writeUtf8(out, queue);
            if (weight != 0) {
                out.writeByte(' ');
                MessageWriter.writeDecimal(out, weight);
            }
        }
        out.writeShort(CRLF);
    }
}
