package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code js-pull}: a file stream pre-filled (untimed) with warm-up + measured messages, then a
 * durable pull consumer with explicit acks, fetched in batches of {@code --batch}, every
 * message acked. The last message of each phase is acked synchronously, and the measured
 * phase ends only when the server reports every ack processed (num_ack_pending 0, ack floor
 * at the last message): acks sent but still queued would flatter the rate. The consumer is
 * created, fetched from and polled on its own connection, which may be on another node than
 * the one the stream was filled through.
 */
final class JetStreamPull {
    static final String CONSUMER = "bench-pull";
    /** How long one fetch waits for its batch; an empty fetch is retried until the stall timeout. */
    private static final Duration FETCH_WAIT = Duration.ofSeconds(2);

    private final BenchConfig cfg;
    private final Clients clients;
    private final BenchStream stream;
    private final Connection consumer;
    private final JetStreamManagement jsm;

    JetStreamPull(BenchConfig cfg, Clients clients, BenchStream stream, Connection consumer) throws java.io.IOException {
        this.cfg = cfg;
        this.clients = clients;
        this.stream = stream;
        this.consumer = consumer;
        this.jsm = consumer.jetStreamManagement();
    }

    Result run() throws Exception {
        long total = cfg.warmup() + cfg.msgs();
        stream.publishAsync(0, total);
        // Two batches of acks in flight, as nats bench allows one per client and batch.
        jsm.addOrUpdateConsumer(stream.name(), ConsumerConfiguration.builder().durable(CONSUMER)
                .ackPolicy(AckPolicy.Explicit).maxAckPending(2L * cfg.batch()).build());
        JetStreamSubscription sub = consumer.jetStream().subscribe(null, PullSubscribeOptions.bind(stream.name(), CONSUMER));
        Receiver r = new Receiver(CONSUMER, true, total, cfg.size());

        consume(sub, r, cfg.warmup(), "warm-up");
        awaitAcksProcessed(cfg.warmup());
        long start = System.nanoTime();
        consume(sub, r, total, "measured phase");
        long end = awaitAcksProcessed(total);

        stream.verifyConsumed(CONSUMER, total, true);
        return new Result(cfg, consumer.getServerInfo().getVersion(), end - start, null);
    }

    /** Fetches and acks until {@code r} has {@code upTo} messages; the last ack waits for the server. */
    private void consume(JetStreamSubscription sub, Receiver r, long upTo, String phase) throws Exception {
        StallGuard guard = new StallGuard(phase, cfg.stall());
        while (r.count() < upTo) {
            // Never ask for more than the phase needs: a surplus message would be delivered unacked.
            List<Message> batch = sub.fetch((int) Math.min(cfg.batch(), upTo - r.count()), FETCH_WAIT);
            for (Message m : batch) {
                r.accept(m.getData());
                if (r.count() == upTo) m.ackSync(cfg.stall());
                else m.ack();
            }
            if (r.error() != null) throw new VerificationException(r.error());
            clients.check();
            guard.observe(r.count(), upTo, () -> "fetched " + r.count());
        }
    }

    /**
     * The time at which the server had processed the acks of the first {@code upTo} messages:
     * now, if consumer info says so at once (the ackSync reply came after all earlier acks on
     * the connection), else when polling first sees it.
     */
    private long awaitAcksProcessed(long upTo) throws Exception {
        if (upTo == 0) return System.nanoTime();
        long now = System.nanoTime();
        StallGuard guard = new StallGuard("acks of " + upTo + " messages", cfg.stall());
        while (true) {
            ConsumerInfo ci = jsm.getConsumerInfo(stream.name(), CONSUMER);
            if (BenchStream.allAcked(ci, upTo)) return now;
            guard.observe(ci.getAckFloor().getStreamSequence(), upTo, () -> "num_ack_pending " + ci.getNumAckPending());
            LockSupport.parkNanos(100_000);
            now = System.nanoTime();
        }
    }
}
