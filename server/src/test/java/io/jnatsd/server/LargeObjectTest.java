package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.ChildJnatsd;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.SeededBytes;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.ObjectStore;
import io.nats.client.Options;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An object far larger than the server's heap goes into a file object store and comes back
 * byte for byte: the server must stream chunks through, never hold the object. The data comes
 * from a seeded generator and is compared by SHA-256 on the way out, so the test JVM holds no
 * more of it than the client's buffers either.
 */
class LargeObjectTest {
    private static final long MB = 1024 * 1024;
    /** The client's default chunk size, which the expected chunk count follows. */
    private static final int CHUNK = 128 * 1024;
    /**
     * Heap, and so direct memory: a server that buffered the object fails, and so did one whose
     * push consumer piled a run of chunks into one outbound buffer (a 20 MB allocation at 32 MB).
     */
    private static final String CHILD_HEAP = "-Xmx32m";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Impl.class)
    void tenMegabytesRoundTrip(Impl impl) throws Exception {
        try (TestServer s = TestServer.startJetStream(impl, dir); Connection c = connect(s.url())) {
            roundTrip(c, 10 * MB, 10);
        }
    }

    /** About 5 s here, so it is part of the default run. */
    @Test
    void hundredMegabytesThroughASmallHeap() throws Exception {
        long size = 100 * MB;
        Path store = Files.createDirectories(dir.resolve("store"));
        Path gcLog = dir.resolve("gc.log");
        List<String> jvm = List.of(CHILD_HEAP, "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog);
        try (ChildJnatsd child = ChildJnatsd.start(TestServer.freePort(), dir.resolve("child.log"), jvm,
                List.of("-js", "-sd", store.toString()))) {
            try (Connection c = connect(child.url())) {
                roundTrip(c, size, 20);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("jnatsd " + (child.process().isAlive() ? "is running" : "exited")
                        + "; its output:\n" + child.output(), e);
            }
            assertTrue(child.process().isAlive(), "jnatsd died: " + child.output());
            System.out.printf("LargeObjectTest: %d MB through jnatsd %s: peak RSS %d MB, largest heap after GC %d MB%n",
                    size / MB, CHILD_HEAP, peakRssKb(child.process().pid()) / 1024, largestHeapAfterGcMb(gcLog));
        }
    }

    /** The client's default listener logs every flow-control reply of the ordered consumer that reads the object. */
    private static Connection connect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).maxReconnects(0).errorListener(new ErrorListener() {}).build());
    }

    /**
     * Puts {@code size} seeded bytes as one object and reads it back through a digesting sink;
     * {@code seed} varies the data between tests.
     */
    private static void roundTrip(Connection c, long size, long seed) throws Exception {
        c.objectStoreManagement().create(ObjectStoreConfiguration.builder("LARGE").storageType(StorageType.File).build());
        ObjectStore os = c.objectStore("LARGE");
        byte[] sha256 = SeededBytes.sha256(seed, size);
        String digest = SeededBytes.objectDigest(sha256);

        ObjectInfo put;
        try (InputStream in = SeededBytes.stream(seed, size)) {
            put = os.put("big.bin", in);
        }
        long chunks = (size + CHUNK - 1) / CHUNK;
        assertEquals(size, put.getSize());
        assertEquals(chunks, put.getChunks());
        assertEquals(digest, put.getDigest());

        ObjectInfo stored = os.getInfo("big.bin");
        assertEquals(size, stored.getSize());
        assertEquals(chunks, stored.getChunks());
        assertEquals(digest, stored.getDigest());

        SeededBytes.Sink sink = new SeededBytes.Sink();
        ObjectInfo got = os.get("big.bin", sink);
        assertEquals(size, sink.count());
        assertArrayEquals(sha256, sink.digest(), "the bytes read back differ");
        assertEquals(digest, got.getDigest());
        assertTrue(os.getStatus().getSize() >= size, "the bucket's stream holds the chunks");
    }

    private static long peakRssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }

    /** The largest "before->after(capacity)" after-figure in a -Xlog:gc file, in MB. */
    private static long largestHeapAfterGcMb(Path gcLog) throws Exception {
        Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\(").matcher(Files.readString(gcLog));
        long max = 0;
        while (m.find()) max = Math.max(max, Long.parseLong(m.group(2)));
        return max;
    }
}
