package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.ChildJnatsd;
import io.jnatsd.server.testing.FixedPorts;
import io.jnatsd.server.testing.MonitorHttp;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault soak of three jnatsd processes clustered from the command line (all seeded with node 0;
 * node 1 reaches node 0 through an in-process TCP proxy that can cut the link). For
 * {@code jnatsd.soak.seconds} (default 15) a publisher on every node sends sequence-numbered
 * messages at a bounded rate ({@code jnatsd.soak.rate} msgs/s in all, default 1,500) to two plain
 * subjects, subscribed on every node, and to a queue group with a member on every node, while a
 * seeded fault injector ({@code jnatsd.soak.seed}) SIGSTOPs a node for 1–4 s, SIGKILLs one and
 * starts it again on the same ports, or cuts the proxied route for 1–4 s, one fault at a time.
 *
 * <p>Core NATS is at-most-once, so messages may be lost while a fault lasts; the test counts them.
 * What must hold: no subscriber gets a message twice or out of order (per publisher), no queue
 * message is taken twice, no loss between two nodes that no fault touched, every process is alive
 * at the end, the mesh re-forms once the last fault is healed, and then everything every node
 * publishes reaches every subscriber (and the queue group) exactly once. Each client connects to
 * its own node only and makes a new connection there when it loses one ({@link NodeClient}).
 *
 * <p>{@code bench/cluster-soak.sh} runs it for longer; {@code jnatsd.soak.dir} keeps the nodes'
 * debug logs and a report there, {@code jnatsd.soak.trace} has the nodes trace the protocol.
 */
class ClusterFaultSoakTest {
    private static final int N = 3;
    private static final String[] SUBJECTS = {"soak.a", "soak.b", "soak.q", "soak.final", "soak.finalq"};
    private static final int A = 0;
    private static final int B = 1;
    private static final int Q = 2;
    private static final int FINAL = 3;
    private static final int FINALQ = 4;
    private static final boolean[] QUEUE = {false, false, true, false, true};
    private static final String GROUP = "workers";
    /** The node pair whose route runs through the proxy: node 1 dials node 0 through it. */
    private static final int CUT_A = 0;
    private static final int CUT_B = 1;
    /** A gap is blamed on a fault touching its pair if it falls between the fault's start minus this ... */
    private static final long BLAME_BEFORE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** ... and the fault's healing plus this (stale-route detection, redial, gossip). */
    private static final long BLAME_AFTER_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int FINAL_PER_SUBJECT = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tempDir;
    /** Where the nodes' config files and logs go: {@code jnatsd.soak.dir} (kept), else a temporary directory. */
    private Path dir;

    private final long seconds = Long.getLong("jnatsd.soak.seconds", 15);
    private final long seed = Long.getLong("jnatsd.soak.seed", new SecureRandom().nextLong());
    private final int rate = Integer.getInteger("jnatsd.soak.rate", 1500);
    /** {@code jnatsd.soak.trace}: the nodes trace every protocol line (-DV), for a short diagnostic run. */
    private static final boolean TRACE = Boolean.getBoolean("jnatsd.soak.trace");

    private final int[] clientPorts = new int[N];
    private final int[] routePorts = new int[N];
    private final int[] httpPorts = new int[N];
    private final AtomicReferenceArray<ChildJnatsd> nodes = new AtomicReferenceArray<>(N);
    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private final Checker checker = new Checker();
    private final Publisher[] publishers = new Publisher[N];
    private final NodeClient[] pubs = new NodeClient[N];
    private final NodeClient[] subs = new NodeClient[N];
    /** Test phases and client events (connection state, errors), with their time since the start. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private LinkProxy proxy;
    private long t0;

    @Test
    void aClusterUnderRandomFaultsNeitherDuplicatesNorReordersAndHealsCompletely() throws Exception {
        String keep = System.getProperty("jnatsd.soak.dir", "");
        dir = keep.isEmpty() ? tempDir : Files.createDirectories(Path.of(keep));
        System.out.printf("ClusterFaultSoakTest: seed %d (-Djnatsd.soak.seed=%d), %d s, %d msgs/s, logs in %s%n",
                seed, seed, seconds, rate, keep.isEmpty() ? "a temporary directory" : dir);
        FixedPorts ports = new FixedPorts();
        for (int i = 0; i < N; i++) {
            clientPorts[i] = ports.next();
            routePorts[i] = ports.next();
            httpPorts[i] = ports.next();
            Files.writeString(config(i), "http: \"127.0.0.1:" + httpPorts[i] + "\"\n"
                    + "cluster {\n  ping_interval: \"1s\"\n  ping_max: 2\n}\n");
        }
        proxy = new LinkProxy(routePorts[CUT_A]);
        t0 = System.nanoTime();
        try {
            for (int i = 0; i < N; i++) nodes.set(i, start(i));
            for (int i = 0; i < N; i++) {
                pubs[i] = new NodeClient(i, false);
                subs[i] = new NodeClient(i, true);
            }
            event("started; mesh?");
            awaitMesh(Duration.ofSeconds(30), "the cluster never formed");
            event("mesh formed; soak");
            if (proxy.accepted() == 0) throw fail("node " + CUT_B + " never routed through the proxy");

            soak();
            event("soak over; mesh?");
            awaitMesh(Duration.ofSeconds(60), "the mesh did not re-form after the last fault");
            Thread.sleep(1000);
            event("mesh re-formed; still?");
            awaitMesh(Duration.ofSeconds(30), "the mesh did not stay formed");
            event("mesh stable; final phase");
            finalPhase();
            event("final phase over");
            check();
            System.out.println("ClusterFaultSoakTest: passed\n" + summary());
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e + context(), e);
        } finally {
            if (!keep.isEmpty()) writeReport();
            for (NodeClient c : pubs) if (c != null) c.close();
            for (NodeClient c : subs) if (c != null) c.close();
            for (int i = 0; i < N; i++) {
                ChildJnatsd n = nodes.get(i);
                if (n == null) continue;
                signal(n, "CONT");
                n.close();
            }
            proxy.close();
        }
    }

    // ---- the soak ------------------------------------------------------------------------------

    private void soak() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] threads = new Thread[N];
        for (int i = 0; i < N; i++) {
            publishers[i] = new Publisher(i, pubs[i]);
            int node = i;
            threads[i] = Thread.ofPlatform().name("soak-pub-" + i).start(() -> publishers[node].run(stop, rate / (double) N));
        }
        AtomicReference<Throwable> injectorFailed = new AtomicReference<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread injector = Thread.ofPlatform().name("soak-faults").start(() -> {
            try {
                injectFaults(new Random(seed), end);
            } catch (Throwable t) {
                injectorFailed.set(t);
            }
        });
        injector.join();
        stop.set(true);
        for (Thread t : threads) t.join();
        if (injectorFailed.get() instanceof AssertionError e) throw e;
        if (injectorFailed.get() != null) {
            throw new AssertionError("the fault injector failed: " + injectorFailed.get() + context(), injectorFailed.get());
        }
        for (int i = 0; i < N; i++) {
            if (!nodes.get(i).process().isAlive()) throw fail("node " + i + " died (exit " + nodes.get(i).process().exitValue() + ")");
        }
    }

    /**
     * One fault at a time until {@code end}: every choice comes from {@code rnd} (drawn whatever the
     * fault, so a seed gives the same sequence), and every fault is healed before the next one.
     */
    private void injectFaults(Random rnd, long end) throws Exception {
        Thread.sleep(1000 + rnd.nextInt(1000));
        while (System.nanoTime() < end) {
            int kind = rnd.nextInt(3);
            int node = rnd.nextInt(N);
            int lasts = 1000 + rnd.nextInt(3001);
            int down = rnd.nextInt(1000);
            int pause = 500 + rnd.nextInt(2000);
            long start = System.nanoTime();
            String detail;
            switch (kind) {
                case 0 -> {
                    ChildJnatsd n = nodes.get(node);
                    requireAlive(node);
                    signal(n, "STOP");
                    Thread.sleep(lasts);
                    signal(n, "CONT");
                    detail = "SIGSTOP n" + node + " for " + lasts + " ms";
                }
                case 1 -> {
                    requireAlive(node);
                    nodes.get(node).kill();
                    Thread.sleep(down);
                    long restart = System.nanoTime();
                    nodes.set(node, start(node));
                    detail = "SIGKILL n" + node + ", down " + down + " ms, restarted in " + millis(System.nanoTime() - restart) + " ms";
                }
                default -> {
                    int dropped = proxy.cut();
                    Thread.sleep(lasts);
                    proxy.heal();
                    node = -1;
                    detail = "cut n" + CUT_A + "-n" + CUT_B + " for " + lasts + " ms (" + dropped + " proxied connections dropped)";
                }
            }
            Fault f = new Fault(faults.size() + 1, kind, node, start, System.nanoTime(), detail);
            faults.add(f);
            event("fault " + f);
            Thread.sleep(pause);
        }
    }

    private void requireAlive(int node) {
        Process p = nodes.get(node).process();
        if (!p.isAlive()) throw fail("node " + node + " died before a fault (exit " + p.exitValue() + ")");
    }

    // ---- the final phase -----------------------------------------------------------------------

    /** Every node publishes to every node: everything must arrive exactly once. */
    private void finalPhase() throws Exception {
        for (Publisher p : publishers) {
            for (int k = 0; k < FINAL_PER_SUBJECT; k++) {
                p.publish(FINAL);
                p.publish(FINALQ);
            }
        }
        for (NodeClient c : pubs) flush(c);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!checker.finalComplete() && System.nanoTime() < deadline) Thread.sleep(50);
        Thread.sleep(500); // anything more would be a duplicate
        for (Publisher p : publishers) {
            if (p.seq[FINAL] != FINAL_PER_SUBJECT || p.seq[FINALQ] != FINAL_PER_SUBJECT) {
                throw fail("publisher on n" + p.node + " could not send the final messages: " + p.failures + " failures, last " + p.lastFailure);
            }
        }
    }

    private void check() {
        List<String> problems = new ArrayList<>();
        synchronized (checker) {
            if (checker.duplicates > 0) problems.add(checker.duplicates + " duplicate deliveries");
            if (checker.reorders > 0) problems.add(checker.reorders + " deliveries out of order");
            if (checker.queueTwice > 0) problems.add(checker.queueTwice + " queue messages taken twice");
            if (checker.malformed > 0) problems.add(checker.malformed + " malformed messages");
            for (int j = 0; j < N; j++) {
                for (int i = 0; i < N; i++) {
                    long got = checker.count[j][FINAL][i];
                    if (got != FINAL_PER_SUBJECT) {
                        problems.add("final phase: subscriber on n" + j + " got " + got + " of " + FINAL_PER_SUBJECT + " from n" + i);
                    }
                }
            }
            for (int i = 0; i < N; i++) {
                long taken = checker.taken[FINALQ][i].cardinality();
                if (taken != FINAL_PER_SUBJECT) {
                    problems.add("final phase: the queue group took " + taken + " of " + FINAL_PER_SUBJECT + " from n" + i);
                }
            }
        }
        List<String> unexplained = unexplainedGaps();
        if (!unexplained.isEmpty()) {
            problems.add(unexplained.size() + " losses between nodes no fault touched: "
                    + String.join("; ", unexplained.subList(0, Math.min(10, unexplained.size()))));
        }
        for (int i = 0; i < N; i++) {
            if (!nodes.get(i).process().isAlive()) problems.add("node " + i + " is not alive");
        }
        if (!problems.isEmpty()) throw fail(String.join("\n", problems));
    }

    // ---- gaps ----------------------------------------------------------------------------------

    /** Every run of lost plain messages (soak subjects), including those never followed by a later one. */
    private List<Gap> allGaps() {
        List<Gap> all;
        synchronized (checker) {
            all = new ArrayList<>(checker.gaps);
            for (int j = 0; j < N; j++) {
                for (int s : new int[] {A, B}) {
                    for (int i = 0; i < N; i++) {
                        long sent = publishers[i].seq[s];
                        long last = checker.last[j][s][i];
                        if (last < sent) all.add(new Gap(i, j, s, last + 1, sent));
                    }
                }
            }
        }
        return all;
    }

    private List<String> unexplainedGaps() {
        List<String> out = new ArrayList<>();
        List<Fault> fs = List.copyOf(faults);
        for (Gap g : allGaps()) {
            long from = publishers[g.pub].sentAt[g.subject].get(g.from - 1);
            long to = publishers[g.pub].sentAt[g.subject].get(g.to - 1);
            boolean blamed = fs.stream().anyMatch(f -> f.touches(g.pub, g.sub)
                    && from <= f.healed + BLAME_AFTER_NANOS && to >= f.started - BLAME_BEFORE_NANOS);
            if (!blamed) {
                out.add(String.format(Locale.ROOT, "n%d->n%d %s seq %d-%d (%d msgs) sent at %.3f-%.3f s",
                        g.pub, g.sub, SUBJECTS[g.subject], g.from, g.to, g.to - g.from + 1, secs(from), secs(to)));
            }
        }
        return out;
    }

    // ---- mesh ----------------------------------------------------------------------------------

    /**
     * Every client connected, and a probe from every node's publisher reaches every node's
     * subscriber connection. The probes are subscribed after the soak subscriptions on the same
     * connection and a server passes a connection's interest on in order, so the soak
     * subscriptions' interest has crossed every route too.
     */
    private void awaitMesh(Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (NodeClient c : concat(pubs, subs)) {
            while (!c.connected()) {
                if (System.nanoTime() > deadline) throw fail(what + ": " + c.name + " cannot connect to its node");
                Thread.sleep(50);
            }
        }
        for (NodeClient c : pubs) flush(c);
        Subscription[] probes = new Subscription[N];
        for (int j = 0; j < N; j++) {
            probes[j] = subs[j].conn.subscribe("soak.probe." + j + "." + NUID.nextGlobal());
            flush(subs[j]);
        }
        for (int j = 0; j < N; j++) {
            for (int i = 0; i < N; i++) {
                String from = Integer.toString(i);
                boolean arrived = false;
                while (!arrived) {
                    if (System.nanoTime() > deadline) {
                        throw fail(what + ": a probe from n" + i + " never reached n" + j + "\nroutes:\n" + routes());
                    }
                    pubs[i].conn.publish(probes[j].getSubject(), bytes(from));
                    flushQuietly(pubs[i].conn);
                    Message m;
                    while (!arrived && (m = probes[j].nextMessage(Duration.ofMillis(100))) != null) arrived = from.equals(text(m));
                }
            }
        }
        for (Subscription p : probes) p.unsubscribe();
    }

    /**
     * The server's side of the test's connection {@code name} ("sub-n2"): its /connz entries, the
     * kernel's socket queues on the node's client port, a thread dump of the node (in a file), and
     * whether the node answers a new client.
     */
    private String diagnose(String name) {
        int node = name.charAt(name.length() - 1) - '0';
        StringBuilder b = new StringBuilder("its server's /connz: ");
        try {
            JsonNode z = JSON.readTree(new MonitorHttp("http://127.0.0.1:" + httpPorts[node]).get("/connz?subs=1&limit=1000").body());
            for (JsonNode c : z.path("connections")) if (name.equals(c.path("name").asText())) b.append(c).append(' ');
            if (z.path("connections").isEmpty()) b.append("no open connection named ").append(name);
        } catch (Exception e) {
            b.append("/connz failed: ").append(e);
        }
        b.append("\nsockets on n").append(node).append("'s client port (ss -tni):\n")
                .append(run("ss", "-tni", "( sport = :" + clientPorts[node] + " or dport = :" + clientPorts[node] + " )"));
        Path dump = dir.resolve("n" + node + "-threads-" + String.format(Locale.ROOT, "%.0f", secs(System.nanoTime())) + "s.txt");
        String jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd").toString();
        try {
            Files.writeString(dump, run(jcmd, Long.toString(nodes.get(node).process().pid()), "Thread.print"));
            b.append("thread dump of n").append(node).append(": ").append(dump);
            Path self = dir.resolve("test-threads-" + String.format(Locale.ROOT, "%.0f", secs(System.nanoTime())) + "s.txt");
            Files.writeString(self, threadDump()); // in-process: jcmd attaching to this JVM froze it once
            b.append(", of this test's JVM (the clients): ").append(self);
        } catch (IOException | RuntimeException e) {
            b.append("no thread dump: ").append(e);
        }
        try (Connection fresh = Nats.connect(new Options.Builder().server(nodes.get(node).url()).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(2)).build())) {
            fresh.flush(Duration.ofSeconds(2));
            b.append("\na new client of n").append(node).append(" gets its PONG");
        } catch (Exception e) {
            b.append("\na new client of n").append(node).append(" gets no PONG: ").append(e);
        }
        return b.toString();
    }

    private static String threadDump() {
        StringBuilder b = new StringBuilder();
        for (java.lang.management.ThreadInfo t : java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) b.append(" on ").append(t.getLockName());
            if (t.getLockOwnerName() != null) b.append(" owned by \"").append(t.getLockOwnerName()).append('"');
            b.append('\n');
            for (StackTraceElement e : t.getStackTrace()) b.append("\tat ").append(e).append('\n');
            for (java.lang.management.LockInfo l : t.getLockedSynchronizers()) b.append("\t- holds ").append(l).append('\n');
            b.append('\n');
        }
        return b.toString();
    }

    /** What a command prints (stdout and stderr) within 20 s; one still running then is killed. */
    private static String run(String... cmd) {
        try {
            Path out = Files.createTempFile("soak-cmd", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                boolean done = p.waitFor(20, TimeUnit.SECONDS);
                if (!done) p.destroyForcibly();
                return Files.readString(out) + (done ? "" : "\n(" + String.join(" ", cmd) + " killed after 20 s)\n");
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException | InterruptedException e) {
            return String.join(" ", cmd) + " failed: " + e + "\n";
        }
    }

    /** Each node's routes as its /routez reports them (for failure messages). */
    private String routes() {
        Map<String, String> names = new HashMap<>();
        String[] ids = new String[N];
        for (int i = 0; i < N; i++) {
            try {
                ids[i] = JSON.readTree(new MonitorHttp("http://127.0.0.1:" + httpPorts[i]).get("/varz").body()).path("server_id").asText();
                names.put(ids[i], "n" + i);
            } catch (Exception e) {
                ids[i] = "?";
            }
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < N; i++) {
            b.append("  n").append(i).append(" (").append(ids[i]).append(", route port ").append(routePorts[i]).append("): ");
            try {
                JsonNode z = JSON.readTree(new MonitorHttp("http://127.0.0.1:" + httpPorts[i]).get("/routez").body());
                b.append(z.path("num_routes").asInt()).append(" routes");
                for (JsonNode r : z.path("routes")) {
                    String id = r.path("remote_id").asText();
                    b.append(" [to ").append(names.getOrDefault(id, id))
                            .append(r.path("did_solicit").asBoolean() ? ", solicited " : ", accepted ")
                            .append(r.path("ip").asText()).append(':').append(r.path("port").asText()).append(']');
                }
            } catch (Exception e) {
                b.append("/routez failed: ").append(e);
            }
            b.append('\n');
        }
        b.append("  (node 1 dials node 0 through the proxy on port ").append(proxy.port()).append(")\n");
        return b.toString();
    }

    // ---- nodes and clients ---------------------------------------------------------------------

    private Path config(int i) {
        return dir.resolve("n" + i + ".conf");
    }

    private ChildJnatsd start(int i) throws Exception {
        List<String> args = new ArrayList<>(List.of(TRACE ? "-DV" : "-D", "-n", "n" + i, "-c", config(i).toString(), "--cluster_name", "soak",
                "--cluster", "nats://127.0.0.1:" + routePorts[i]));
        if (i == CUT_B) args.addAll(List.of("--routes", "nats-route://127.0.0.1:" + proxy.port()));
        else if (i != CUT_A) args.addAll(List.of("--routes", "nats-route://127.0.0.1:" + routePorts[CUT_A]));
        return ChildJnatsd.start(clientPorts[i], log(i), List.of("-Xmx256m"), args);
    }

    private Path log(int i) {
        return dir.resolve("n" + i + ".log");
    }

    /**
     * The test's client of one node: a publisher, or a subscriber to every soak subject (the queue
     * subjects in {@link #GROUP}). It reconnects to its own node only, for ever, and ignores the
     * servers it is told of. It makes a new connection itself rather than let jnats reconnect:
     * jnats 2.25.1's reconnect can leave its writer waiting for the end of the reconnect for good
     * (nats-io/nats.java#1522), the client then sending nothing more while it says it is connected;
     * this test saw that, with the kernel's counters showing the client's socket idle and a thread
     * dump showing its writer polling the reconnect queue (NatsConnectionWriter.java:224).
     */
    private final class NodeClient {
        final int node;
        final boolean subscriber;
        final String name;
        /** The current connection; a new one after each loss. */
        volatile Connection conn;
        /** Increased before each new subscriber connection subscribes: its messages come from this generation. */
        volatile int generation;
        final AtomicLong reconnects = new AtomicLong();
        private volatile boolean stopped;
        private final Thread supervisor;

        NodeClient(int node, boolean subscriber) throws Exception {
            this.node = node;
            this.subscriber = subscriber;
            this.name = (subscriber ? "sub-n" : "pub-n") + node;
            conn = open();
            supervisor = Thread.ofPlatform().daemon().name("soak-" + name).start(this::supervise);
        }

        boolean connected() {
            return conn.getStatus() == Connection.Status.CONNECTED;
        }

        /** Replaces a connection that is closed, or has not been connected for 2 s, by a new one. */
        private void supervise() {
            long notConnectedSince = 0;
            while (!stopped) {
                Connection c = conn;
                Connection.Status st = c.getStatus();
                long now = System.nanoTime();
                if (st == Connection.Status.CONNECTED) notConnectedSince = 0;
                else if (notConnectedSince == 0) notConnectedSince = now;
                boolean dead = st == Connection.Status.CLOSED
                        || (notConnectedSince != 0 && now - notConnectedSince > TimeUnit.SECONDS.toNanos(2));
                try {
                    if (!dead) {
                        Thread.sleep(50);
                        continue;
                    }
                    closeQuietly(c);
                    try {
                        conn = open();
                        notConnectedSince = 0;
                        reconnects.incrementAndGet();
                        event(name + " connected again");
                    } catch (IOException | TimeoutException | IllegalStateException e) {
                        Thread.sleep(250); // its node is down, stopped or not listening yet
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private Connection open() throws IOException, InterruptedException, TimeoutException {
            ConnectionListener listener = (c, e) -> {
                if (c == conn && e != ConnectionListener.Events.DISCOVERED_SERVERS && e != ConnectionListener.Events.RESUBSCRIBED
                        && e != ConnectionListener.Events.CONNECTED) {
                    event(name + " " + e);
                }
            };
            ErrorListener errors = new ErrorListener() {
                @Override
                public void errorOccurred(Connection c, String error) {
                    event(name + " error " + error);
                }

                @Override
                public void slowConsumerDetected(Connection c, Consumer consumer) {
                    event(name + " slow consumer");
                }

                @Override
                public void exceptionOccurred(Connection c, Exception e) {
                    if (c == conn) event(name + " exception " + e);
                }
            };
            Options o = new Options.Builder().server("nats://127.0.0.1:" + clientPorts[node]).connectionName(name)
                    .ignoreDiscoveredServers().noRandomize().maxReconnects(0).connectionTimeout(Duration.ofSeconds(5))
                    .connectionListener(listener).errorListener(errors).build();
            Connection c = Nats.connect(o);
            if (!subscriber) return c;
            try {
                int g = ++generation;
                Dispatcher d = c.createDispatcher(m -> checker.onMessage(node, g != generation, subjectIndex(m.getSubject()), m.getData()));
                d.setPendingLimits(-1, -1);
                for (int s = 0; s < SUBJECTS.length; s++) {
                    if (QUEUE[s]) d.subscribe(SUBJECTS[s], GROUP);
                    else d.subscribe(SUBJECTS[s]);
                }
                c.flush(Duration.ofSeconds(5));
                return c;
            } catch (TimeoutException | RuntimeException | InterruptedException e) {
                closeQuietly(c);
                throw e;
            }
        }

        void close() throws InterruptedException {
            stopped = true;
            supervisor.interrupt();
            supervisor.join(5000);
            closeQuietly(conn);
        }
    }

    private static int subjectIndex(String subject) {
        for (int s = 0; s < SUBJECTS.length; s++) if (SUBJECTS[s].equals(subject)) return s;
        return -1;
    }

    private static void signal(ChildJnatsd n, String signal) throws IOException, InterruptedException {
        n.signal(signal);
    }

    /** A PING round trip with a client's server, or a failure naming it. */
    private void flush(NodeClient client) {
        Connection c = client.conn;
        String name = client.name;
        try {
            c.flush(Duration.ofSeconds(5));
        } catch (Exception e) {
            throw fail(name + " got no PONG within 5 s (" + e + "), status " + c.getStatus() + "\nclient statistics: "
                    + c.getStatistics().toString().replace('\n', ' ') + "\n" + diagnose(name));
        }
    }

    private static void flushQuietly(Connection c) {
        try {
            c.flush(Duration.ofSeconds(2));
        } catch (Exception ignored) {
            // a node under a fault: the caller retries or does not care
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing after the test
        }
    }

    private static NodeClient[] concat(NodeClient[] a, NodeClient[] b) {
        NodeClient[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    // ---- reporting -----------------------------------------------------------------------------

    private void event(String what) {
        String e = String.format(Locale.ROOT, "%.3f %s", secs(System.nanoTime()), what);
        events.add(e);
        if (!what.startsWith("pub-") && !what.startsWith("sub-")) System.out.println("ClusterFaultSoakTest: " + e);
    }

    private double secs(long nanos) {
        return (nanos - t0) / 1e9;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private AssertionError fail(String what) {
        return new AssertionError(what + context());
    }

    private String context() {
        StringBuilder b = new StringBuilder("\n\nseed ").append(seed).append(" (rerun: -Djnatsd.soak.seed=").append(seed)
                .append(" -Djnatsd.soak.seconds=").append(seconds).append(")\n");
        try {
            b.append(summary());
        } catch (RuntimeException e) {
            b.append("(no summary: ").append(e).append(")\n");
        }
        List<String> ev = List.copyOf(events);
        b.append("events (").append(ev.size()).append("):\n");
        for (String e : ev.subList(Math.max(0, ev.size() - 100), ev.size())) b.append("  ").append(e).append('\n');
        for (int i = 0; i < N; i++) {
            b.append("---- n").append(i).append(" log tail ----\n");
            try {
                List<String> lines = Files.exists(log(i)) ? Files.readAllLines(log(i)) : List.of();
                for (String l : lines.subList(Math.max(0, lines.size() - 80), lines.size())) b.append(l).append('\n');
            } catch (IOException e) {
                b.append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** Everything, for a kept directory: the summary, every run of lost messages and every event. */
    private void writeReport() {
        StringBuilder b = new StringBuilder(summary());
        if (publishers[0] != null) {
            b.append("\nruns of lost plain messages (publisher->subscriber, subject, numbers, when sent):\n");
            for (Gap g : allGaps()) {
                b.append(String.format(Locale.ROOT, "  n%d->n%d %s %d-%d (%d) sent %.3f-%.3f s%n", g.pub, g.sub,
                        SUBJECTS[g.subject], g.from, g.to, g.to - g.from + 1,
                        secs(publishers[g.pub].sentAt[g.subject].get(g.from - 1)),
                        secs(publishers[g.pub].sentAt[g.subject].get(g.to - 1))));
            }
        }
        b.append("\nevents:\n");
        for (String e : List.copyOf(events)) b.append("  ").append(e).append('\n');
        try {
            Files.writeString(dir.resolve("report.txt"), b);
        } catch (IOException | RuntimeException e) {
            System.out.println("ClusterFaultSoakTest: no report: " + e);
        }
    }

    private String summary() {
        StringBuilder b = new StringBuilder();
        List<Fault> fs = List.copyOf(faults);
        b.append(String.format(Locale.ROOT, "%d faults in %d s (seed %d):%n", fs.size(), seconds, seed));
        for (Fault f : fs) b.append("  ").append(f).append('\n');
        long plainSent = 0;
        long plainExpected = 0;
        long plainGot = 0;
        long queueSent = 0;
        long queueTaken = 0;
        long failures = 0;
        long unsent = 0;
        synchronized (checker) {
            for (Publisher p : publishers) {
                if (p == null) continue;
                failures += p.failures;
                unsent += p.unsent;
                for (int s : new int[] {A, B}) {
                    plainSent += p.seq[s];
                    plainExpected += N * p.seq[s];
                    for (int j = 0; j < N; j++) plainGot += checker.count[j][s][p.node];
                }
                queueSent += p.seq[Q];
                queueTaken += checker.taken[Q][p.node].cardinality();
            }
            b.append(String.format(Locale.ROOT,
                    "soak: published %,d plain + %,d queue; plain deliveries %,d of %,d (lost %,d), queue taken %,d of %,d (lost %,d)%n",
                    plainSent, queueSent, plainGot, plainExpected, plainExpected - plainGot, queueTaken, queueSent,
                    queueSent - queueTaken));
            b.append(String.format(Locale.ROOT,
                    "duplicates %d, out of order %d, queue taken twice %d, malformed %d, late %d; not published: %d refused, %d while not connected%n",
                    checker.duplicates, checker.reorders, checker.queueTwice, checker.malformed, checker.lateMessages,
                    failures, unsent));
            for (String v : checker.violations) b.append("  ").append(v).append('\n');
        }
        if (publishers[0] != null) {
            List<Gap> gaps = allGaps();
            b.append(gaps.size()).append(" runs of lost plain messages, by publisher->subscriber:");
            long[][] lost = new long[N][N];
            for (Gap g : gaps) lost[g.pub][g.sub] += g.to - g.from + 1;
            for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) b.append(" n").append(i).append("->n").append(j).append(' ').append(lost[i][j]);
            b.append('\n');
            if (publishers[0].seq[FINAL] > 0) {
                synchronized (checker) {
                    b.append("final phase: plain");
                    for (int j = 0; j < N; j++) b.append(" n").append(j).append(' ').append(Arrays.stream(checker.count[j][FINAL]).sum());
                    b.append(" of ").append(N * FINAL_PER_SUBJECT).append(" each; queue ");
                    long t = 0;
                    for (int i = 0; i < N; i++) t += checker.taken[FINALQ][i].cardinality();
                    b.append(t).append(" of ").append(N * FINAL_PER_SUBJECT).append('\n');
                }
            }
        }
        b.append("new client connections after losses: pub");
        for (NodeClient c : pubs) b.append(' ').append(c == null ? 0 : c.reconnects.get());
        b.append(", sub");
        for (NodeClient c : subs) b.append(' ').append(c == null ? 0 : c.reconnects.get());
        b.append("; proxy connections ").append(proxy == null ? 0 : proxy.accepted()).append('\n');
        return b.toString();
    }

    // ---- parts ---------------------------------------------------------------------------------

    /** One injected fault: {@code kind} 0 SIGSTOP, 1 SIGKILL and restart, 2 cut of the proxied route ({@code node} -1). */
    private final class Fault {
        final int n;
        final int kind;
        final int node;
        final long started;
        final long healed;
        final String detail;

        Fault(int n, int kind, int node, long started, long healed, String detail) {
            this.n = n;
            this.kind = kind;
            this.node = node;
            this.started = started;
            this.healed = healed;
            this.detail = detail;
        }

        /** Whether this fault may cost messages from node {@code pub} to node {@code sub}. */
        boolean touches(int pub, int sub) {
            if (kind == 2) return (pub == CUT_A && sub == CUT_B) || (pub == CUT_B && sub == CUT_A);
            return pub == node || sub == node;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "#%d %.3f-%.3f s: %s", n, secs(started), secs(healed), detail);
        }
    }

    private record Gap(int pub, int sub, int subject, long from, long to) {
    }

    /** A node's publisher: sequence numbers 1, 2, ... per subject, in payloads "node:seq". */
    private static final class Publisher {
        final int node;
        final NodeClient c;
        final long[] seq = new long[SUBJECTS.length];
        final LongList[] sentAt = new LongList[SUBJECTS.length];
        long failures;
        long unsent;
        String lastFailure;

        Publisher(int node, NodeClient c) {
            this.node = node;
            this.c = c;
            for (int s = 0; s < SUBJECTS.length; s++) sentAt[s] = new LongList();
        }

        /** Round-robin over the soak subjects at {@code perSecond}; a backlog of more than a second is dropped. */
        void run(AtomicBoolean stop, double perSecond) {
            int[] subjects = {A, B, Q};
            long start = System.nanoTime();
            long done = 0;
            int k = 0;
            while (!stop.get()) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
                if (due - done > perSecond) done = due;
                while (done < due && !stop.get()) {
                    publish(subjects[k++ % subjects.length]);
                    done++;
                }
                LockSupport.parkNanos(2_000_000);
            }
        }

        /**
         * A message that is not sent (no connection, or the client refused it: queue full while
         * its server is stopped) does not count: its number is used by the next one.
         */
        void publish(int subject) {
            long next = seq[subject] + 1;
            long at = System.nanoTime();
            Connection conn = c.conn;
            if (conn.getStatus() != Connection.Status.CONNECTED) {
                unsent++;
                return;
            }
            try {
                conn.publish(SUBJECTS[subject], (node + ":" + next).getBytes(StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                failures++;
                lastFailure = e.toString();
                return;
            }
            seq[subject] = next;
            sentAt[subject].add(at);
        }
    }

    /** What every subscriber got: per subscriber node, subject and publisher node. */
    private static final class Checker {
        final long[][][] last = new long[N][SUBJECTS.length][N];
        final long[][][] count = new long[N][SUBJECTS.length][N];
        final BitSet[][][] seen = new BitSet[N][SUBJECTS.length][N];
        /** Queue subjects: which member node took each message of each publisher. */
        final BitSet[][] taken = new BitSet[SUBJECTS.length][N];
        final Map<Long, Integer>[][] takenBy;
        final List<Gap> gaps = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        long duplicates;
        long reorders;
        long queueTwice;
        long malformed;
        long lateMessages;

        @SuppressWarnings("unchecked")
        Checker() {
            takenBy = new Map[SUBJECTS.length][N];
            for (int s = 0; s < SUBJECTS.length; s++) {
                for (int i = 0; i < N; i++) {
                    taken[s][i] = new BitSet();
                    takenBy[s][i] = new HashMap<>();
                    for (int j = 0; j < N; j++) seen[j][s][i] = new BitSet();
                }
            }
        }

        /**
         * A message for the subscriber on node {@code sub}. A {@code late} one came through a
         * subscriber connection already replaced by a newer one (its dispatcher finishing what it
         * had): it is checked for duplicates, not for order.
         */
        synchronized void onMessage(int sub, boolean late, int subject, byte[] data) {
            String p = new String(data, StandardCharsets.US_ASCII);
            int colon = p.indexOf(':');
            int pub;
            long seq;
            try {
                pub = Integer.parseInt(p.substring(0, colon));
                seq = Long.parseLong(p.substring(colon + 1));
            } catch (RuntimeException e) {
                malformed++;
                violation("malformed message on n" + sub + ": " + p);
                return;
            }
            if (subject < 0 || pub < 0 || pub >= N || seq < 1 || seq > Integer.MAX_VALUE) {
                malformed++;
                violation("malformed message on n" + sub + ": subject " + subject + ", " + p);
                return;
            }
            String what = SUBJECTS[subject] + " n" + pub + "->n" + sub + " seq " + seq;
            BitSet s = seen[sub][subject][pub];
            long prev = last[sub][subject][pub];
            if (s.get((int) seq)) {
                duplicates++;
                violation("duplicate: " + what + " (last " + prev + ")");
            } else {
                if (late) {
                    lateMessages++;
                } else if (seq < prev) {
                    reorders++;
                    violation("out of order: " + what + " after " + prev);
                } else if (seq > prev + 1 && !QUEUE[subject]) {
                    gaps.add(new Gap(pub, sub, subject, prev + 1, seq - 1));
                }
                s.set((int) seq);
                count[sub][subject][pub]++;
            }
            if (seq > prev) last[sub][subject][pub] = seq;
            if (QUEUE[subject]) {
                Integer before = takenBy[subject][pub].putIfAbsent(seq, sub);
                if (before != null) {
                    queueTwice++;
                    violation("queue message taken twice: " + what + ", taken before by the member on n" + before);
                }
                taken[subject][pub].set((int) seq);
            }
        }

        synchronized boolean finalComplete() {
            for (int j = 0; j < N; j++) for (int i = 0; i < N; i++) if (count[j][FINAL][i] < FINAL_PER_SUBJECT) return false;
            for (int i = 0; i < N; i++) if (taken[FINALQ][i].cardinality() < FINAL_PER_SUBJECT) return false;
            return true;
        }

        private void violation(String v) {
            if (violations.size() < 30) violations.add(v);
        }
    }

    /** A growable list of longs (send times by sequence number). */
    private static final class LongList {
        private long[] a = new long[1024];
        private int size;

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        long get(long i) {
            return a[(int) i];
        }
    }

    /**
     * A TCP proxy on 127.0.0.1 in front of one route port. {@link #cut()} drops every connection it
     * carries and refuses new ones (accepts and closes them) until {@link #heal()}.
     */
    static final class LinkProxy implements AutoCloseable {
        private final ServerSocket listener;
        private final int target;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final AtomicLong accepted = new AtomicLong();
        private volatile boolean cut;
        private volatile boolean closed;

        LinkProxy(int target) throws IOException {
            this.target = target;
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofPlatform().daemon().name("soak-proxy").start(this::acceptLoop);
        }

        int port() {
            return listener.getLocalPort();
        }

        long accepted() {
            return accepted.get();
        }

        private void acceptLoop() {
            while (!closed) {
                Socket in;
                try {
                    in = listener.accept();
                } catch (IOException e) {
                    continue;
                }
                if (cut) {
                    closeQuietly(in);
                    continue;
                }
                Socket out = new Socket();
                try {
                    in.setTcpNoDelay(true);
                    out.setTcpNoDelay(true);
                    out.connect(new InetSocketAddress("127.0.0.1", target), 2000);
                } catch (IOException e) {
                    closeQuietly(in);
                    closeQuietly(out);
                    continue;
                }
                open.add(in);
                open.add(out);
                accepted.incrementAndGet();
                pump(in, out);
                pump(out, in);
                if (cut) dropAll();
            }
        }

        private void pump(Socket from, Socket to) {
            Thread.ofPlatform().daemon().name("soak-proxy-pump").start(() -> {
                byte[] buf = new byte[65536];
                try {
                    InputStream i = from.getInputStream();
                    OutputStream o = to.getOutputStream();
                    int n;
                    while ((n = i.read(buf)) >= 0) o.write(buf, 0, n);
                } catch (IOException ignored) {
                    // the other side or a cut closed it
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                    open.remove(from);
                    open.remove(to);
                }
            });
        }

        /** Drops every proxied connection and refuses new ones; returns how many connections were dropped. */
        int cut() {
            cut = true;
            return dropAll();
        }

        void heal() {
            cut = false;
        }

        private int dropAll() {
            int n = 0;
            for (Socket s : open) {
                n++;
                closeQuietly(s);
            }
            return n / 2;
        }

        @Override
        public void close() {
            closed = true;
            closeQuietly(listener);
            dropAll();
        }

        private static void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }
}
