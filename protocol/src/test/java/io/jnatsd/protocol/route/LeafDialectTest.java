package io.jnatsd.protocol.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.protocol.client.InboundMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leaf node dialect of {@link RouteParser#forLeaf} and {@link RouteWriter}'s leaf lines:
 * no account and no origin on any line (the connection's account), LMSG with one size, HMSG
 * with two, and no RS+/RS-/RMSG. Every split point of the stream gives the same operations.
 */
class LeafDialectTest {
    private static final String STREAM = "INFO {\"server_id\":\"S1\",\"leafnode_urls\":[\"h:1\"]}\r\n"
            + "LS+ foo\r\nLS+ foo.* workers 3\r\nls-  foo\r\nLS- foo.* workers\r\n"
            + "LMSG foo 5\r\nhello\r\n"
            + "LMSG foo reply.1 0\r\n\r\n"
            + "LMSG foo + reply.2 q1 3\r\nabc\r\n"
            + "LMSG foo | q1 q2 2\r\nhi\r\n"
            + "HMSG h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "HMSG h + r q1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "PING\r\n";

    private static final List<String> EXPECTED = List.of(
            "INFO {\"server_id\":\"S1\",\"leafnode_urls\":[\"h:1\"]}",
            "RS+ null foo", "RS+ null foo.* workers 3", "LS- null foo", "LS- null foo.* workers",
            "MSG o=null a=null s=foo r=null q=[] h=-1 t=5 [] [hello]",
            "MSG o=null a=null s=foo r=reply.1 q=[] h=-1 t=0 [] []",
            "MSG o=null a=null s=foo r=reply.2 q=[q1] h=-1 t=3 [] [abc]",
            "MSG o=null a=null s=foo r=null q=[q1, q2] h=-1 t=2 [] [hi]",
            "MSG o=null a=null s=h r=null q=[] h=12 t=14 [NATS/1.0\r\n\r\n] [hi]",
            "MSG o=null a=null s=h r=r q=[q1] h=12 t=14 [NATS/1.0\r\n\r\n] [hi]",
            "PING");

    private static List<String> parse(byte[] bytes, int cut) {
        RecordingRouteHandler h = new RecordingRouteHandler();
        RouteParser p = RouteParser.forLeaf(h, 1024 * 1024);
        ByteBuf cum = Unpooled.buffer();
        cum.writeBytes(bytes, 0, cut);
        p.parse(cum);
        cum.discardReadBytes();
        cum.writeBytes(bytes, cut, bytes.length - cut);
        p.parse(cum);
        return h.ops;
    }

    @Test
    void everyOperationAtEverySplit() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) assertEquals(EXPECTED, parse(bytes, cut), "split at " + cut);
    }

    @Test
    void routeOperationsAreUnknownOnALeafConnection() {
        for (String line : List.of("RS+ $G foo\r\n", "RMSG $G foo 0\r\n\r\n", "RS- $G foo\r\n")) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            assertEquals(List.of("VIOLATION UNKNOWN_OPERATION"), parse(b, b.length), line);
        }
        byte[] tooMany = "LS+ foo q\r\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("VIOLATION BAD_ARGUMENTS"), parse(tooMany, tooMany.length));
    }

    @Test
    void writerMakesWhatTheParserReads() {
        ByteBuf out = Unpooled.buffer();
        RouteWriter.writeLeafNodeSubscribe(out, "foo", null, 0);
        RouteWriter.writeLeafNodeSubscribe(out, "foo", "q", 2);
        RouteWriter.writeLeafNodeUnsubscribe(out, "foo", "q");
        InboundMessage m = InboundMessage.internal("s", "r", null, "hey".getBytes(StandardCharsets.UTF_8));
        RouteWriter.writeLeafMessage(out, m, new byte[][] {"q".getBytes(StandardCharsets.UTF_8)}, 1, true);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals("LS+ foo\r\nLS+ foo q 2\r\nLS- foo q\r\nLMSG s + r q 3\r\nhey\r\n", text);
    }
}
