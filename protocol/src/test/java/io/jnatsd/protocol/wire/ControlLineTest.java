package io.jnatsd.protocol.wire;

import static io.jnatsd.protocol.wire.ControlLine.INVALID;
import static io.jnatsd.protocol.wire.ControlLine.NEED_MORE;
import static io.jnatsd.protocol.wire.ControlLine.TOO_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ControlLineTest {
    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static int size(String s) {
        ByteBuf b = buf(s);
        return ControlLine.parseSize(b, 0, b.writerIndex());
    }

    @Test
    void sizesAreDecimalDigitsOnly() {
        assertEquals(0, size("0"));
        assertEquals(123, size("123"));
        assertEquals(999_999_999, size("999999999"));
        assertEquals(-1, size(""));
        assertEquals(-1, size("1234567890"));
        assertEquals(-1, size("-1"));
        assertEquals(-1, size("+1"));
        assertEquals(-1, size("1a"));
        assertEquals(-1, size(" 1"));
    }

    @Test
    void namesMatchCaseInsensitivelyAndFailAtTheFirstWrongByte() {
        assertEquals(4, ControlLine.matchName(buf("pInG\r\n"), 0, 6, "PING"));
        assertEquals(NEED_MORE, ControlLine.matchName(buf("PIN"), 0, 3, "PING"));
        assertEquals(INVALID, ControlLine.matchName(buf("PIX"), 0, 3, "PING"));
        assertEquals(3, ControlLine.matchName(buf("rs+"), 0, 3, "RS+"));
    }

    @Test
    void argumentsNeedABlankAfterTheName() {
        assertEquals(NEED_MORE, ControlLine.argsStart(buf("RS+"), 3, 3));
        assertEquals(INVALID, ControlLine.argsStart(buf("RS+x"), 3, 4));
        assertEquals(INVALID, ControlLine.argsStart(buf("RS+\n"), 3, 4));
        assertEquals(6, ControlLine.argsStart(buf("RS+ \t a"), 3, 7));
        assertEquals(5, ControlLine.argsStart(buf("RS+  "), 3, 5));
    }

    @Test
    void linesEndAtTheNewlineAndAreMeasuredWithoutTheCr() {
        assertEquals(4, ControlLine.lineEnd(buf("abc\r\n"), 0, 5, 3));
        assertEquals(TOO_LONG, ControlLine.lineEnd(buf("abcd\r\n"), 0, 6, 3));
        assertEquals(NEED_MORE, ControlLine.lineEnd(buf("abc"), 0, 3, 3));
        assertEquals(TOO_LONG, ControlLine.lineEnd(buf("abcd"), 0, 4, 3));
        assertEquals(3, ControlLine.trimCr(buf("abc\n"), 0, 3));
        assertEquals(0, ControlLine.trimCr(buf("\r\n"), 0, 1));
    }

    @Test
    void aPayloadMustBeFollowedByCrlf() {
        assertEquals(4, ControlLine.crlfAfterPayload(buf("ab\r\n"), 2, 4));
        assertEquals(NEED_MORE, ControlLine.crlfAfterPayload(buf("ab"), 2, 2));
        assertEquals(NEED_MORE, ControlLine.crlfAfterPayload(buf("ab\r"), 2, 3));
        assertEquals(INVALID, ControlLine.crlfAfterPayload(buf("abX"), 2, 3));
        assertEquals(INVALID, ControlLine.crlfAfterPayload(buf("ab\rX"), 2, 4));
        assertEquals(INVALID, ControlLine.crlfAfterPayload(buf("ab\n"), 2, 3));
    }

    @Test
    void argsSplitOnRunsOfBlanksAndStopCountingPastTheLimit() {
        ByteBuf b = buf(" a\t\tbb  c ");
        Args args = new Args(1);
        assertEquals(3, args.split(b, 0, b.writerIndex(), Integer.MAX_VALUE));
        assertEquals("a", args.string(b, 0));
        assertEquals("bb", args.string(b, 1));
        assertEquals(8, args.start(2));
        assertEquals(1, args.length(2));
        assertEquals(2, args.split(b, 0, b.writerIndex(), 1), "limit + 1 means too many");
        assertEquals(0, args.split(b, 0, 1, 4));
        ByteBuf many = buf("q ".repeat(1000));
        assertEquals(1000, args.split(many, 0, many.writerIndex(), Integer.MAX_VALUE));
        assertEquals(1998, args.start(999));
    }
}
