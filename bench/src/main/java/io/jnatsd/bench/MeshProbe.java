package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Waits until the servers of a cluster form a full mesh, by sending messages rather than by
 * asking a monitoring endpoint (so it works the same for every server): one connection per
 * server, each subscribed to a subject of its own, and every connection publishing to every
 * other one's subject until each of the n × (n − 1) paths has delivered. A server passes a
 * message on only over a direct route to the server whose client is interested (never through
 * a third server), so every path delivering means every pair of servers is routed.
 *
 * <pre>
 * java -cp bench/target/jnatsd-bench.jar io.jnatsd.bench.MeshProbe URL1,URL2,URL3 [TIMEOUT_SECONDS]
 * </pre>
 *
 * Prints one line and exits 0 when the mesh is formed, 1 (naming the paths that never
 * delivered) after the timeout (default 60 s), 2 on bad arguments.
 */
public final class MeshProbe {
    private MeshProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: MeshProbe URL1,URL2[,...] [TIMEOUT_SECONDS]");
            System.exit(2);
        }
        String[] urls = args[0].split(",");
        Duration timeout = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 60);
        System.exit(run(urls, timeout) ? 0 : 1);
    }

    /** True when every server delivered to every other within the timeout; reports on stdout or stderr. */
    static boolean run(String[] urls, Duration timeout) throws Exception {
        int n = urls.length;
        String base = "bench.mesh." + Long.toHexString(System.nanoTime()) + ".";
        // seen[to * n + from]: a message from connection `from` reached connection `to`
        AtomicIntegerArray seen = new AtomicIntegerArray(n * n);
        List<Connection> conns = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (int i = 0; i < n; i++) {
                conns.add(connect(urls[i], deadline));
                final int to = i;
                Dispatcher d = conns.get(i).createDispatcher(m -> {
                    int from = Integer.parseInt(new String(m.getData(), StandardCharsets.US_ASCII));
                    if (from >= 0 && from < n) seen.set(to * n + from, 1);
                });
                d.subscribe(base + i);
            }
            for (Connection c : conns) c.flush(Duration.ofSeconds(10));
            long start = System.nanoTime();
            while (true) {
                int missing = 0;
                for (int from = 0; from < n; from++) {
                    for (int to = 0; to < n; to++) {
                        if (from == to || seen.get(to * n + from) == 1) continue;
                        missing++;
                        conns.get(from).publish(base + to, Integer.toString(from).getBytes(StandardCharsets.US_ASCII));
                    }
                }
                if (missing == 0) {
                    System.out.printf(Locale.ROOT, "mesh of %d servers formed: all %d paths delivered, %.0f ms after subscribing%n",
                            n, n * (n - 1), (System.nanoTime() - start) / 1e6);
                    return true;
                }
                for (Connection c : conns) c.flush(Duration.ofSeconds(10));
                if (System.nanoTime() > deadline) {
                    StringBuilder sb = new StringBuilder("mesh not formed after " + timeout.toSeconds() + " s; no delivery");
                    for (int from = 0; from < n; from++) {
                        for (int to = 0; to < n; to++) {
                            if (from != to && seen.get(to * n + from) == 0) sb.append(" ").append(urls[from]).append(" -> ").append(urls[to]);
                        }
                    }
                    System.err.println(sb);
                    return false;
                }
                Thread.sleep(20);
            }
        } finally {
            for (Connection c : conns) c.close();
        }
    }

    /** Connects, retrying until the deadline (a server may still be starting). */
    private static Connection connect(String url, long deadline) throws Exception {
        Options opts = new Options.Builder().server(url).connectionName("bench-mesh-probe").noReconnect()
                .connectionTimeout(Duration.ofSeconds(5)).build();
        while (true) {
            try {
                return Nats.connect(opts);
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }
}
