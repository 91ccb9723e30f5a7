package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Waits until a JetStream cluster takes replicated streams, the same way for every server: the
 * JetStream API ({@code $JS.API.INFO}) answers without error on every node (the meta group
 * has a leader), then a file stream of the given replicas is created and one message published
 * to it is acknowledged (its Raft group has a leader) before the stream is deleted again. Each
 * step is retried until the timeout, since leaders are elected a few seconds after start.
 *
 * <pre>
 * java -cp bench/target/jnatsd-bench.jar io.jnatsd.bench.JetStreamProbe URL1,URL2,URL3 [TIMEOUT_SECONDS] [REPLICAS]
 * </pre>
 *
 * Prints one line and exits 0 when ready, 1 (with the last error) after the timeout (default
 * 60 s; replicas default 3), 2 on bad arguments.
 */
public final class JetStreamProbe {
    /** Each API request and publish waits this long (then it is retried). */
    private static final JetStreamOptions API = JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build();

    /** JSStreamNameExistErr: the probe's own stream, created by an earlier attempt. */
    private static final int STREAM_NAME_IN_USE = 10058;

    private JetStreamProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: JetStreamProbe URL1,URL2[,...] [TIMEOUT_SECONDS] [REPLICAS]");
            System.exit(2);
        }
        Duration timeout = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 60);
        int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.exit(run(args[0].split(","), timeout, replicas) ? 0 : 1);
    }

    /** True when every server's API answered and a stream of {@code replicas} took a message within the timeout. */
    static boolean run(String[] urls, Duration timeout, int replicas) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<Connection> conns = new ArrayList<>();
        String stream = "BENCH_PROBE_" + Long.toHexString(System.nanoTime()).toUpperCase(Locale.ROOT);
        String subject = "bench.probe." + stream.toLowerCase(Locale.ROOT);
        try {
            for (String url : urls) {
                Connection c = connect(url, deadline);
                conns.add(c);
                JetStreamManagement jsm = c.jetStreamManagement(API);
                String failed = retry(deadline, () -> jsm.getAccountStatistics());
                if (failed != null) return fail("the JetStream API of " + url + " did not answer: " + failed, timeout);
            }
            long apiMs = (System.nanoTime() - start) / 1_000_000;
            JetStreamManagement jsm = conns.get(0).jetStreamManagement(API);
            StreamConfiguration sc = StreamConfiguration.builder().name(stream).subjects(subject)
                    .storageType(StorageType.File).replicas(replicas).build();
            String failed = retry(deadline, () -> {
                try {
                    jsm.addStream(sc);
                } catch (JetStreamApiException e) {
                    // a create that timed out here may have been carried out: then it is there
                    if (e.getApiErrorCode() != STREAM_NAME_IN_USE) throw e;
                }
            });
            if (failed != null) return fail("no stream of " + replicas + " replicas could be created: " + failed, timeout);
            failed = retry(deadline, () -> {
                PublishAck ack = conns.get(0).jetStream(API).publish(subject, new byte[] {1});
                if (ack.hasError()) throw new IOException(ack.getError());
            });
            if (failed != null) return fail("the stream of " + replicas + " replicas took no message: " + failed, timeout);
            jsm.deleteStream(stream);
            System.out.printf(Locale.ROOT, "JetStream of %d servers ready: API answered on all after %d ms, "
                            + "an R%d stream created and written after %d ms%n", urls.length, apiMs, replicas,
                    (System.nanoTime() - start) / 1_000_000);
            return true;
        } finally {
            for (Connection c : conns) c.close();
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs the step until it succeeds (null) or the deadline passes (the last error). */
    private static String retry(long deadline, Step step) throws InterruptedException {
        while (true) {
            try {
                step.run();
                return null;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) { // an API error, a timeout, no responders: leaders not yet elected
                if (System.nanoTime() > deadline) return e.toString();
                Thread.sleep(200);
            }
        }
    }

    private static boolean fail(String why, Duration timeout) {
        System.err.println("JetStream not ready after " + timeout.toSeconds() + " s: " + why);
        return false;
    }

    /** Connects, retrying until the deadline (a server may still be starting). */
    private static Connection connect(String url, long deadline) throws Exception {
        Options opts = new Options.Builder().server(url).connectionName("bench-js-probe").noReconnect()
                .connectionTimeout(Duration.ofSeconds(5)).build();
        while (true) {
            try {
                return Nats.connect(opts);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }
}
