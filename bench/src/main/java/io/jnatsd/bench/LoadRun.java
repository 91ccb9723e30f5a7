package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * One run of one workload: connects (one connection per publisher and per subscriber),
 * sends the warm-up messages and verifies them, then the measured ones, verifies again and
 * returns the timing. Any lost, duplicated or reordered message, any client error and any
 * connection dropped by the server fails the run with a {@link VerificationException}.
 */
final class LoadRun implements AutoCloseable {
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(60);

    private final BenchConfig cfg;
    private final String subject;
    private final long total;
    private final List<Connection> connections = new ArrayList<>();
    private final List<Receiver> receivers = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final List<Thread> pollers = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> clientErrors = new ConcurrentLinkedQueue<>();
    private volatile boolean closing;

    LoadRun(BenchConfig cfg) {
        this.cfg = cfg;
        this.subject = "bench." + cfg.workload().id() + "." + Long.toHexString(System.nanoTime());
        this.total = cfg.warmup() + cfg.msgs();
    }

    static Result run(BenchConfig cfg) throws Exception {
        try (LoadRun r = new LoadRun(cfg)) {
            return r.execute();
        }
    }

    private Result execute() throws Exception {
        return switch (cfg.workload()) {
            case PUB -> publishOnly();
            case PUBSUB, FANOUT, QUEUE -> publishSubscribe();
            case REQREP -> requestReply();
            case JS_PUB, JS_PUB_ASYNC -> jetStreamPublish();
        };
    }

    // ---- connections -------------------------------------------------------------------

    /**
     * jnats tuned for throughput: a large socket buffer, a deep outgoing queue that blocks
     * (rather than fails) a publisher that gets ahead of the socket, and no reconnect, so a
     * connection the server drops ends the run instead of silently losing messages.
     */
    private Connection connect(String name) throws IOException, InterruptedException {
        long queueBytes = 128L * 1024 * 1024;
        int queueMsgs = (int) Math.max(5_000, Math.min(1_000_000, queueBytes / (cfg.size() + 64)));
        Options opts = new Options.Builder()
                .server(cfg.url())
                .connectionName(name)
                .bufferSize(cfg.bufferSize())
                .maxMessagesInOutgoingQueue(queueMsgs)
                .writeQueuePushTimeout(Duration.ofSeconds(60))
                .connectionTimeout(Duration.ofSeconds(10))
                .noReconnect()
                .errorListener(new Errors(name))
                .connectionListener(new Drops(name))
                .build();
        Connection c = Nats.connect(opts);
        connections.add(c);
        return c;
    }

    private final class Errors implements ErrorListener {
        private final String name;

        Errors(String name) {
            this.name = name;
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            clientErrors.add(name + ": server error: " + error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            if (!closing) clientErrors.add(name + ": " + exp);
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            clientErrors.add(name + ": slow consumer in the client");
        }
    }

    private final class Drops implements ConnectionListener {
        private final String name;

        Drops(String name) {
            this.name = name;
        }

        @Override
        public void connectionEvent(Connection conn, ConnectionListener.Events type) {
            if (!closing && (type == ConnectionListener.Events.DISCONNECTED || type == ConnectionListener.Events.CLOSED)) {
                clientErrors.add(name + ": connection " + type.name().toLowerCase() + " during the run");
            }
        }
    }

    // ---- subscribers ---------------------------------------------------------------------

    private void subscribe(String name, Connection c, String queue, boolean ordered) {
        Receiver r = new Receiver(name, ordered, total, cfg.size());
        receivers.add(r);
        if (cfg.subMode() == BenchConfig.SubMode.DISPATCHER) {
            Dispatcher d = c.createDispatcher(r);
            d.setPendingLimits(0, 0); // unlimited: a client-side drop would look like server loss
            if (queue == null) d.subscribe(subject);
            else d.subscribe(subject, queue);
            consumers.add(d);
        } else {
            Subscription s = queue == null ? c.subscribe(subject) : c.subscribe(subject, queue);
            s.setPendingLimits(0, 0);
            consumers.add(s);
            Thread t = Thread.ofPlatform().daemon().name(name).start(() -> poll(s, r));
            pollers.add(t);
        }
    }

    private void poll(Subscription s, Receiver r) {
        try {
            while (!closing) {
                Message m = s.nextMessage(Duration.ofMillis(100));
                if (m != null) r.accept(m.getData());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            if (!closing) clientErrors.add(r.name() + ": " + e);
        }
    }

    // ---- workloads ---------------------------------------------------------------------

    private Result publishOnly() throws Exception {
        Connection pub = connect("bench-pub");
        publish(pub, 0, cfg.warmup());
        pub.flush(FLUSH_TIMEOUT);
        long start = System.nanoTime();
        publish(pub, cfg.warmup(), total);
        pub.flush(FLUSH_TIMEOUT);
        long end = System.nanoTime();
        checkClientErrors();
        return new Result(cfg, pub.getServerInfo().getVersion(), end - start, null);
    }

    private Result jetStreamPublish() throws Exception {
        Connection pub = connect("bench-js-pub");
        Result r = new JetStreamPublish(cfg, pub, subject).run();
        checkClientErrors();
        return r;
    }

    private Result publishSubscribe() throws Exception {
        boolean queue = cfg.workload() == Workload.QUEUE;
        int n = cfg.subscriberCount();
        for (int i = 0; i < n; i++) {
            String name = "bench-sub-" + i;
            subscribe(name, connect(name), queue ? "bench-q" : null, !queue);
        }
        for (Connection c : connections) c.flush(FLUSH_TIMEOUT); // interest is registered
        Connection pub = connect("bench-pub");
        ToLongFunction<List<Receiver>> progress = queue ? LoadRun::sum : LoadRun::min;

        publish(pub, 0, cfg.warmup());
        pub.flush(FLUSH_TIMEOUT);
        awaitProgress(progress, cfg.warmup(), "warm-up");

        long start = System.nanoTime();
        publish(pub, cfg.warmup(), total);
        pub.flush(FLUSH_TIMEOUT);
        awaitProgress(progress, total, "measured phase");
        long end = 0;
        for (Receiver r : receivers) end = Math.max(end, r.lastNanos());

        verifyQuiet();
        if (queue) verifyQueueCoverage();
        else verifyEachReceived();
        return new Result(cfg, pub.getServerInfo().getVersion(), end - start, null);
    }

    private Result requestReply() throws Exception {
        Connection responder = connect("bench-responder");
        Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
        d.setPendingLimits(0, 0);
        d.subscribe(subject);
        consumers.add(d);
        responder.flush(FLUSH_TIMEOUT);
        Connection req = connect("bench-requester");
        Histogram hist = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Duration timeout = cfg.stall();

        for (long i = 0; i < cfg.warmup(); i++) roundTrip(req, i, timeout);
        long start = System.nanoTime();
        for (long i = cfg.warmup(); i < total; i++) {
            long t0 = System.nanoTime();
            roundTrip(req, i, timeout);
            hist.recordValue(Math.min(System.nanoTime() - t0, hist.getHighestTrackableValue()));
        }
        long end = System.nanoTime();
        checkClientErrors();
        return new Result(cfg, req.getServerInfo().getVersion(), end - start, hist);
    }

    private void roundTrip(Connection req, long seq, Duration timeout) throws Exception {
        Message reply = req.request(subject, Payloads.make(cfg.size(), seq), timeout);
        if (reply == null) {
            checkClientErrors();
            throw new VerificationException("request " + seq + ": no reply within " + timeout.toMillis() + " ms");
        }
        byte[] data = reply.getData();
        long got = Payloads.seq(data);
        if (got != seq || data.length != cfg.size()) {
            throw new VerificationException("request " + seq + ": reply carries sequence " + got
                    + " and " + data.length + " bytes, expected " + cfg.size());
        }
    }

    private void publish(Connection pub, long from, long to) {
        String subj = subject;
        int size = cfg.size();
        for (long seq = from; seq < to; seq++) {
            pub.publish(subj, Payloads.make(size, seq));
        }
    }

    // ---- verification ------------------------------------------------------------------

    private static long min(List<Receiver> rs) {
        long m = Long.MAX_VALUE;
        for (Receiver r : rs) m = Math.min(m, r.count());
        return m;
    }

    private static long sum(List<Receiver> rs) {
        long s = 0;
        for (Receiver r : rs) s += r.count();
        return s;
    }

    /** Waits until {@code progress} reaches {@code target}; fails when it stalls or anything went wrong. */
    private void awaitProgress(ToLongFunction<List<Receiver>> progress, long target, String phase)
            throws VerificationException {
        long last = -1;
        long lastChange = System.nanoTime();
        long stallNanos = cfg.stall().toNanos();
        while (true) {
            long now = progress.applyAsLong(receivers);
            checkReceiverErrors();
            checkClientErrors();
            if (now >= target) return;
            long t = System.nanoTime();
            if (now != last) {
                last = now;
                lastChange = t;
            } else if (t - lastChange > stallNanos) {
                throw new VerificationException(phase + ": no progress for " + cfg.stall().toMillis()
                        + " ms; expected " + target + ", " + counts());
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /**
     * After the last expected message: a round trip on every subscriber connection (whatever
     * the server sent before its PONG has been read), the client queues drained, and then no
     * receiver may have seen more than expected.
     */
    private void verifyQuiet() throws Exception {
        for (Connection c : connections) {
            try {
                c.flush(FLUSH_TIMEOUT);
            } catch (TimeoutException e) {
                throw new VerificationException(c.getOptions().getConnectionName() + ": flush timed out");
            }
        }
        long deadline = System.nanoTime() + cfg.stall().toNanos();
        for (Consumer c : consumers) {
            while (c.getPendingMessageCount() > 0) {
                if (System.nanoTime() > deadline) throw new VerificationException("client queues do not drain");
                LockSupport.parkNanos(1_000_000);
            }
        }
        LockSupport.parkNanos(20_000_000); // the last handler call may still be running
        checkReceiverErrors();
        checkClientErrors();
    }

    private void verifyEachReceived() throws VerificationException {
        for (Receiver r : receivers) {
            if (r.count() != total) {
                throw new VerificationException(r.name() + " received " + r.count() + " messages, expected " + total);
            }
        }
    }

    private void verifyQueueCoverage() throws VerificationException {
        long sum = sum(receivers);
        if (sum != total) {
            throw new VerificationException("queue members received " + sum + " messages in all, expected "
                    + total + "; " + counts());
        }
        BitSet union = new BitSet();
        long distinctSum = 0;
        for (Receiver r : receivers) {
            BitSet s = r.seen();
            if (s.intersects(union)) {
                BitSet dup = (BitSet) s.clone();
                dup.and(union);
                throw new VerificationException("message " + dup.nextSetBit(0) + " delivered to two queue members");
            }
            union.or(s);
            distinctSum += s.cardinality();
        }
        if (union.cardinality() != total || distinctSum != total) {
            throw new VerificationException("queue members saw " + union.cardinality()
                    + " distinct sequence numbers, expected " + total);
        }
    }

    private void checkReceiverErrors() throws VerificationException {
        for (Receiver r : receivers) {
            String e = r.error();
            if (e != null) throw new VerificationException(e);
        }
    }

    private void checkClientErrors() throws VerificationException {
        String e = clientErrors.peek();
        if (e != null) throw new VerificationException(String.join("; ", clientErrors));
    }

    private String counts() {
        StringBuilder sb = new StringBuilder("received:");
        for (Receiver r : receivers) sb.append(' ').append(r.name()).append('=').append(r.count());
        return sb.toString();
    }

    @Override
    public void close() {
        closing = true;
        for (Thread t : pollers) t.interrupt();
        for (Connection c : connections) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
