package io.jnatsd.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientParserTest {
    private static final int MIN_RUNS = 2000;
    private static final String STREAM = "CONNECT {\"verbose\":false,\"headers\":true}\r\n"
            + "PUB foo 5\r\nhello\r\n"
            + "pub foo.bar reply.1 0\r\n\r\n"
            + "HPUB h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "HPUB h r 12 12\r\nNATS/1.0\r\n\r\n\r\n"
            + "SUB foo 1\r\nSUB foo.* q 22\r\nUNSUB 1\r\nUNSUB 22 10\r\nUNSUB 3 x\r\n"
            + "PING\r\nPONG\nping\r\n+OK\r\nINFO {}\r\n"
            + "PUB\tbin 4\r\n\r\n\r\n\r\n";

    private static final List<String> EXPECTED = List.of(
            "CONNECT {\"verbose\":false,\"headers\":true}",
            "PUB foo null -1 5 [-] [hello]",
            "PUB foo.bar reply.1 -1 0 [-] []",
            "PUB h null 12 14 [NATS/1.0\r\n\r\n] [hi]",
            "PUB h r 12 12 [NATS/1.0\r\n\r\n] []",
            "SUB foo null 1", "SUB foo.* q 22", "UNSUB 1 -1", "UNSUB 22 10", "UNSUB 3 -1",
            "PING", "PONG", "PING", "INFO {}",
            "PUB bin null -1 4 [-] [\r\n\r\n]");

    private static List<String> parseInChunks(byte[] bytes, int[] cuts) {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 4096, 1024 * 1024);
        p.setHeadersAllowed(true);
        ByteBuf cum = Unpooled.buffer();
        int from = 0;
        for (int cut : cuts) {
            cum.writeBytes(bytes, from, cut - from);
            p.parse(cum);
            cum.discardReadBytes(); // as the channel handler may compact between reads
            from = cut;
        }
        cum.writeBytes(bytes, from, bytes.length - from);
        p.parse(cum);
        assertEquals(0, cum.readableBytes(), "everything consumed");
        return h.ops;
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
    void unknownOperationIsReportedBeforeTheLineEnds() {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 4096, 1024);
        p.parse(Unpooled.copiedBuffer("PUX", StandardCharsets.US_ASCII));
        assertEquals(List.of("VIOLATION UNKNOWN_OPERATION"), h.ops);
    }

    @Test
    void controlLineLongerThanTheLimitIsRejectedWhileStillOpen() {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 64, 1024);
        p.parse(Unpooled.copiedBuffer("PUB " + "a".repeat(100), StandardCharsets.US_ASCII));
        assertEquals(List.of("VIOLATION MAX_CONTROL_LINE"), h.ops);
    }

    @Test
    void payloadOverMaxIsRejectedBeforeItArrives() {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 4096, 10);
        p.parse(Unpooled.copiedBuffer("PUB foo 11\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("VIOLATION MAX_PAYLOAD"), h.ops);
    }

    @Test
    void hpubWithoutHeaderSupportCloses() {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 4096, 1024);
        p.parse(Unpooled.copiedBuffer("HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("VIOLATION HEADERS_NOT_SUPPORTED"), h.ops);
    }

    @Test
    void nothingIsReportedAfterAViolation() {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 4096, 1024);
        p.parse(Unpooled.copiedBuffer("PING\r\nBAD\r\nPING\r\n", StandardCharsets.US_ASCII));
        p.parse(Unpooled.copiedBuffer("PING\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("PING", "VIOLATION UNKNOWN_OPERATION"), h.ops);
    }

    @Test
    void subAndUnsubSplitOnCrAndInfoIsReported() {
        RecordingHandler h = new RecordingHandler();
        ClientParser p = new ClientParser(h, 4096, 1024);
        p.parse(Unpooled.copiedBuffer("SUB foo\r1\r\nSUB bar\r q 2\r\nUNSUB 1\r\r\nINFO {\"a\":1}\r\n",
                StandardCharsets.US_ASCII));
        assertEquals(List.of("SUB foo null 1", "SUB bar q 2", "UNSUB 1 -1", "INFO {\"a\":1}"), h.ops);
    }

    @Test
    void anOperationBeforeConnectNeedsTheHandlersLeave() {
        RecordingHandler h = new RecordingHandler();
        h.refuseBeforeConnect = true;
        ClientParser p = new ClientParser(h, 4096, 1024);
        p.parse(Unpooled.copiedBuffer("PING\r\nPING\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("REFUSED"), h.ops);
        RecordingHandler ok = new RecordingHandler();
        ok.refuseBeforeConnect = true;
        ClientParser q = new ClientParser(ok, 4096, 1024);
        q.parse(Unpooled.copiedBuffer("CONNECT {}\r\nPING\r\n", StandardCharsets.US_ASCII));
        assertEquals(List.of("CONNECT {}", "PING"), ok.ops);
    }

    /**
     * Mutated and random input: the parser only ever reports operations or one violation,
     * never throws, never reads past what it was given, and always terminates.
     */
    @Test
    void fuzzedInputNeverBreaksTheParser() {
        Random rnd = new Random(42);
        byte[] base = STREAM.getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = "PUBSHINGOCTX+-ERK 0123456789\r\n\t.*>{}".getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + 3_000_000_000L;
        int runs = 0;
        // At least MIN_RUNS cases however loaded the machine is, more while the time budget lasts.
        while (runs < 20_000 && (runs < MIN_RUNS || System.nanoTime() < deadline)) {
            byte[] input = base.clone();
            int mutations = 1 + rnd.nextInt(6);
            for (int m = 0; m < mutations; m++) {
                int pos = rnd.nextInt(input.length);
                input[pos] = rnd.nextBoolean() ? alphabet[rnd.nextInt(alphabet.length)] : (byte) rnd.nextInt(256);
            }
            RecordingHandler h = new RecordingHandler();
            ClientParser p = new ClientParser(h, 128, 4096);
            p.setHeadersAllowed(rnd.nextBoolean());
            h.refuseBeforeConnect = rnd.nextInt(4) == 0;
            ByteBuf cum = Unpooled.buffer();
            int from = 0;
            while (from < input.length && !p.isStopped()) {
                int to = Math.min(input.length, from + 1 + rnd.nextInt(16));
                cum.writeBytes(input, from, to - from);
                p.parse(cum);
                cum.discardReadBytes();
                from = to;
            }
            long violations = h.ops.stream().filter(o -> o.startsWith("VIOLATION")).count();
            assertTrue(violations <= 1, "at most one violation: " + h.ops);
            if (violations == 1) assertTrue(h.ops.get(h.ops.size() - 1).startsWith("VIOLATION"));
            if (h.ops.contains("REFUSED")) assertEquals(List.of("REFUSED"), h.ops, "a refusal is the first and last word");
            runs++;
        }
        assertTrue(runs >= MIN_RUNS, "fuzz ran " + runs + " cases");
    }
}
