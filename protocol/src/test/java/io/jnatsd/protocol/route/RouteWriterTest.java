package io.jnatsd.protocol.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jnatsd.protocol.client.ClientOpHandler;
import io.jnatsd.protocol.client.ClientParser;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What RouteWriter writes, RouteParser reads back to the same values. */
class RouteWriterTest {
    private static final byte[] ACCOUNT = bytes("$G");
    private static final byte[] HEADERS = bytes("NATS/1.0\r\nA: b\r\n\r\n");
    private static final byte[][] QUEUES = {bytes("q1"), bytes("workers"), bytes("q3"), bytes("unused")};

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ByteBuf out) {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> readBack(ByteBuf out) {
        RecordingRouteHandler h = new RecordingRouteHandler();
        RouteParser p = new RouteParser(h, 1024 * 1024);
        p.parse(out);
        assertEquals(0, out.readableBytes(), "all of it read");
        return h.ops;
    }

    /** The message the parser should report for {@code msg} written with these options. */
    private static String expected(InboundMessage msg, int queueCount, boolean headers) {
        boolean withHeaders = headers && msg.headerLength() > 0;
        List<String> q = new ArrayList<>();
        for (int i = 0; i < queueCount; i++) q.add(new String(QUEUES[i], StandardCharsets.UTF_8));
        return "MSG o=null a=$G s=" + msg.subject() + " r=" + msg.reply() + " q=" + q
                + " h=" + (withHeaders ? msg.headerLength() : -1)
                + " t=" + (withHeaders ? msg.totalLength() : msg.payloadLength())
                + " [" + (withHeaders ? text(msg.headers()) : "") + "] [" + text(msg.payload()) + "]";
    }

    private static void assertRoundTrip(InboundMessage msg) {
        for (int queueCount : new int[] {0, 1, 3}) {
            for (boolean headers : new boolean[] {false, true}) {
                ByteBuf out = Unpooled.buffer();
                int n = RouteWriter.writeMessage(out, ACCOUNT, msg, QUEUES, queueCount, headers);
                assertEquals(out.readableBytes(), n, "returns what it wrote");
                String written = text(out);
                assertEquals(List.of(expected(msg, queueCount, headers)), readBack(out),
                        "queues " + queueCount + ", headers " + headers + ": " + written);
            }
        }
    }

    @Test
    void serverMadeMessagesRoundTrip() {
        assertRoundTrip(InboundMessage.internal("foo", null, null, bytes("hello")));
        assertRoundTrip(InboundMessage.internal("foo.bar", "_INBOX.1", null, new byte[0]));
        assertRoundTrip(InboundMessage.internal("h", null, HEADERS, bytes("hi")));
        assertRoundTrip(InboundMessage.internal("h", "r", HEADERS, new byte[0]));
    }

    @Test
    void rewrittenSubjectAndReplyAreWrittenInsteadOfTheOriginals() {
        InboundMessage original = InboundMessage.internal("orig", "orig.reply", HEADERS, bytes("data"));
        assertRoundTrip(original.rewritten("mapped.subject", "mapped.reply"));
        assertRoundTrip(original.rewritten("mapped.subject", null));
        // A JetStream delivery is routed on its deliver subject; the stream subject its client
        // is shown travels after an '@' in the reply, as upstream carries it.
        InboundMessage delivery = InboundMessage.internalDelivery("deliver.subj", "stream.subj", "ack", null, bytes("m"));
        assertEquals("RMSG $G deliver.subj ack@stream.subj 1\r\nm\r\n",
                write(o -> RouteWriter.writeMessage(o, ACCOUNT, delivery, QUEUES, 0, true)));
        assertEquals("RMSG $G deliver.subj + ack@stream.subj q1 1\r\nm\r\n",
                write(o -> RouteWriter.writeMessage(o, ACCOUNT, delivery, QUEUES, 1, true)));
    }

    /** Subjects and replies that still live in a client's read buffer, as on the publish path. */
    @Test
    void publishedMessagesRoundTripStraightFromTheReadBuffer() {
        List<Throwable> failures = new ArrayList<>();
        int[] published = new int[1];
        ClientParser parser = new ClientParser(onPublish(m -> {
            published[0]++;
            try {
                assertRoundTrip(m);
                assertRoundTrip(m.rewritten("other." + m.subject(), "other.reply"));
            } catch (Throwable t) {
                failures.add(t);
            }
        }), 4096, 1024 * 1024);
        parser.setHeadersAllowed(true);
        parser.parse(Unpooled.copiedBuffer("PUB orders.eu 5\r\nhello\r\nPUB orders.us _INBOX.x 0\r\n\r\n"
                + "HPUB h.x r.y 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n", StandardCharsets.US_ASCII));
        assertEquals(3, published[0]);
        if (!failures.isEmpty()) throw new AssertionError(failures.get(0));
    }

    @Test
    void writesTheDialectByteForByte() {
        InboundMessage plain = InboundMessage.internal("foo", null, null, bytes("hello"));
        InboundMessage reply = InboundMessage.internal("foo", "r", HEADERS, bytes("hi"));
        assertEquals("RMSG $G foo 5\r\nhello\r\n", write(o -> RouteWriter.writeMessage(o, ACCOUNT, plain, QUEUES, 0, true)));
        assertEquals("RMSG $G foo | q1 workers 5\r\nhello\r\n",
                write(o -> RouteWriter.writeMessage(o, ACCOUNT, plain, QUEUES, 2, true)));
        assertEquals("HMSG $G foo + r q1 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n",
                write(o -> RouteWriter.writeMessage(o, ACCOUNT, reply, QUEUES, 1, true)));
        assertEquals("RMSG $G foo r 2\r\nhi\r\n", write(o -> RouteWriter.writeMessage(o, ACCOUNT, reply, QUEUES, 0, false)));
        assertEquals("LMSG leaf $G foo 0 5\r\nhello\r\n",
                write(o -> RouteWriter.writeLeafOriginMessage(o, bytes("leaf"), ACCOUNT, plain, QUEUES, 0)));
        assertEquals("LMSG leaf $G foo + r q1 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n",
                write(o -> RouteWriter.writeLeafOriginMessage(o, bytes("leaf"), ACCOUNT, reply, QUEUES, 1)));
        assertEquals("RS+ $G foo\r\n", write(o -> RouteWriter.writeSubscribe(o, "$G", "foo", null, 0)));
        assertEquals("RS+ $G foo q 12\r\n", write(o -> RouteWriter.writeSubscribe(o, "$G", "foo", "q", 12)));
        assertEquals("RS- $G foo q\r\n", write(o -> RouteWriter.writeUnsubscribe(o, "$G", "foo", "q")));
        assertEquals("LS+ c $G foo q 1\r\n", write(o -> RouteWriter.writeLeafSubscribe(o, "c", "$G", "foo", "q", 1)));
        assertEquals("LS- $G foo\r\n", write(o -> RouteWriter.writeLeafUnsubscribe(o, "$G", "foo", null)));
    }

    @Test
    void aPinnedRouteLeavesTheAccountOut() {
        InboundMessage reply = InboundMessage.internal("foo", "r", HEADERS, bytes("hi"));
        assertEquals("HMSG foo + r q1 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n",
                write(o -> RouteWriter.writeMessage(o, null, reply, QUEUES, 1, true)));
        assertEquals("LMSG leaf foo r 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n",
                write(o -> RouteWriter.writeLeafOriginMessage(o, bytes("leaf"), null, reply, QUEUES, 0)));
        assertEquals("RS+ foo q 2\r\n", write(o -> RouteWriter.writeSubscribe(o, null, "foo", "q", 2)));
        assertEquals("RS- foo\r\n", write(o -> RouteWriter.writeUnsubscribe(o, null, "foo", null)));
    }

    @Test
    void leafOriginMessagesRoundTrip() {
        ByteBuf out = Unpooled.buffer();
        RouteWriter.writeLeafOriginMessage(out, bytes("edge"), ACCOUNT,
                InboundMessage.internal("s", "r", HEADERS, bytes("hi")), QUEUES, 2);
        RouteWriter.writeLeafOriginMessage(out, bytes("edge"), ACCOUNT,
                InboundMessage.internal("s", null, null, bytes("plain")), QUEUES, 0);
        assertEquals(List.of(
                "MSG o=edge a=$G s=s r=r q=[q1, workers] h=18 t=20 [NATS/1.0\r\nA: b\r\n\r\n] [hi]",
                "MSG o=edge a=$G s=s r=null q=[] h=-1 t=5 [] [plain]"), readBack(out));
    }

    @Test
    void interestRoundTrips() {
        ByteBuf out = Unpooled.buffer();
        RouteWriter.writeSubscribe(out, "acc", "foo.*", null, 0);
        RouteWriter.writeSubscribe(out, "acc", "foo.>", "workers", 3);
        RouteWriter.writeUnsubscribe(out, "acc", "foo.*", null);
        RouteWriter.writeUnsubscribe(out, "acc", "foo.>", "workers");
        RouteWriter.writeLeafSubscribe(out, "leaf", "acc", "bar", null, 0);
        RouteWriter.writeLeafSubscribe(out, "leaf", "acc", "bar", "q", 1);
        RouteWriter.writeLeafUnsubscribe(out, "acc", "bar", "q");
        RouteWriter.writeSubscribe(out, "äcc", "grüße", null, 0);
        assertEquals(List.of("RS+ acc foo.*", "RS+ acc foo.> workers 3", "RS- acc foo.*", "RS- acc foo.> workers",
                "LS+ leaf acc bar", "LS+ leaf acc bar q 1", "LS- acc bar q", "RS+ äcc grüße"), readBack(out));
    }

    @Test
    void aQueueSubscriptionNeedsAPositiveWeight() {
        ByteBuf out = Unpooled.buffer();
        assertThrows(IllegalArgumentException.class, () -> RouteWriter.writeSubscribe(out, "a", "s", "q", 0));
        assertThrows(IllegalArgumentException.class, () -> RouteWriter.writeLeafSubscribe(out, "o", "a", "s", "q", -1));
        assertEquals(0, out.readableBytes(), "nothing written");
    }

    private static String write(Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        writer.accept(out);
        return text(out);
    }

    private static ClientOpHandler onPublish(Consumer<InboundMessage> action) {
        return new ClientOpHandler() {
            @Override public void onConnect(ByteBuf json) {}

            @Override public void onPublish(InboundMessage msg) { action.accept(msg); }

            @Override public void onSubscribe(String subject, String queue, String sid) {}

            @Override public void onUnsubscribe(String sid, long max) {}

            @Override public void onPing() {}

            @Override public void onPong() {}

            @Override public void onViolation(ProtocolViolation violation) {
                throw new AssertionError(violation);
            }
        };
    }
}
