package io.jnatsd.bench;

import io.jnatsd.protocol.client.BenchMessages;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.client.MessageWriter;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MessageWriter#write} encoding one delivery (MSG, or HMSG with a reply and headers)
 * into a reused direct buffer, as a receiver's outbound buffer gets it. Zero allocation expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class MessageWriterBenchmark {
    private static final byte[] SID = "42".getBytes(StandardCharsets.US_ASCII);

    @Param({"16", "1024"})
    public int payloadSize;

    /** The outbound buffer's memory: the server writes deliveries into direct buffers today. */
    @Param({"heap", "direct"})
    public String outbound = "direct";

    private ByteBuf in;
    private ByteBuf out;
    private InboundMessage msg;
    private InboundMessage hmsg;

    @Setup(Level.Trial)
    public void setup() {
        String payload = "x".repeat(payloadSize);
        String headers = "NATS/1.0\r\nTrace-Id: 7f3a9c\r\n\r\n";
        in = Unpooled.directBuffer();
        int pubStart = in.writerIndex();
        in.writeBytes(("PUB orders.eu.created " + payloadSize + "\r\n" + payload + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        msg = BenchMessages.parseOne(in.slice(pubStart, in.writerIndex() - pubStart));
        int hpubStart = in.writerIndex();
        in.writeBytes(("HPUB orders.eu.created _INBOX.k3Jd8sW2pQ1x.7 " + headers.length() + " "
                + (headers.length() + payloadSize) + "\r\n" + headers + payload + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        hmsg = BenchMessages.parseOne(in.slice(hpubStart, in.writerIndex() - hpubStart));
        out = outbound.equals("heap") ? Unpooled.buffer(64 * 1024) : Unpooled.directBuffer(64 * 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        in.release();
        out.release();
    }

    @Benchmark
    public int writeMsg() {
        out.clear();
        return MessageWriter.write(out, msg, SID, true);
    }

    @Benchmark
    public int writeHmsg() {
        out.clear();
        return MessageWriter.write(out, hmsg, SID, true);
    }

    /** For tests: the encodings as text. */
    String encoded(boolean headers) {
        out.clear();
        MessageWriter.write(out, headers ? hmsg : msg, SID, true);
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
