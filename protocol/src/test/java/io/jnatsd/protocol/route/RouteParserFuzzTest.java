package io.jnatsd.protocol.route;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and random input: the parser only ever reports operations and at most one
 * violation (its last word), never throws, never hands over anything outside the bytes it was
 * given, and always returns. Fixed seeds, so a failure reproduces; bounded by time, not runs.
 */
class RouteParserFuzzTest {
    private static final int MIN_RUNS = 2000;
    private static final String VALID = "INFO {\"server_id\":\"S\"}\r\nCONNECT {}\r\nPING\r\nPONG\r\n+OK\r\n"
            + "-ERR 'x'\r\nRS+ $G a\r\nRS+ $G a q 2\r\nRS- $G a q\r\nLS+ o $G b\r\nLS- $G b\r\n"
            + "RMSG $G s 3\r\nabc\r\nRMSG $G s r 0\r\n\r\nRMSG $G s + r q1 q2 1\r\nx\r\nRMSG $G s | q1 1\r\ny\r\n"
            + "HMSG $G s 5 7\r\nH:1\r\nhi\r\nHMSG $G s | q 5 5\r\nH:1\r\n\r\n"
            + "LMSG o $G s 0 2\r\nhi\r\nLMSG o $G s + r q 5 7\r\nH:1\r\nhi\r\n";
    private static final byte[] ALPHABET = "RSLMHGINFOCTPXK+-|$ 0123456789\r\n\t.*>{}q".getBytes(StandardCharsets.US_ASCII);
    private static final long BUDGET_NANOS = 2_000_000_000L;

    @Test
    void mutatedAndRandomInputNeverBreaksTheParser() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Random rnd = new Random(4242);
            byte[] base = VALID.getBytes(StandardCharsets.US_ASCII);
            long deadline = System.nanoTime() + BUDGET_NANOS;
            int runs = 0;
            // At least MIN_RUNS cases however loaded the machine is, more while the time budget lasts.
            while (runs < MIN_RUNS || System.nanoTime() < deadline) {
                byte[] input = runs % 4 == 3 ? randomBytes(rnd) : mutate(base, rnd);
                runOnce(input, rnd);
                runs++;
            }
            assertTrue(runs >= MIN_RUNS, "fuzz ran " + runs + " cases");
        });
    }

    private static byte[] mutate(byte[] base, Random rnd) {
        byte[] input = base.clone();
        int mutations = 1 + rnd.nextInt(6);
        for (int m = 0; m < mutations; m++) {
            int pos = rnd.nextInt(input.length);
            input[pos] = rnd.nextBoolean() ? ALPHABET[rnd.nextInt(ALPHABET.length)] : (byte) rnd.nextInt(256);
        }
        return input;
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] input = new byte[1 + rnd.nextInt(200)];
        boolean printable = rnd.nextBoolean();
        for (int i = 0; i < input.length; i++) {
            input[i] = printable ? ALPHABET[rnd.nextInt(ALPHABET.length)] : (byte) rnd.nextInt(256);
        }
        return input;
    }

    private static void runOnce(byte[] input, Random rnd) {
        Checker h = new Checker();
        RouteParser p = new RouteParser(h, 4096, 256);
        ByteBuf cum = Unpooled.buffer();
        h.buffer = cum;
        int from = 0;
        while (from < input.length && !p.isStopped()) {
            int to = Math.min(input.length, from + 1 + rnd.nextInt(16));
            cum.writeBytes(input, from, to - from);
            p.parse(cum);
            assertTrue(cum.readerIndex() <= cum.writerIndex());
            cum.discardReadBytes();
            from = to;
        }
        // Whatever is left is one unfinished frame: parsing it again reports nothing new.
        int before = h.operations;
        p.parse(cum);
        assertTrue(p.isStopped() || h.operations == before, "a second pass over the rest reported more");
    }

    /** Touches everything a handler may read and checks it lies inside the read bytes. */
    private static final class Checker implements RouteOpHandler {
        ByteBuf buffer;
        int operations;
        private boolean violated;

        private void op() {
            assertTrue(!violated, "a callback after the violation");
            operations++;
        }

        @Override public void onInfo(ByteBuf json) { op(); json.toString(StandardCharsets.UTF_8); }

        @Override public void onConnect(ByteBuf json) { op(); json.toString(StandardCharsets.UTF_8); }

        @Override public void onPing() { op(); }

        @Override public void onPong() { op(); }

        @Override public void onOk() { op(); }

        @Override public void onErr(String text) { op(); }

        @Override
        public void onRemoteSubscribe(String account, String subject, String queue, int weight, String origin) {
            op();
            assertTrue(!account.isEmpty() && !subject.isEmpty());
            assertTrue(queue == null ? weight == 0 : weight > 0);
        }

        @Override
        public void onRemoteUnsubscribe(String account, String subject, String queue, boolean leafOrigin) {
            op();
            assertTrue(!account.isEmpty() && !subject.isEmpty());
        }

        @Override
        public void onRoutedMessage(RoutedMessage rm) {
            op();
            InboundMessage m = rm.message();
            assertTrue(!rm.account().isEmpty() && !m.subject().isEmpty());
            for (int i = 0; i < rm.queueCount(); i++) assertTrue(!rm.queue(i).isEmpty());
            m.reply();
            assertTrue(m.headerLength() <= m.totalLength() && m.totalLength() <= 4096);
            ByteBuf data = m.data();
            assertTrue(data.readableBytes() == m.totalLength());
            m.headers();
            m.payload();
            // The frame was consumed before the call: its data lies before the reader index.
            assertTrue(buffer.readerIndex() >= 2 + m.totalLength());
        }

        @Override
        public void onViolation(ProtocolViolation violation) {
            op();
            violated = true;
        }
    }
}
