package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The client side of {@code bench/recovery.sh}: how long a server takes to come back with a
 * large stream.
 *
 * <pre>
 * RecoveryProbe fill    URL STREAM COUNT SIZE
 *     a new file stream STREAM on subject STREAM.msgs, filled with COUNT messages of SIZE bytes
 *     (async publish, acks checked), then its state checked
 * RecoveryProbe restart PORT STREAM COUNT ROUNDS term|kill LOG -- SERVER COMMAND...
 *     ROUNDS times: start the server command; time from starting it to the first accepted
 *     connection and to the first STREAM.INFO that reports COUNT messages; stop it (term:
 *     SIGTERM and wait for it to exit, as a graceful shutdown; kill: SIGKILL); also the
 *     server's resident set size once ready (Linux: VmRSS, 0 elsewhere)
 * </pre>
 *
 * The probe starts the server itself so that its own JVM start is not in the measurement.
 * Prints one JSON line.
 */
public final class RecoveryProbe {
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(30);

    private RecoveryProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 5 && args[0].equals("fill")) {
            System.out.println(fill(args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4])));
        } else if (args.length >= 9 && args[0].equals("restart") && args[7].equals("--")) {
            List<String> command = Arrays.asList(args).subList(8, args.length);
            System.out.println(restart(Integer.parseInt(args[1]), args[2], Long.parseLong(args[3]),
                    Integer.parseInt(args[4]), args[5].equals("kill"), new File(args[6]), command));
        } else {
            System.err.println("usage: RecoveryProbe fill URL STREAM COUNT SIZE\n"
                    + "       RecoveryProbe restart PORT STREAM COUNT ROUNDS term|kill LOG -- SERVER COMMAND...");
            System.exit(2);
        }
    }

    static String fill(String url, String stream, long count, int size) throws Exception {
        Options opts = new Options.Builder().server(url).connectionName("recovery-fill")
                .bufferSize(1024 * 1024).maxMessagesInOutgoingQueue(100_000)
                .writeQueuePushTimeout(Duration.ofSeconds(60)).noReconnect().build();
        try (Connection c = Nats.connect(opts)) {
            BenchStream s = BenchStream.create(c, stream, stream + ".msgs", size, 1);
            long t0 = System.nanoTime();
            s.publishAsync(0, count);
            long nanos = System.nanoTime() - t0;
            s.verifyHolds(count);
            return String.format(Locale.ROOT, "{\"probe\":\"fill\",\"messages\":%d,\"size\":%d,\"fill_ms\":%.1f,\"msgs_per_s\":%.0f}",
                    count, size, nanos / 1e6, count / (nanos / 1e9));
        }
    }

    static String restart(int port, String stream, long count, int rounds, boolean kill, File log, List<String> command)
            throws Exception {
        StreamInfoPoller poller = new StreamInfoPoller(new InetSocketAddress("127.0.0.1", port), stream);
        List<Double> acceptMs = new ArrayList<>();
        List<Double> readyMs = new ArrayList<>();
        List<Double> rssKb = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            Thread stopOnExit = new Thread(p::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(stopOnExit);
            try {
                StreamInfoPoller.Times t = poller.await(count, t0 + RECOVERY_TIMEOUT.toNanos(), p::isAlive);
                acceptMs.add((t.acceptedNanos() - t0) / 1e6);
                readyMs.add((t.readyNanos() - t0) / 1e6);
                rssKb.add((double) residentKb(p.pid()));
            } finally {
                stop(p, kill);
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            }
        }
        return String.format(Locale.ROOT, "{\"probe\":\"restart\",\"messages\":%d,\"stop\":\"%s\",\"accept_ms\":%s,"
                        + "\"ready_ms\":%s,\"median_ready_ms\":%.1f,\"rss_kb\":%s,\"median_rss_kb\":%.0f}",
                count, kill ? "kill" : "term", json(acceptMs), json(readyMs), median(readyMs), json(rssKb),
                median(rssKb));
    }

    /** The process's resident set size in KiB, from /proc (0 where there is none). */
    static long residentKb(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // Not Linux, or the process is gone: no figure.
        }
        return 0;
    }

    /** term: SIGTERM, the server shuts down gracefully (and persists its state); kill: SIGKILL. */
    private static void stop(Process p, boolean kill) throws Exception {
        if (kill) p.destroyForcibly();
        else p.destroy();
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the server did not stop within " + STOP_TIMEOUT);
        }
    }

    private static String json(List<Double> values) {
        StringBuilder sb = new StringBuilder("[");
        for (double v : values) sb.append(sb.length() > 1 ? "," : "").append(String.format(Locale.ROOT, "%.1f", v));
        return sb.append(']').toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
