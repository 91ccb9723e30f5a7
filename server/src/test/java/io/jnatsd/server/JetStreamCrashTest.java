package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.ChildJnatsd;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGKILL in the middle of a publish storm. A child jnatsd ({@code Main -js -sd DIR}) takes
 * asynchronous publishes from a client in this test, which records every PubAck; the child is
 * killed while publishes are still in flight and started again on the same store directory.
 * Every acknowledged message must be there, byte for byte, at the sequence its ack named, in
 * publish order. Once with the default sync interval (acks after the write to the OS), once
 * with {@code sync_interval: always} (acks after the group commit's fsync).
 */
class JetStreamCrashTest {
    @TempDir
    Path dir;

    private ChildJnatsd startChild(Path store, int port, boolean syncAlways) throws Exception {
        List<String> args;
        if (syncAlways) {
            Path conf = dir.resolve("server.conf");
            Files.writeString(conf, "jetstream { store_dir: \"" + store + "\", sync_interval: always }\n");
            args = List.of("-c", conf.toString());
        } else {
            args = List.of("-js", "-sd", store.toString());
        }
        return ChildJnatsd.start(port, dir.resolve("child.log"), List.of("-Xmx256m"), args);
    }

    /** Message {@code i}: its number and a length and content that vary with it. */
    private static byte[] payload(int i) {
        byte[] b = new byte[16 + (i * 37) % 700];
        byte[] head = ("msg-" + i + "-").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, b, 0, head.length);
        for (int k = head.length; k < b.length; k++) b[k] = (byte) (i * 31 + k);
        return b;
    }

    @ParameterizedTest(name = "sync always: {0}")
    @ValueSource(booleans = {false, true})
    void everyAcknowledgedPublishSurvivesSigkill(boolean syncAlways) throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        int port = TestServer.freePort();
        ChildJnatsd child = startChild(store, port, syncAlways);
        Map<Integer, Long> acked = new ConcurrentHashMap<>(); // message number -> sequence from its ack
        try {
            try (Connection c = child.connect()) {
                c.jetStreamManagement().addStream(StreamConfiguration.builder().name("CRASH").subjects("crash.>").build());
                JetStream js = c.jetStream();
                AtomicBoolean stop = new AtomicBoolean();
                Semaphore inFlight = new Semaphore(2000);
                Thread storm = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            if (!inFlight.tryAcquire(2, TimeUnit.SECONDS)) return;
                            int n = i;
                            CompletableFuture<PublishAck> f = js.publishAsync("crash." + (n % 8), payload(n));
                            f.whenComplete((ack, err) -> {
                                inFlight.release();
                                if (ack != null && !ack.hasError()) acked.put(n, ack.getSeqno());
                            });
                        }
                    } catch (Exception e) {
                        // the connection went away with the server: the storm is over
                    }
                }, "publish-storm");
                storm.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (acked.size() < 3000 && System.nanoTime() < deadline) Thread.sleep(5);
                child.kill(); // SIGKILL while publishes are in flight
                stop.set(true);
                storm.join(5000);
            }
        } finally {
            child.kill();
        }
        assertTrue(acked.size() >= 100, "only " + acked.size() + " acks before the kill");

        try (ChildJnatsd again = startChild(store, port, syncAlways); Connection c = again.connect()) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamInfo info = jsm.getStreamInfo("CRASH");
            TreeMap<Integer, Long> inOrder = new TreeMap<>(acked);
            long previous = 0;
            for (Map.Entry<Integer, Long> e : inOrder.entrySet()) {
                long seq = e.getValue();
                assertTrue(seq > previous, "message " + e.getKey() + " acked at " + seq + " after " + previous);
                previous = seq;
                var m = jsm.getMessage("CRASH", seq);
                assertEquals("crash." + (e.getKey() % 8), m.getSubject());
                assertArrayEquals(payload(e.getKey()), m.getData(), "message " + e.getKey() + " at " + seq);
            }
            assertTrue(info.getStreamState().getLastSequence() >= previous);
            PublishAck next = c.jetStream().publish("crash.after", new byte[] {1});
            assertEquals(info.getStreamState().getLastSequence() + 1, next.getSeqno());
        }
    }

    /**
     * A durable consumer half-way through a stream when the server is SIGKILLed: after the
     * restart it goes on from where its persisted state says, so no message is skipped, and
     * acknowledged messages come again only within at-least-once (the state written at most
     * every 100 ms, as upstream writes it): the ack floor survived.
     */
    @org.junit.jupiter.api.Test
    void aDurableConsumerResumesAfterSigkillWithoutSkipping() throws Exception {
        Path store = Files.createDirectories(dir.resolve("consumer-store"));
        int port = TestServer.freePort();
        int total = 400;
        int ackedBeforeKill = 250;
        java.util.Set<Long> acked = new java.util.TreeSet<>();
        ChildJnatsd child = startChild(store, port, false);
        try {
            try (Connection c = child.connect()) {
                JetStreamManagement jsm = c.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("WORK").subjects("work.>").build());
                JetStream js = c.jetStream();
                for (int i = 1; i <= total; i++) js.publish("work." + (i % 4), payload(i));
                jsm.addOrUpdateConsumer("WORK", io.nats.client.api.ConsumerConfiguration.builder().durable("C")
                        .ackPolicy(io.nats.client.api.AckPolicy.Explicit).ackWait(Duration.ofSeconds(30)).build());
                var sub = js.subscribe(null, io.nats.client.PullSubscribeOptions.bind("WORK", "C"));
                while (acked.size() < ackedBeforeKill) {
                    for (var m : sub.fetch(50, Duration.ofSeconds(5))) {
                        m.ackSync(Duration.ofSeconds(5));
                        acked.add(m.metaData().streamSequence());
                        if (acked.size() == ackedBeforeKill) break;
                    }
                }
                // Wait (bounded) until the consumer's state file has been written after the last ack.
                long lastAck = System.currentTimeMillis();
                Path state = store.resolve("jetstream").resolve("$G").resolve("streams").resolve("WORK")
                        .resolve("obs").resolve("C").resolve("o.dat");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < deadline
                        && !(Files.exists(state) && Files.getLastModifiedTime(state).toMillis() > lastAck)) {
                    Thread.sleep(10);
                }
                child.kill();
            }
        } finally {
            child.kill();
        }
        try (ChildJnatsd again = startChild(store, port, false); Connection c = again.connect()) {
            var sub = c.jetStream().subscribe(null, io.nats.client.PullSubscribeOptions.bind("WORK", "C"));
            java.util.List<Long> after = new ArrayList<>();
            while (true) {
                var batch = sub.fetch(100, Duration.ofSeconds(2));
                if (batch.isEmpty()) break;
                for (var m : batch) {
                    after.add(m.metaData().streamSequence());
                    assertArrayEquals(payload((int) m.metaData().streamSequence()), m.getData());
                    m.ackSync(Duration.ofSeconds(5));
                }
            }
            java.util.Set<Long> seen = new java.util.TreeSet<>(acked);
            seen.addAll(after);
            assertEquals(total, seen.size(), "no message skipped");
            long redeliveredAcked = after.stream().filter(acked::contains).count();
            assertEquals(0, redeliveredAcked, "acks persisted before the kill are not lost: " + after);
        }
    }
}
