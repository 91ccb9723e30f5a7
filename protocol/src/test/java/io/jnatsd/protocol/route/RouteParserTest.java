package io.jnatsd.protocol.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteParserTest {
    /** Payload bytes that look like protocol, so a parser reading into them would show. */
    private static final String BIG = "RMSG $G x 1\r\nPING\r\n\n\r".repeat(80);

    private static final String STREAM = "INFO {\"server_id\":\"S1\",\"cluster\":\"c\"}\r\n"
            + "CONNECT {\"verbose\":false,\"headers\":true}\r\n"
            + "PING\r\nPONG\n+OK\r\n-ERR 'Unknown Protocol Operation'\r\n"
            + "RS+ $G foo\r\nrs+ $G foo.* workers 3\r\nRS-\t$G  foo\r\nRS- $G foo.* workers\r\n"
            + "LS+ leafc $G bar\r\nLS+ leafc $G bar.> q 1\r\nLS- $G bar\r\nls- $G bar.> q\r\n"
            + "RMSG $G foo 5\r\nhello\r\n"
            + "RMSG $G foo reply.1 0\r\n\r\n"
            + "RMSG $G foo + reply.2 q1 3\r\nabc\r\n"
            + "RMSG $G foo | q1 q2 q3 2\r\nhi\r\n"
            + "rmsg $G foo + r q1 q2 q3 1\r\nx\r\n"
            + "HMSG $G h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "HMSG $G h r 12 12\r\nNATS/1.0\r\n\r\n\r\n"
            + "HMSG $G h + r q1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "HMSG $G h | q1 q2 0 2\r\nhi\r\n"
            + "LMSG leafc $G l 0 2\r\nhi\r\n"
            + "LMSG leafc $G l r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "LMSG leafc $G l | q1 0 0\r\n\r\n"
            + "LMSG leafc $G l + r q1 q2 12 12\r\nNATS/1.0\r\n\r\n\r\n"
            + "RMSG $G big " + BIG.length() + "\r\n" + BIG + "\r\n"
            + "ping\r\n";

    private static final List<String> EXPECTED = List.of(
            "INFO {\"server_id\":\"S1\",\"cluster\":\"c\"}",
            "CONNECT {\"verbose\":false,\"headers\":true}",
            "PING", "PONG", "+OK", "-ERR [Unknown Protocol Operation]",
            "RS+ $G foo", "RS+ $G foo.* workers 3", "RS- $G foo", "RS- $G foo.* workers",
            "LS+ leafc $G bar", "LS+ leafc $G bar.> q 1", "LS- $G bar", "LS- $G bar.> q",
            "MSG o=null a=$G s=foo r=null q=[] h=-1 t=5 [] [hello]",
            "MSG o=null a=$G s=foo r=reply.1 q=[] h=-1 t=0 [] []",
            "MSG o=null a=$G s=foo r=reply.2 q=[q1] h=-1 t=3 [] [abc]",
            "MSG o=null a=$G s=foo r=null q=[q1, q2, q3] h=-1 t=2 [] [hi]",
            "MSG o=null a=$G s=foo r=r q=[q1, q2, q3] h=-1 t=1 [] [x]",
            "MSG o=null a=$G s=h r=null q=[] h=12 t=14 [NATS/1.0\r\n\r\n] [hi]",
            "MSG o=null a=$G s=h r=r q=[] h=12 t=12 [NATS/1.0\r\n\r\n] []",
            "MSG o=null a=$G s=h r=r q=[q1] h=12 t=14 [NATS/1.0\r\n\r\n] [hi]",
            "MSG o=null a=$G s=h r=null q=[q1, q2] h=-1 t=2 [] [hi]",
            "MSG o=leafc a=$G s=l r=null q=[] h=-1 t=2 [] [hi]",
            "MSG o=leafc a=$G s=l r=r q=[] h=12 t=14 [NATS/1.0\r\n\r\n] [hi]",
            "MSG o=leafc a=$G s=l r=null q=[q1] h=-1 t=0 [] []",
            "MSG o=leafc a=$G s=l r=r q=[q1, q2] h=12 t=12 [NATS/1.0\r\n\r\n] []",
            "MSG o=null a=$G s=big r=null q=[] h=-1 t=" + BIG.length() + " [] ["
                    + RecordingRouteHandler.text(Unpooled.copiedBuffer(BIG, StandardCharsets.US_ASCII)) + "]",
            "PING");

    /**
     * Feeds {@code bytes} cut at {@code cuts} into one cumulative buffer, compacting it after
     * every read as the channel handler may, and checks what {@code bytesToCompleteFrame}
     * promises against what is really still to come.
     */
    private static List<String> parseInChunks(byte[] bytes, int[] cuts) {
        RecordingRouteHandler h = new RecordingRouteHandler();
        RouteParser p = new RouteParser(h, 1024 * 1024);
        ByteBuf cum = Unpooled.buffer();
        int from = 0;
        for (int cut : cuts) {
            cum.writeBytes(bytes, from, cut - from);
            p.parse(cum);
            int need = p.bytesToCompleteFrame(cum);
            assertTrue(need <= bytes.length - cut, "needs " + need + " with " + (bytes.length - cut) + " to come");
            cum.discardReadBytes();
            from = cut;
        }
        cum.writeBytes(bytes, from, bytes.length - from);
        p.parse(cum);
        assertEquals(0, cum.readableBytes(), "everything consumed");
        return h.ops;
    }

    /** A parser and what it reported so far. */
    private record Run(RecordingRouteHandler handler, RouteParser parser) {
        Run(int maxPayload, int maxControlLine) {
            this(new RecordingRouteHandler(), maxPayload, maxControlLine);
        }

        Run(RecordingRouteHandler handler, int maxPayload, int maxControlLine) {
            this(handler, new RouteParser(handler, maxPayload, maxControlLine));
        }

        List<String> feed(String input) {
            parser.parse(Unpooled.copiedBuffer(input, StandardCharsets.UTF_8));
            return handler.ops;
        }
    }

    private static List<String> parse(String input) {
        return new Run(1024 * 1024, RouteParser.DEFAULT_MAX_CONTROL_LINE).feed(input);
    }

    /** A route pinned to account ACC (upstream 2.10): no line names the account. */
    private static final String PINNED_STREAM = "RS+ foo\r\nRS+ foo.* workers 3\r\nRS- foo\r\nRS- foo.* workers\r\n"
            + "LS+ leafc bar q 2\r\n"
            + "RMSG foo 5\r\nhello\r\n"
            + "RMSG foo reply.1 0\r\n\r\n"
            + "RMSG foo + reply.2 q1 3\r\nabc\r\n"
            + "RMSG foo | q1 q2 2\r\nhi\r\n"
            + "HMSG h r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "LMSG leafc l + r q1 0 2\r\nhi\r\n";

    private static final List<String> PINNED_EXPECTED = List.of(
            "RS+ ACC foo", "RS+ ACC foo.* workers 3", "RS- ACC foo", "RS- ACC foo.* workers",
            "LS+ leafc ACC bar q 2",
            "MSG o=null a=ACC s=foo r=null q=[] h=-1 t=5 [] [hello]",
            "MSG o=null a=ACC s=foo r=reply.1 q=[] h=-1 t=0 [] []",
            "MSG o=null a=ACC s=foo r=reply.2 q=[q1] h=-1 t=3 [] [abc]",
            "MSG o=null a=ACC s=foo r=null q=[q1, q2] h=-1 t=2 [] [hi]",
            "MSG o=null a=ACC s=h r=r q=[] h=12 t=14 [NATS/1.0\r\n\r\n] [hi]",
            "MSG o=leafc a=ACC s=l r=r q=[q1] h=-1 t=2 [] [hi]");

    @Test
    void aPinnedRouteNamesNoAccountAndSurvivesEverySplit() {
        byte[] bytes = PINNED_STREAM.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            RecordingRouteHandler h = new RecordingRouteHandler();
            RouteParser p = new RouteParser(h, 1024 * 1024);
            p.pinAccount("ACC");
            ByteBuf cum = Unpooled.buffer();
            cum.writeBytes(bytes, 0, i);
            p.parse(cum);
            cum.discardReadBytes();
            cum.writeBytes(bytes, i, bytes.length - i);
            p.parse(cum);
            assertEquals(PINNED_EXPECTED, h.ops, "split at " + i);
        }
    }

    @Test
    void aPinnedRouteRefusesALineThatNamesAnAccount() {
        RecordingRouteHandler h = new RecordingRouteHandler();
        RouteParser p = new RouteParser(h, 1024 * 1024);
        p.pinAccount("ACC");
        // "RS+ ACC foo q" reads as subject ACC, queue foo, weight q: not a number
        p.parse(Unpooled.copiedBuffer("RS+ ACC foo q\r\n", StandardCharsets.US_ASCII));
        assertTrue(h.ops.get(h.ops.size() - 1).startsWith("VIOLATION"), h.ops.toString());
    }

    @Test
    void parsesEveryOperationInOneRead() {
        assertEquals(EXPECTED, parseInChunks(STREAM.getBytes(StandardCharsets.UTF_8), new int[0]));
    }

    @Test
    void survivesASplitAtEveryByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < bytes.length; i++) {
            assertEquals(EXPECTED, parseInChunks(bytes, new int[] {i}), "split at " + i);
        }
    }

    @Test
    void survivesOneByteAtATime() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        int[] cuts = new int[bytes.length - 1];
        for (int i = 0; i < cuts.length; i++) cuts[i] = i + 1;
        assertEquals(EXPECTED, parseInChunks(bytes, cuts));
    }

    @Test
    void survivesRandomSplitsOfALargePayload() {
        byte[] payload = new byte[1024 * 1024];
        new Random(7).nextBytes(payload);
        String line = "RMSG $G big + _INBOX.r q1 q2 " + payload.length + "\r\n";
        ByteBuf all = Unpooled.buffer();
        all.writeCharSequence("PING\r\n" + line, StandardCharsets.US_ASCII);
        all.writeBytes(payload);
        all.writeCharSequence("\r\nRMSG $G after 2\r\nok\r\n", StandardCharsets.US_ASCII);
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        String expected = "MSG o=null a=$G s=big r=_INBOX.r q=[q1, q2] h=-1 t=" + payload.length + " [] ["
                + RecordingRouteHandler.text(Unpooled.wrappedBuffer(payload)) + "]";
        List<String> want = List.of("PING", expected, "MSG o=null a=$G s=after r=null q=[] h=-1 t=2 [] [ok]");
        Random rnd = new Random(11);
        for (int run = 0; run < 8; run++) {
            int[] cuts = rnd.ints(1 + rnd.nextInt(300), 1, bytes.length).sorted().distinct().toArray();
            assertEquals(want, parseInChunks(bytes, cuts), "run " + run);
        }
    }

    static Stream<Arguments> argumentForms() {
        return Stream.of(
                Arguments.of("RMSG acc subj 2\r\nhi\r\n", "MSG o=null a=acc s=subj r=null q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("RMSG acc subj reply 2\r\nhi\r\n", "MSG o=null a=acc s=subj r=reply q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("RMSG acc subj + reply 2\r\nhi\r\n", "MSG o=null a=acc s=subj r=reply q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("RMSG acc subj + reply q1 2\r\nhi\r\n", "MSG o=null a=acc s=subj r=reply q=[q1] h=-1 t=2 [] [hi]"),
                Arguments.of("RMSG acc subj | q1 2\r\nhi\r\n", "MSG o=null a=acc s=subj r=null q=[q1] h=-1 t=2 [] [hi]"),
                Arguments.of("RMSG acc subj | q1 q2 q3 q4 q5 q6 q7 q8 q9 q10 2\r\nhi\r\n",
                        "MSG o=null a=acc s=subj r=null q=[q1, q2, q3, q4, q5, q6, q7, q8, q9, q10] h=-1 t=2 [] [hi]"),
                Arguments.of("rMsG\t acc \t subj  reply\t2 \r\nhi\r\n", "MSG o=null a=acc s=subj r=reply q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("RMSG acc subj 2\nhi\r\n", "MSG o=null a=acc s=subj r=null q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("HMSG acc subj 5 7\r\nH:1\r\nhi\r\n", "MSG o=null a=acc s=subj r=null q=[] h=5 t=7 [H:1\r\n] [hi]"),
                Arguments.of("HMSG acc subj reply 5 7\r\nH:1\r\nhi\r\n", "MSG o=null a=acc s=subj r=reply q=[] h=5 t=7 [H:1\r\n] [hi]"),
                Arguments.of("HMSG acc subj + reply q1 q2 5 7\r\nH:1\r\nhi\r\n",
                        "MSG o=null a=acc s=subj r=reply q=[q1, q2] h=5 t=7 [H:1\r\n] [hi]"),
                Arguments.of("HMSG acc subj | q1 5 5\r\nH:1\r\n\r\n", "MSG o=null a=acc s=subj r=null q=[q1] h=5 t=5 [H:1\r\n] []"),
                Arguments.of("HMSG acc subj 0 2\r\nhi\r\n", "MSG o=null a=acc s=subj r=null q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("LMSG org acc subj 0 2\r\nhi\r\n", "MSG o=org a=acc s=subj r=null q=[] h=-1 t=2 [] [hi]"),
                Arguments.of("LMSG org acc subj reply 5 7\r\nH:1\r\nhi\r\n", "MSG o=org a=acc s=subj r=reply q=[] h=5 t=7 [H:1\r\n] [hi]"),
                Arguments.of("LMSG org acc subj + reply q1 5 7\r\nH:1\r\nhi\r\n",
                        "MSG o=org a=acc s=subj r=reply q=[q1] h=5 t=7 [H:1\r\n] [hi]"),
                Arguments.of("LMSG org acc subj | q1 q2 0 2\r\nhi\r\n", "MSG o=org a=acc s=subj r=null q=[q1, q2] h=-1 t=2 [] [hi]"),
                Arguments.of("RS+ acc subj\r\n", "RS+ acc subj"),
                Arguments.of("RS+ acc subj q 12\r\n", "RS+ acc subj q 12"),
                Arguments.of("RS- acc subj\r\n", "RS- acc subj"),
                Arguments.of("RS- acc subj q\r\n", "RS- acc subj q"),
                Arguments.of("LS+ org acc subj\r\n", "LS+ org acc subj"),
                Arguments.of("LS+ org acc subj q 1\r\n", "LS+ org acc subj q 1"),
                Arguments.of("LS- acc subj\r\n", "LS- acc subj"),
                Arguments.of("LS- acc subj q\r\n", "LS- acc subj q"),
                Arguments.of("INFO\r\n", "INFO "),
                Arguments.of("INFO{}\r\n", "INFO {}"),
                Arguments.of("CONNECT \t {\"a\": 1} \r\n", "CONNECT {\"a\": 1} "),
                Arguments.of("PING extra\r\n", "PING"),
                Arguments.of("+ok\r\n", "+OK"),
                Arguments.of("-ERR 'Stale Connection'\r\n", "-ERR [Stale Connection]"),
                Arguments.of("-err  no quotes here\r\n", "-ERR [no quotes here]"),
                Arguments.of("-ERR '\r\n", "-ERR [']"),
                Arguments.of("-ERR ''\r\n", "-ERR []"));
    }

    @ParameterizedTest
    @MethodSource("argumentForms")
    void readsEveryArgumentForm(String input, String expected) {
        assertEquals(List.of(expected), parse(input));
    }

    static Stream<Arguments> badInput() {
        String unknown = "VIOLATION UNKNOWN_OPERATION";
        String bad = "VIOLATION BAD_ARGUMENTS";
        return Stream.of(
                Arguments.of("FOO\r\n", unknown),
                Arguments.of("PUB foo 2\r\nhi\r\n", unknown),
                Arguments.of("HPUB foo 0 0\r\n\r\n", unknown),
                Arguments.of("SUB foo 1\r\n", unknown),
                Arguments.of("UNSUB 1\r\n", unknown),
                Arguments.of("A+ acc\r\n", unknown),
                Arguments.of("RX", unknown), // before the line ends
                Arguments.of("RS*", unknown),
                Arguments.of("LX", unknown),
                Arguments.of("RS+x acc subj\r\n", unknown),
                Arguments.of("RS+\r\n", unknown),
                Arguments.of("RS+\n", unknown),
                Arguments.of("RMSG$G foo 1", unknown),
                Arguments.of("PINX\r\n", unknown),
                Arguments.of("-ERR\r\n", unknown), // upstream wants a blank after -ERR
                Arguments.of("RMSG acc subj 2\r\nhiX\r\n", unknown),
                Arguments.of("RMSG acc subj 2\r\nhi\rX", unknown),
                Arguments.of("RMSG acc subj 2\r\nhi\n", unknown),
                Arguments.of("RS+ acc\r\n", bad),
                Arguments.of("RS+ acc subj q\r\n", bad),
                Arguments.of("RS+ acc subj q 0\r\n", bad),
                Arguments.of("RS+ acc subj q -1\r\n", bad),
                Arguments.of("RS+ acc subj q x\r\n", bad),
                Arguments.of("RS+ acc subj q 1 extra\r\n", bad),
                Arguments.of("LS+ org acc\r\n", bad),
                Arguments.of("LS+ org acc subj q\r\n", bad),
                Arguments.of("LS+ acc subj q 1\r\n", bad),
                Arguments.of("RS- acc\r\n", bad),
                Arguments.of("RS- acc subj q extra\r\n", bad),
                Arguments.of("LS- org acc subj q\r\n", bad),
                Arguments.of("RMSG acc 2\r\nhi\r\n", bad),
                Arguments.of("RMSG acc subj x q1 2\r\nhi\r\n", bad),
                Arguments.of("RMSG acc subj ++ reply q1 2\r\nhi\r\n", bad),
                Arguments.of("RMSG acc subj reply q1 2\r\nhi\r\n", bad),
                Arguments.of("RMSG acc subj -1\r\n", bad),
                Arguments.of("RMSG acc subj two\r\n", bad),
                Arguments.of("RMSG acc subj +2\r\n", bad),
                Arguments.of("RMSG acc subj 1234567890\r\n", bad),
                Arguments.of("HMSG acc subj 2\r\nhi\r\n", bad),
                Arguments.of("HMSG acc subj 3 2\r\nhi\r\n", bad),
                Arguments.of("HMSG acc subj x 2\r\nhi\r\n", bad),
                Arguments.of("HMSG acc subj 0 -2\r\nhi\r\n", bad),
                Arguments.of("HMSG acc subj x reply q1 0 2\r\nhi\r\n", bad),
                Arguments.of("LMSG org acc subj 2\r\nhi\r\n", bad),
                Arguments.of("LMSG org acc subj 3 2\r\nhi\r\n", bad),
                Arguments.of("LMSG org acc subj x q1 0 2\r\nhi\r\n", bad));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void badInputIsAViolationAndTheLastWordOfTheParser(String input, String violation) {
        Run run = new Run(1024, 1024);
        assertEquals(List.of("PING", violation), run.feed("PING\r\n" + input));
        assertTrue(run.parser().isStopped());
        assertEquals(List.of("PING", violation), run.feed("PING\r\nRMSG a b 0\r\n\r\n"), "nothing after the violation");
    }

    @Test
    void payloadOverMaxIsRejectedBeforeItArrives() {
        assertEquals(List.of("VIOLATION MAX_PAYLOAD"), new Run(10, 1024).feed("HMSG acc subj 0 11\r\n"));
        assertEquals(List.of("MSG o=null a=a s=s r=null q=[] h=-1 t=10 [] [0123456789]"),
                new Run(10, 1024).feed("RMSG a s 10\r\n0123456789\r\n"));
    }

    @Test
    void controlLineOverTheSafetyBoundIsRejectedWhileStillOpen() {
        String tooLong = "VIOLATION MAX_CONTROL_LINE";
        assertEquals(List.of(tooLong), new Run(1024, 64).feed("RMSG acc " + "a".repeat(100)));
        // Blanks count too: otherwise a peer could grow the read buffer without end.
        assertEquals(List.of(tooLong), new Run(1024, 64).feed("RS+" + " ".repeat(100)));
        assertEquals(List.of(tooLong), new Run(1024, 64).feed("INFO {" + "\"a\":1,".repeat(20) + "}\r\n"));
        String line = "RS+ acc " + "s".repeat(64 - 8);
        assertEquals(List.of(line), new Run(1024, 64).feed(line + "\r\n"));
    }

    @Test
    void namesRepeatWithoutNewStrings() {
        List<RoutedSnapshot> seen = new ArrayList<>();
        RecordingRouteHandler h = new RecordingRouteHandler() {
            @Override
            public void onRoutedMessage(RoutedMessage rm) {
                seen.add(new RoutedSnapshot(rm.account(), rm.message().subject(), rm.queue(0)));
            }
        };
        new Run(h, 1024, 1024).feed("RMSG $G orders | workers 1\r\na\r\nRMSG $G orders | workers 1\r\nb\r\n");
        assertEquals(2, seen.size());
        assertSame(seen.get(0).account, seen.get(1).account);
        assertSame(seen.get(0).subject, seen.get(1).subject);
        assertSame(seen.get(0).queue, seen.get(1).queue);
    }

    private record RoutedSnapshot(String account, String subject, String queue) {}

    @Test
    void pauseLeavesTheRestUnreadUntilResumed() {
        RouteParser[] parser = new RouteParser[1];
        RecordingRouteHandler h = new RecordingRouteHandler() {
            @Override
            public void onRoutedMessage(RoutedMessage rm) {
                super.onRoutedMessage(rm);
                parser[0].pause();
            }
        };
        RouteParser p = new RouteParser(h, 1024);
        parser[0] = p;
        ByteBuf buf = Unpooled.copiedBuffer("RMSG a s 1\r\nx\r\nPING\r\n", StandardCharsets.US_ASCII);
        p.parse(buf);
        assertEquals(1, h.ops.size());
        assertTrue(p.isPaused());
        assertEquals(6, buf.readableBytes());
        p.resume();
        p.parse(buf);
        assertEquals("PING", h.ops.get(1));
        assertFalse(buf.isReadable());
    }

    @Test
    void bytesToCompleteFrameCountsPayloadAndCrlf() {
        RecordingRouteHandler h = new RecordingRouteHandler();
        RouteParser p = new RouteParser(h, 1024);
        ByteBuf buf = Unpooled.copiedBuffer("RMSG a s", StandardCharsets.US_ASCII);
        p.parse(buf);
        assertEquals(-1, p.bytesToCompleteFrame(buf), "still in the control line");
        buf.writeCharSequence(" 10\r\n0123", StandardCharsets.US_ASCII);
        p.parse(buf);
        assertEquals(6 + 2, p.bytesToCompleteFrame(buf));
        buf.writeCharSequence("456789\r", StandardCharsets.US_ASCII);
        p.parse(buf);
        assertEquals(1, p.bytesToCompleteFrame(buf));
        buf.writeCharSequence("\n", StandardCharsets.US_ASCII);
        p.parse(buf);
        assertEquals(-1, p.bytesToCompleteFrame(buf));
        assertEquals(List.of("MSG o=null a=a s=s r=null q=[] h=-1 t=10 [] [0123456789]"), h.ops);
    }

    @Test
    void stopFromACallbackEndsParsing() {
        RouteParser[] parser = new RouteParser[1];
        RecordingRouteHandler h = new RecordingRouteHandler() {
            @Override
            public void onErr(String text) {
                super.onErr(text);
                parser[0].stop();
            }
        };
        parser[0] = new RouteParser(h, 1024);
        parser[0].parse(Unpooled.copiedBuffer("-ERR 'Authorization Violation'\r\nPING\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("-ERR [Authorization Violation]"), h.ops);
    }
}
