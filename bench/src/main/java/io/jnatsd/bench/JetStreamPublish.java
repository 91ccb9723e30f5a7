package io.jnatsd.bench;

import io.nats.client.Connection;

/**
 * The JetStream publish workloads: every message published to a fresh file stream with its
 * PubAck awaited — one at a time ({@code js-pub}) or with up to {@link BenchStream#WINDOW}
 * outstanding ({@code js-pub-async}). Measured from the first measured publish to the last
 * measured ack. Verified: every ack names the stream and the sequence the message must have,
 * and afterwards the stream holds exactly the published messages.
 */
final class JetStreamPublish {
    private final BenchConfig cfg;
    private final Connection conn;
    private final String subject;

    JetStreamPublish(BenchConfig cfg, Connection conn, String subject) {
        this.cfg = cfg;
        this.conn = conn;
        this.subject = subject;
    }

    Result run() throws Exception {
        try (BenchStream stream = BenchStream.create(conn, subject, cfg.size(), cfg.replicas())) {
            long total = cfg.warmup() + cfg.msgs();
            publish(stream, 0, cfg.warmup());
            long start = System.nanoTime();
            publish(stream, cfg.warmup(), total);
            long end = System.nanoTime();
            stream.verifyHolds(total);
            return new Result(cfg, conn.getServerInfo().getVersion(), end - start, null);
        }
    }

    private void publish(BenchStream stream, long from, long to) throws Exception {
        if (cfg.workload() == Workload.JS_PUB_ASYNC) stream.publishAsync(from, to);
        else stream.publishSync(from, to);
    }
}
