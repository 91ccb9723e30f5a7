package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.time.Duration;
import java.util.List;

/**
 * {@code js-push}: a file stream pre-filled (untimed) with warm-up + measured messages, then a
 * durable push consumer with ack policy none and flow control, received by a Dispatcher.
 * Ack none, as {@code nats bench js ordered} and its durable push consumer with
 * {@code --ack=false}: the server's push path alone, while js-pull measures ack processing
 * (nats bench's push default, explicit acks with 500 pending, mixes the two). Flow control, because an unacknowledged push consumer is otherwise bounded by
 * nothing and a slow moment in the client would cut the connection as a slow consumer. The
 * consumer never pauses, so the warm-up is its first messages: the measured phase runs from
 * the arrival of the last warm-up message (or the subscribe, without warm-up) to the last.
 * The consumer is created and received on its own connection (maybe another node's).
 */
final class JetStreamPush {
    static final String CONSUMER = "bench-push";
    private static final Duration IDLE_HEARTBEAT = Duration.ofSeconds(5);

    private final BenchConfig cfg;
    private final Clients clients;
    private final BenchStream stream;
    private final Connection conn;

    JetStreamPush(BenchConfig cfg, Clients clients, BenchStream stream, Connection consumer) {
        this.cfg = cfg;
        this.clients = clients;
        this.stream = stream;
        this.conn = consumer;
    }

    Result run() throws Exception {
        long total = cfg.warmup() + cfg.msgs();
        stream.publishAsync(0, total);
        conn.jetStreamManagement().addOrUpdateConsumer(stream.name(), ConsumerConfiguration.builder().durable(CONSUMER)
                .deliverSubject(conn.createInbox()).ackPolicy(AckPolicy.None).flowControl(IDLE_HEARTBEAT).build());
        Receiver r = new Receiver(CONSUMER, true, total, cfg.size(), cfg.warmup());
        Dispatcher d = conn.createDispatcher();
        d.setPendingLimits(0, 0); // unlimited: a client-side drop would look like server loss

        long subscribed = System.nanoTime();
        JetStreamSubscription sub = conn.jetStream().subscribe(null, d, r, false,
                PushSubscribeOptions.bind(stream.name(), CONSUMER));
        StallGuard.await("push consumer", cfg.stall(), total, r::count, () -> {
            if (r.error() != null) throw new VerificationException(r.error());
            clients.check();
        }, () -> "received " + r.count());
        long start = cfg.warmup() == 0 ? subscribed : r.markNanos();
        long end = r.lastNanos();

        clients.settle(List.of(d, sub), cfg.stall());
        if (r.error() != null) throw new VerificationException(r.error());
        if (r.count() != total) throw new VerificationException(CONSUMER + " received " + r.count() + ", expected " + total);
        stream.verifyConsumed(CONSUMER, total, false);
        return new Result(cfg, conn.getServerInfo().getVersion(), end - start, null);
    }
}
