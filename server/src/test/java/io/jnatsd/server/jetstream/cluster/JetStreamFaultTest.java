package io.jnatsd.server.jetstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.ChildJnatsd;
import io.jnatsd.server.testing.FixedPorts;
import io.jnatsd.store.FileStore;
import io.jnatsd.store.StoreConfig;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamStore;
import io.nats.client.Connection;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication guarantee under faults: three jnatsd processes hold an R3 file stream while
 * publishers send numbered messages (each with a message id, retried until acknowledged) and a
 * seeded injector SIGKILLs any one server (the leader too) and restarts it, or SIGSTOPs one for
 * 1-4 s, one fault at a time. Then everything is healed, the servers are stopped, and each
 * server's copy of the stream is read from its files: every acknowledged message must be there
 * exactly once with its bytes, in each publisher's order, nothing may be there twice, and the
 * three copies must be the same.
 *
 * <p>{@code jnatsd.jsfault.seconds} (default 20) and {@code jnatsd.jsfault.seed} replay a run;
 * {@code bench/jetstream-faults.sh} runs it for longer.
 */
class JetStreamFaultTest {
    private static final int N = 3;
    private static final int PUBLISHERS = 3;
    private static final String STREAM = "FAULTS";

    /** Kept when the test fails: the nodes' logs and stores are the evidence. */
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private final long seconds = Long.getLong("jnatsd.jsfault.seconds", 20);
    private final long seed = Long.getLong("jnatsd.jsfault.seed", new SecureRandom().nextLong());
    private final int[] clientPorts = new int[N];
    private final int[] routePorts = new int[N];
    private final int[] raftPorts = new int[N];
    private final AtomicReferenceArray<ChildJnatsd> nodes = new AtomicReferenceArray<>(N);
    /** Per publisher, the numbers acknowledged, with the sequence the ack gave. */
    private final List<Map<Long, Long>> acked = new ArrayList<>();
    private final List<String> faults = Collections.synchronizedList(new ArrayList<>());

    @Test
    void acknowledgedPublishesSurviveKillsAndPausesOnEveryReplica() throws Exception {
        System.out.printf("JetStreamFaultTest: seed %d (-Djnatsd.jsfault.seed=%d), %d s, logs in %s%n", seed, seed, seconds, dir);
        FixedPorts ports = new FixedPorts();
        for (int i = 0; i < N; i++) {
            clientPorts[i] = ports.next();
            routePorts[i] = ports.next();
            raftPorts[i] = ports.next();
        }
        for (int i = 0; i < N; i++) Files.writeString(config(i), configText(i));
        try {
            for (int i = 0; i < N; i++) nodes.set(i, start(i));
            try (Connection c = connect()) {
                var jsm = c.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
                retry(() -> jsm.addStream(StreamConfiguration.builder().name(STREAM).subjects("f.>")
                        .storageType(StorageType.File).replicas(3).duplicateWindow(Duration.ofMinutes(10)).build()), 60);
            }
            for (int p = 0; p < PUBLISHERS; p++) acked.add(new ConcurrentHashMap<>());
            soak();
            heal();
            long total = acked.stream().mapToLong(Map::size).sum();
            assertTrue(total > 0, "nothing was acknowledged");
            awaitReplicasCaughtUp();
        } finally {
            for (int i = 0; i < N; i++) {
                ChildJnatsd n = nodes.get(i);
                if (n == null) continue;
                n.signal("CONT");
                n.close();
            }
        }
        List<List<StoredMessage>> copies = new ArrayList<>();
        for (int i = 0; i < N; i++) copies.add(readReplica(i));
        for (int i = 0; i < N; i++) checkReplica(i, copies.get(i));
        for (int i = 1; i < N; i++) assertSameCopies(copies.get(0), copies.get(i), i);
        System.out.printf("JetStreamFaultTest: passed: %d acknowledged, %d stored, faults %s%n",
                acked.stream().mapToLong(Map::size).sum(), copies.get(0).size(), faults);
    }

    private Path config(int i) {
        return dir.resolve("n" + i + ".conf");
    }

    private String configText(int i) {
        StringBuilder routes = new StringBuilder();
        for (int j = 0; j < N; j++) routes.append(j > 0 ? ", " : "").append("\"nats-route://127.0.0.1:").append(routePorts[j]).append('"');
        return "server_name: n" + i + "\n"
                + "jetstream { store_dir: \"" + dir.resolve("store" + i) + "\", raft_port: " + raftPorts[i] + " }\n"
                + "cluster {\n  name: faults\n  listen: \"127.0.0.1:" + routePorts[i] + "\"\n  routes: [" + routes + "]\n}\n";
    }

    private ChildJnatsd start(int i) throws Exception {
        return ChildJnatsd.start(clientPorts[i], dir.resolve("n" + i + ".log"), List.of("-Xmx256m"),
                List.of("-c", config(i).toString()));
    }

    private Connection connect() throws Exception {
        Options.Builder b = new Options.Builder().maxReconnects(-1).reconnectWait(Duration.ofMillis(100))
                .connectionTimeout(Duration.ofSeconds(5));
        for (int i = 0; i < N; i++) b.server("nats://127.0.0.1:" + clientPorts[i]);
        return Nats.connect(b.build());
    }

    // ---- the soak ----

    private void soak() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < PUBLISHERS; p++) {
            int pub = p;
            threads.add(Thread.ofPlatform().name("jsfault-pub-" + p).start(() -> {
                try {
                    publish(pub, stop);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        Random r = new Random(seed);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            Thread.sleep(1000 + r.nextInt(2000));
            int victim = r.nextInt(N);
            if (r.nextBoolean()) {
                faults.add("kill n" + victim);
                nodes.get(victim).kill();
                Thread.sleep(500 + r.nextInt(2500));
                nodes.set(victim, start(victim));
            } else {
                long pause = 1000 + r.nextInt(3000);
                faults.add("stop n" + victim + " " + pause + "ms");
                nodes.get(victim).signal("STOP");
                Thread.sleep(pause);
                nodes.get(victim).signal("CONT");
            }
        }
        stop.set(true);
        for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(60));
        if (!failures.isEmpty()) throw new AssertionError("a publisher failed: " + failures.get(0), failures.get(0));
    }

    /** Publishes numbered messages, each retried (same id) until acknowledged; the ack's sequence is recorded. */
    private void publish(int pub, AtomicBoolean stop) throws Exception {
        try (Connection c = connect()) {
            var js = c.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            for (long n = 1; !stop.get(); n++) {
                String id = "p" + pub + "-" + n;
                byte[] body = body(pub, n);
                while (true) {
                    try {
                        PublishAck ack = js.publish("f." + pub, body, PublishOptions.builder().messageId(id).build());
                        acked.get(pub).put(n, ack.getSeqno());
                        break;
                    } catch (Exception e) {
                        if (stop.get()) return; // the last one may or may not be there: it was never acknowledged
                        Thread.sleep(50);
                    }
                }
            }
        }
    }

    private static byte[] body(int pub, long n) {
        return ("p" + pub + "-" + n + "-" + "x".repeat((int) (n % 50))).getBytes(StandardCharsets.UTF_8);
    }

    private void heal() throws Exception {
        for (int i = 0; i < N; i++) {
            ChildJnatsd n = nodes.get(i);
            n.signal("CONT");
            if (!n.process().isAlive()) nodes.set(i, start(i));
        }
    }

    /** The leader's count reaches every acknowledged message and every replica's copy reaches the leader's last sequence. */
    private void awaitReplicasCaughtUp() throws Exception {
        long highestAck = acked.stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).max().orElse(0);
        long[] last = new long[1];
        try (Connection c = connect()) {
            var jsm = c.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            retry(() -> {
                long l = jsm.getStreamInfo(STREAM).getStreamState().getLastSequence();
                if (l < highestAck) throw new IllegalStateException("leader at " + l + " below the highest ack " + highestAck);
                last[0] = l;
                return l;
            }, 60);
            // a follower applies what the leader committed within a heartbeat or two: give every copy time to reach it
            retry(() -> {
                long l = jsm.getStreamInfo(STREAM).getStreamState().getLastSequence();
                var ci = jsm.getStreamInfo(STREAM).getClusterInfo();
                if (ci.getReplicas() == null || ci.getReplicas().size() != N - 1) throw new IllegalStateException("replicas " + ci.getReplicas());
                for (var rep : ci.getReplicas()) {
                    if (!rep.isCurrent()) throw new IllegalStateException(rep.getName() + " not current");
                }
                last[0] = l;
                return l;
            }, 60);
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T retry(Call<T> call, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                return call.run();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }

    // ---- the checker: each server's copy, read from its files ----

    private List<StoredMessage> readReplica(int i) throws Exception {
        Path streamDir = dir.resolve("store" + i).resolve("jetstream").resolve("$G").resolve("streams").resolve(STREAM);
        assertTrue(Files.isDirectory(streamDir), "n" + i + " holds no copy of the stream");
        List<StoredMessage> out = new ArrayList<>();
        try (StreamStore store = FileStore.open(streamDir, StoreConfig.builder(STREAM).storage(io.jnatsd.store.StorageType.FILE).build())) {
            long seq = 0;
            StoredMessage m;
            while ((m = store.loadNext(null, seq + 1)) != null) {
                out.add(m);
                seq = m.seq();
            }
        }
        return out;
    }

    private void checkReplica(int i, List<StoredMessage> copy) {
        Map<String, Long> seen = new HashMap<>();
        long[] lastOfPublisher = new long[PUBLISHERS];
        for (StoredMessage m : copy) {
            String text = new String(m.payload(), StandardCharsets.UTF_8);
            String[] f = text.split("-");
            int pub = Integer.parseInt(f[0].substring(1));
            long n = Long.parseLong(f[1]);
            String key = pub + "-" + n;
            Long before = seen.put(key, m.seq());
            if (before != null) throw new AssertionError("n" + i + " holds p" + key + " twice: at " + before + " and " + m.seq());
            assertEquals(new String(body(pub, n), StandardCharsets.UTF_8), text, "the bytes of p" + key + " on n" + i);
            assertTrue(n > lastOfPublisher[pub], "n" + i + ": p" + key + " after p" + pub + "-" + lastOfPublisher[pub]);
            lastOfPublisher[pub] = n;
        }
        for (int p = 0; p < PUBLISHERS; p++) {
            for (var e : acked.get(p).entrySet()) {
                Long at = seen.get(p + "-" + e.getKey());
                if (at == null) throw new AssertionError("n" + i + " lost acknowledged p" + p + "-" + e.getKey() + " (acked at " + e.getValue() + ")");
                assertEquals(e.getValue(), at, "p" + p + "-" + e.getKey() + " on n" + i + " is not where its ack said");
            }
        }
    }

    private static void assertSameCopies(List<StoredMessage> a, List<StoredMessage> b, int i) {
        assertEquals(a.size(), b.size(), "n0 and n" + i + " hold different counts");
        for (int k = 0; k < a.size(); k++) {
            StoredMessage x = a.get(k);
            StoredMessage y = b.get(k);
            assertEquals(x.seq(), y.seq(), "n" + i + " at position " + k);
            assertEquals(x.subject(), y.subject(), "n" + i + " at " + x.seq());
            assertEquals(x.timestampNanos(), y.timestampNanos(), "n" + i + " at " + x.seq());
            assertEquals(new String(x.payload(), StandardCharsets.UTF_8), new String(y.payload(), StandardCharsets.UTF_8));
        }
    }
}
