package io.jnatsd.protocol.client;

/**
 * The parts of a MSG/HMSG line that every receiver of one message shares — the subject, and
 * what follows the sid (reply and sizes) — built once per message into a reused array, so a
 * fan-out to many subscribers encodes them once and copies them from the heap.
 */
final class FrameParts {
    byte[] bytes = new byte[128];
    int subjectLength;
    int msgTailStart;
    int msgTailLength;
    int hmsgTailStart;
    int hmsgTailLength;
    boolean built;

    private int pos;

    void build(InboundMessage m) {
        pos = 0;
        byte[] subject = m.subjectBytesOrNull();
        if (subject != null) put(subject, 0, subject.length);
        else {
            ensure(m.subjectLength);
            m.buffer.getBytes(m.subjectStart, bytes, 0, m.subjectLength);
            pos = m.subjectLength;
        }
        subjectLength = pos;
        msgTailStart = pos;
        tail(m);
        putDecimal(m.payloadLength());
        crlf();
        msgTailLength = pos - msgTailStart;
        hmsgTailStart = pos;
        if (m.hasHeaders()) {
            tail(m);
            putDecimal(m.headerLength());
            putByte(' ');
            putDecimal(m.totalLength());
            crlf();
        }
        hmsgTailLength = pos - hmsgTailStart;
        built = true;
    }

    /** " reply " or " ". */
    private void tail(InboundMessage m) {
        putByte(' ');
        if (m.hasReply()) {
            byte[] reply = m.replyBytesOrNull();
            if (reply != null) put(reply, 0, reply.length);
            else {
                ensure(m.replyLength);
                m.buffer.getBytes(m.replyStart, bytes, pos, m.replyLength);
                pos += m.replyLength;
            }
            putByte(' ');
        }
    }

    private void crlf() {
        putByte('\r');
        putByte('\n');
    }

    private void putDecimal(int v) {
        ensure(11);
        if (v == 0) {
            bytes[pos++] = '0';
            return;
        }
        int digits = 0;
        for (int t = v; t > 0; t /= 10) digits++;
        for (int i = digits - 1; i >= 0; i--) {
            bytes[pos + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        pos += digits;
    }

    private void putByte(int b) {
        ensure(1);
        bytes[pos++] = (byte) b;
    }

    private void put(byte[] src, int from, int len) {
        ensure(len);
        System.arraycopy(src, from, bytes, pos, len);
        pos += len;
    }

    private void ensure(int more) {
        if (pos + more > bytes.length) bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, pos + more));
    }
}
