package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The JetStream publish workloads: a fresh file stream on the run's subject, then every message
 * published with a PubAck awaited — one at a time ({@code js-pub}) or with up to
 * {@link #WINDOW} outstanding ({@code js-pub-async}). Measured from the first measured publish
 * to the last measured ack. Verified: every ack names the stream and the sequence the message
 * must have (the stream is written by this run only), and afterwards the stream holds exactly
 * the published messages, the last one with its number. The stream is deleted at the end.
 */
final class JetStreamPublish {
    static final int WINDOW = 1024;
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final BenchConfig cfg;
    private final Connection conn;
    private final String subject;
    private final String stream;

    JetStreamPublish(BenchConfig cfg, Connection conn, String subject) {
        this.cfg = cfg;
        this.conn = conn;
        this.subject = subject;
        this.stream = "BENCH_" + subject.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }

    Result run() throws Exception {
        JetStreamManagement jsm = conn.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject).storageType(StorageType.File).build());
        try {
            JetStream js = conn.jetStream();
            long total = cfg.warmup() + cfg.msgs();
            boolean async = cfg.workload() == Workload.JS_PUB_ASYNC;
            if (async) publishAsync(js, 0, cfg.warmup());
            else publishSync(js, 0, cfg.warmup());
            long start = System.nanoTime();
            if (async) publishAsync(js, cfg.warmup(), total);
            else publishSync(js, cfg.warmup(), total);
            long end = System.nanoTime();
            verifyStream(jsm, total);
            return new Result(cfg, conn.getServerInfo().getVersion(), end - start, null);
        } finally {
            try {
                jsm.deleteStream(stream);
            } catch (JetStreamApiException ignored) {
                // already gone
            }
        }
    }

    private void publishSync(JetStream js, long from, long to) throws Exception {
        for (long i = from; i < to; i++) {
            check(js.publish(subject, Payloads.make(cfg.size(), i)), i);
        }
    }

    private void publishAsync(JetStream js, long from, long to) throws Exception {
        publishWindowed(js, subject, cfg.size(), from, to, this::check);
    }

    /** Checks the ack of message {@code i}. */
    interface AckCheck {
        void check(PublishAck ack, long i) throws VerificationException;
    }

    /**
     * Publishes messages {@code from} to {@code to - 1} ({@link Payloads} bodies of {@code size}
     * bytes) with up to {@link #WINDOW} acks outstanding; {@code check} sees every ack in order.
     */
    static void publishWindowed(JetStream js, String subject, int size, long from, long to, AckCheck check)
            throws Exception {
        ArrayDeque<CompletableFuture<PublishAck>> pending = new ArrayDeque<>(WINDOW);
        long next = from; // the message whose ack is awaited next
        for (long i = from; i < to; i++) {
            if (pending.size() >= WINDOW) check.check(await(pending.poll()), next++);
            pending.add(js.publishAsync(subject, Payloads.make(size, i)));
        }
        while (!pending.isEmpty()) check.check(await(pending.poll()), next++);
    }

    private static PublishAck await(CompletableFuture<PublishAck> f) throws Exception {
        return f.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Message {@code i} (from 0) must be stored at sequence i + 1 of our stream. */
    private void check(PublishAck ack, long i) throws VerificationException {
        if (ack.hasError()) throw new VerificationException("message " + i + ": error ack " + ack.getError());
        if (!stream.equals(ack.getStream()) || ack.getSeqno() != i + 1 || ack.isDuplicate()) {
            throw new VerificationException("message " + i + ": ack for stream " + ack.getStream() + " seq "
                    + ack.getSeqno() + (ack.isDuplicate() ? " (duplicate)" : "") + ", expected " + stream + " seq " + (i + 1));
        }
    }

    private void verifyStream(JetStreamManagement jsm, long total) throws Exception {
        StreamInfo info = jsm.getStreamInfo(stream);
        if (info.getStreamState().getMsgCount() != total || info.getStreamState().getLastSequence() != total) {
            throw new VerificationException("stream holds " + info.getStreamState().getMsgCount() + " messages up to seq "
                    + info.getStreamState().getLastSequence() + ", expected " + total);
        }
        byte[] last = jsm.getMessage(stream, total).getData();
        if (!Arrays.equals(last, Payloads.make(cfg.size(), total - 1))) {
            throw new VerificationException("the last stored message is not the last one published");
        }
    }
}
