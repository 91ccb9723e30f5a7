package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;

/**
 * Encodes MSG and HMSG frames straight into an outbound buffer, copying the subject and
 * reply bytes from the publisher's read buffer, so a delivery allocates nothing.
 */
public final class MessageWriter {
    private static final byte[] MSG = {'M', 'S', 'G', ' '};
    private static final byte[] HMSG = {'H', 'M', 'S', 'G', ' '};
    private static final short CRLF = ('\r' << 8) | '\n';

    private MessageWriter() {}

    /**
     * Writes {@code msg} for subscription {@code sid}: HMSG with headers when the message has
     * them and the receiver supports them, else MSG with the payload only (as upstream strips
     * headers for receivers that did not ask for them).
     */
    public static int write(ByteBuf out, InboundMessage msg, byte[] sid, boolean receiverHeaders) {
        FrameParts p = msg.frameParts();
        boolean hmsg = receiverHeaders && msg.hasHeaders();
        int tailStart = hmsg ? p.hmsgTailStart : p.msgTailStart;
        int tailLength = hmsg ? p.hmsgTailLength : p.msgTailLength;
        int body = hmsg ? msg.totalLength() : msg.payloadLength();
        int length = (hmsg ? HMSG.length : MSG.length) + p.subjectLength + 1 + sid.length + tailLength + body + 2;
        out.ensureWritable(length);
        out.writeBytes(hmsg ? HMSG : MSG);
        out.writeBytes(p.bytes, 0, p.subjectLength);
        out.writeByte(' ');
        out.writeBytes(sid);
        out.writeBytes(p.bytes, tailStart, tailLength);
        if (hmsg) msg.writeAll(out);
        else msg.writePayload(out);
        out.writeShort(CRLF);
        return length;
    }

    /** Writes a non-negative int in ASCII decimal without building a String. */
    public static void writeDecimal(ByteBuf out, int v) {
        if (v < 10) {
            out.writeByte('0' + v);
            return;
        }
        int digits = 1;
        for (int t = v / 10; t > 0; t /= 10) digits++;
        int pos = out.writerIndex() + digits;
        out.ensureWritable(digits);
        for (int i = 1; i <= digits; i++) {
            out.setByte(pos - i, '0' + v % 10);
            v /= 10;
        }
        out.writerIndex(pos);
    }
}
