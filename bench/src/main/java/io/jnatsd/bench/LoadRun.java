package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * One run of one workload: connects (one connection per publisher and per subscriber),
 * sends the warm-up messages and verifies them, then the measured ones, verifies again and
 * returns the timing. Any lost, duplicated or reordered message, any client error and any
 * connection dropped by the server fails the run with a {@link VerificationException}.
 * The core NATS workloads are here; the JetStream ones have a class each.
 *
 * <p>Subscribers may be on other servers of a cluster than the publisher ({@code --sub-url},
 * {@code --member-urls}); then the publisher waits until their interest has reached its
 * server ({@link #awaitInterest}) before it sends anything.
 */
final class LoadRun implements AutoCloseable {
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(60);

    private final BenchConfig cfg;
    private final String subject;
    private final long total;
    private final Clients clients;
    private final List<Receiver> receivers = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final List<Thread> pollers = new ArrayList<>();
    private final List<Connection> subscribers = new ArrayList<>();
    private long interestNanos;
    private volatile boolean closing;

    LoadRun(BenchConfig cfg) {
        this.cfg = cfg;
        this.subject = "bench." + cfg.workload().id() + "." + Long.toHexString(System.nanoTime());
        this.total = cfg.warmup() + cfg.msgs();
        this.clients = new Clients(cfg);
    }

    static Result run(BenchConfig cfg) throws Exception {
        try (LoadRun r = new LoadRun(cfg)) {
            return r.execute();
        }
    }

    private Result execute() throws Exception {
        Result r = switch (cfg.workload()) {
            case PUB -> publishOnly();
            case PUBSUB, FANOUT, QUEUE -> publishSubscribe();
            case REQREP -> requestReply();
            case JS_PUB, JS_PUB_ASYNC -> new JetStreamPublish(cfg, clients.connect("bench-js-pub"), subject).run();
            case JS_PULL, JS_PUSH -> consumeStream();
            case KV_PUT, KV_GET -> new KeyValueOps(cfg, clients.connect("bench-kv"), subject).run();
        };
        clients.check();
        return r;
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
            if (!closing) clients.report(r.name() + ": " + e);
        }
    }

    // ---- workloads ---------------------------------------------------------------------

    private Result publishOnly() throws Exception {
        Connection pub = clients.connect("bench-pub");
        publish(pub, 0, cfg.warmup());
        pub.flush(FLUSH_TIMEOUT);
        long start = System.nanoTime();
        publish(pub, cfg.warmup(), total);
        pub.flush(FLUSH_TIMEOUT);
        long end = System.nanoTime();
        return new Result(cfg, pub.getServerInfo().getVersion(), end - start, null);
    }

    private Result publishSubscribe() throws Exception {
        boolean queue = cfg.workload() == Workload.QUEUE;
        int n = cfg.subscriberCount();
        for (int i = 0; i < n; i++) {
            String name = "bench-sub-" + i;
            Connection c = clients.connect(name, cfg.subscriberUrl(i));
            subscribers.add(c);
            subscribe(name, c, queue ? "bench-q" : null, !queue);
        }
        for (Connection c : clients.all()) c.flush(FLUSH_TIMEOUT); // interest is registered
        Connection pub = clients.connect("bench-pub");
        if (cfg.acrossServers()) awaitInterest(pub);
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

        clients.settle(consumers, cfg.stall());
        checkReceiverErrors();
        if (queue) verifyQueueCoverage();
        else verifyEachReceived();
        return new Result(cfg, pub.getServerInfo().getVersion(), end - start, null, across(queue));
    }

    private Result requestReply() throws Exception {
        Connection responder = clients.connect("bench-responder", cfg.subscriberUrl(0));
        subscribers.add(responder);
        Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
        d.setPendingLimits(0, 0);
        d.subscribe(subject);
        consumers.add(d);
        responder.flush(FLUSH_TIMEOUT);
        Connection req = clients.connect("bench-requester");
        if (cfg.acrossServers()) awaitInterest(req);
        Result r = LatencyLoop.run(cfg, req.getServerInfo().getVersion(), seq -> roundTrip(req, seq));
        return new Result(cfg, r.serverVersion(), r.elapsedNanos(), r.latency(), across(false));
    }

    private void roundTrip(Connection req, long seq) throws Exception {
        Message reply = req.request(subject, Payloads.make(cfg.size(), seq), cfg.stall());
        if (reply == null) {
            clients.check();
            throw new VerificationException("request " + seq + ": no reply within " + cfg.stall().toMillis() + " ms");
        }
        byte[] data = reply.getData();
        long got = Payloads.seq(data);
        if (got != seq || data.length != cfg.size()) {
            throw new VerificationException("request " + seq + ": reply carries sequence " + got
                    + " and " + data.length + " bytes, expected " + cfg.size());
        }
    }

    /**
     * js-pull and js-push: the stream created and pre-filled on {@code --url}, the consumer on
     * {@code --sub-url} (another node of a cluster; the same connection when that is {@code --url}).
     */
    private Result consumeStream() throws Exception {
        Connection c = clients.connect("bench-" + cfg.workload().id());
        String consumerUrl = cfg.subscriberUrl(0);
        Connection consumer = consumerUrl.equals(cfg.url()) ? c : clients.connect("bench-consumer", consumerUrl);
        try (BenchStream stream = BenchStream.create(c, subject, cfg.size(), cfg.replicas())) {
            return cfg.workload() == Workload.JS_PULL
                    ? new JetStreamPull(cfg, clients, stream, consumer).run()
                    : new JetStreamPush(cfg, clients, stream, consumer).run();
        }
    }

    /**
     * Waits until the interest of every subscriber connection has reached the publisher's server.
     * Each subscriber connection subscribes to a probe subject of its own, after its real
     * subscription, and the publisher sends to every probe not yet seen until it arrives: a
     * server passes a connection's subscriptions on to the other servers in the order it got
     * them, so once a probe arrives its connection's real subscription is known there too.
     * Probes never use the measured subject; a subscriber on the publisher's own server answers
     * at once. Fails after the stall timeout (the cluster does not carry interest across).
     */
    private void awaitInterest(Connection pub) throws Exception {
        int n = subscribers.size();
        String[] subjects = new String[n];
        Subscription[] probes = new Subscription[n];
        for (int i = 0; i < n; i++) {
            subjects[i] = subject + ".probe." + i;
            probes[i] = subscribers.get(i).subscribe(subjects[i]);
        }
        for (Connection c : subscribers) c.flush(FLUSH_TIMEOUT);
        boolean[] arrived = new boolean[n];
        int left = n;
        long start = System.nanoTime();
        long deadline = start + cfg.stall().toNanos();
        while (left > 0) {
            for (int i = 0; i < n; i++) {
                if (!arrived[i]) pub.publish(subjects[i], null);
            }
            pub.flush(FLUSH_TIMEOUT);
            for (int i = 0; i < n; i++) {
                if (!arrived[i] && probes[i].nextMessage(Duration.ofMillis(5)) != null) {
                    arrived[i] = true;
                    left--;
                }
            }
            clients.check();
            if (left > 0 && System.nanoTime() > deadline) {
                StringBuilder missing = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    if (!arrived[i]) missing.append(' ').append(subscribers.get(i).getOptions().getConnectionName())
                            .append('@').append(cfg.subscriberUrl(i));
                }
                throw new VerificationException("the interest of" + missing + " did not reach the publisher's server "
                        + cfg.url() + " within " + cfg.stall().toMillis() + " ms");
            }
        }
        interestNanos = System.nanoTime() - start;
        for (Subscription p : probes) p.unsubscribe();
    }

    /** What a run across servers reports besides its timing; null when every connection was on one server. */
    private Result.Across across(boolean queue) {
        if (!cfg.acrossServers()) return null;
        Map<String, Long> byServer = null;
        if (queue) {
            byServer = new LinkedHashMap<>();
            for (String url : cfg.subscriberServers()) byServer.put(url, 0L);
            for (int i = 0; i < receivers.size(); i++) byServer.merge(cfg.subscriberUrl(i), receivers.get(i).count(), Long::sum);
        }
        return new Result.Across(interestNanos, byServer);
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
        StallGuard.await(phase, cfg.stall(), target, () -> progress.applyAsLong(receivers), () -> {
            checkReceiverErrors();
            clients.check();
        }, this::counts);
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

    private String counts() {
        StringBuilder sb = new StringBuilder("received:");
        for (Receiver r : receivers) sb.append(' ').append(r.name()).append('=').append(r.count());
        return sb.toString();
    }

    @Override
    public void close() {
        closing = true;
        for (Thread t : pollers) t.interrupt();
        clients.close();
    }
}
