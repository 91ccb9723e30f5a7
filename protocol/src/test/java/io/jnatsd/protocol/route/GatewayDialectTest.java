package io.jnatsd.protocol.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway dialect of {@link RouteParser#forGateway}: the route's lines plus A+ and A- (a
 * whole account's interest), without the leaf lines. Every split point gives the same operations.
 */
class GatewayDialectTest {
    private static final String STREAM = "INFO {\"gateway\":\"B\",\"gateway_cmd\":2}\r\n"
            + "RS+ $G foo\r\nRS+ $G foo.* workers 1\r\nA- ACC\r\na+  ACC\r\nRS- $G foo\r\n"
            + "RMSG $G foo + _GR_.abcdef.ghijkl.r q1 2\r\nhi\r\nPING\r\n";

    private static final List<String> EXPECTED = List.of(
            "INFO {\"gateway\":\"B\",\"gateway_cmd\":2}",
            "RS+ $G foo", "RS+ $G foo.* workers 1", "A- ACC", "A+ ACC", "RS- $G foo",
            "MSG o=null a=$G s=foo r=_GR_.abcdef.ghijkl.r q=[q1] h=-1 t=2 [] [hi]",
            "PING");

    private static List<String> parse(byte[] bytes, int cut) {
        RecordingRouteHandler h = new RecordingRouteHandler();
        RouteParser p = RouteParser.forGateway(h, 1024 * 1024);
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
    void leafLinesAreUnknownAndAccountLinesTakeOneAccount() {
        for (String line : List.of("LS+ $G foo\r\n", "LMSG $G foo 0\r\n\r\n", "AX foo\r\n")) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            assertEquals(List.of("VIOLATION UNKNOWN_OPERATION"), parse(b, b.length), line);
        }
        byte[] two = "A+ a b\r\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("VIOLATION BAD_ARGUMENTS"), parse(two, two.length));
        byte[] onRoute = "A+ ACC\r\n".getBytes(StandardCharsets.UTF_8);
        RecordingRouteHandler h = new RecordingRouteHandler();
        new RouteParser(h, 1024).parse(Unpooled.wrappedBuffer(onRoute));
        assertEquals(List.of("VIOLATION UNKNOWN_OPERATION"), h.ops, "A+ is no route operation");
    }
}
