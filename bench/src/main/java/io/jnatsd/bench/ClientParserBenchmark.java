package io.jnatsd.bench;

import io.jnatsd.protocol.client.ClientOpHandler;
import io.jnatsd.protocol.client.ClientParser;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ClientParser} over a read buffer of {@value #FRAMES} PUB frames (four subjects such as
 * one publisher would mix, every eighth with a reply), as one socket read would deliver them,
 * with a handler that only looks at what it is given. Scores are per frame; the steady state
 * should allocate nothing (any allocation here is the per-connection subject interner missing).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ClientParserBenchmark {
    static final int FRAMES = 64;
    private static final String[] SUBJECTS = {"orders.eu.created", "orders.us.created", "metrics.cpu", "logs.app.web-1"};

    @Param({"16", "1024"})
    public int payloadSize;

    private ByteBuf buffer;
    private ClientParser parser;
    private NoopHandler handler;

    @Setup(Level.Trial)
    public void setup(Blackhole bh) {
        buffer = Unpooled.directBuffer();
        buffer.writeBytes(frames(payloadSize).getBytes(StandardCharsets.ISO_8859_1));
        handler = new NoopHandler(bh);
        parser = new ClientParser(handler, 4096, 1024 * 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffer.release();
    }

    static String frames(int payloadSize) {
        String payload = "x".repeat(payloadSize);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < FRAMES; i++) {
            String subject = SUBJECTS[i % SUBJECTS.length];
            String reply = i % 8 == 7 ? " _INBOX.k3Jd8sW2pQ1x." + (i % 4) : "";
            sb.append("PUB ").append(subject).append(reply).append(' ').append(payloadSize).append("\r\n")
                    .append(payload).append("\r\n");
        }
        return sb.toString();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int parsePub() {
        buffer.readerIndex(0);
        parser.parse(buffer);
        return handler.published;
    }

    /** Touches what a router would read (subject, sizes), nothing more. */
    static final class NoopHandler implements ClientOpHandler {
        private final Blackhole bh;
        int published;

        NoopHandler(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void onPublish(InboundMessage msg) {
            published++;
            bh.consume(msg.subject());
            bh.consume(msg.payloadLength());
            bh.consume(msg.hasReply());
        }

        @Override public void onConnect(ByteBuf json) {}

        @Override public void onSubscribe(String subject, String queue, String sid) {}

        @Override public void onUnsubscribe(String sid, long max) {}

        @Override public void onPing() {}

        @Override public void onPong() {}

        @Override
        public void onViolation(ProtocolViolation violation) {
            throw new IllegalStateException("benchmark input rejected: " + violation);
        }
    }
}
