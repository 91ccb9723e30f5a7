package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;

/**
 * Benchmark support living in the protocol's package (the bench jar runs on the class path):
 * gives the benchmarks an {@link InboundMessage} that stays valid after the parser callback,
 * so {@link MessageWriter} can be measured alone. Not for use outside benchmarks.
 */
public final class BenchMessages {
    private BenchMessages() {}

    /**
     * Parses one complete PUB or HPUB frame and returns a copy of the message the parser
     * handed over, pointing into {@code frame}, which must stay unchanged while it is used.
     */
    public static InboundMessage parseOne(ByteBuf frame) {
        InboundMessage[] out = new InboundMessage[1];
        ClientParser parser = new ClientParser(new ClientOpHandler() {
            @Override public void onConnect(ByteBuf json) {}

            @Override
            public void onPublish(InboundMessage m) {
                InboundMessage c = new InboundMessage();
                c.subject = m.subject;
                c.buffer = m.buffer;
                c.subjectStart = m.subjectStart;
                c.subjectLength = m.subjectLength;
                c.replyStart = m.replyStart;
                c.replyLength = m.replyLength;
                c.headerLength = m.headerLength;
                c.totalLength = m.totalLength;
                c.dataStart = m.dataStart;
                out[0] = c;
            }

            @Override public void onSubscribe(String subject, String queue, String sid) {}

            @Override public void onUnsubscribe(String sid, long max) {}

            @Override public void onPing() {}

            @Override public void onPong() {}

            @Override
            public void onViolation(ProtocolViolation violation) {
                throw new IllegalArgumentException("not a valid frame: " + violation);
            }
        }, 4096, 64 * 1024 * 1024);
        parser.setHeadersAllowed(true);
        parser.parse(frame);
        if (out[0] == null) throw new IllegalArgumentException("no complete PUB or HPUB frame");
        return out[0];
    }
}
