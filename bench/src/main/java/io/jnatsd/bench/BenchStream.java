package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The file stream of one JetStream workload (of {@code --replicas} replicas): created fresh on the run's subject, written only
 * by this run — so message {@code i} (from 0) must be stored at sequence {@code i + 1}, which
 * every PubAck is checked against — and deleted at the end.
 */
final class BenchStream implements AutoCloseable {
    /** PubAcks outstanding at most when publishing asynchronously. */
    static final int WINDOW = 1024;
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final JetStreamManagement jsm;
    private final JetStream js;
    private final String subject;
    private final String name;
    private final int size;

    private BenchStream(Connection conn, String name, String subject, int size) throws IOException {
        this.jsm = conn.jetStreamManagement();
        this.js = conn.jetStream();
        this.subject = subject;
        this.name = name;
        this.size = size;
    }

    static BenchStream create(Connection conn, String subject, int size, int replicas) throws IOException, JetStreamApiException {
        return create(conn, "BENCH_" + subject.replace('.', '_').toUpperCase(Locale.ROOT), subject, size, replicas);
    }

    /** A stream of the given name (one that outlives the run unless closed: the recovery probe's). */
    static BenchStream create(Connection conn, String name, String subject, int size, int replicas)
            throws IOException, JetStreamApiException {
        BenchStream s = new BenchStream(conn, name, subject, size);
        s.jsm.addStream(StreamConfiguration.builder().name(s.name).subjects(subject).storageType(StorageType.File)
                .replicas(replicas).build());
        return s;
    }

    String name() {
        return name;
    }

    /** Publishes messages {@code from} until {@code to}, each waiting for its PubAck. */
    void publishSync(long from, long to) throws Exception {
        for (long i = from; i < to; i++) {
            check(js.publish(subject, Payloads.make(size, i)), i);
        }
    }

    /** Publishes messages {@code from} until {@code to} with up to {@link #WINDOW} PubAcks outstanding. */
    void publishAsync(long from, long to) throws Exception {
        ArrayDeque<CompletableFuture<PublishAck>> pending = new ArrayDeque<>(WINDOW);
        long next = from; // the message whose ack is awaited next
        for (long i = from; i < to; i++) {
            if (pending.size() >= WINDOW) check(await(pending.poll()), next++);
            pending.add(js.publishAsync(subject, Payloads.make(size, i)));
        }
        while (!pending.isEmpty()) check(await(pending.poll()), next++);
    }

    private static PublishAck await(CompletableFuture<PublishAck> f) throws Exception {
        return f.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check(PublishAck ack, long i) throws VerificationException {
        if (ack.hasError()) throw new VerificationException("message " + i + ": error ack " + ack.getError());
        if (!name.equals(ack.getStream()) || ack.getSeqno() != i + 1 || ack.isDuplicate()) {
            throw new VerificationException("message " + i + ": ack for stream " + ack.getStream() + " seq "
                    + ack.getSeqno() + (ack.isDuplicate() ? " (duplicate)" : "") + ", expected " + name + " seq " + (i + 1));
        }
    }

    /** The stream holds exactly {@code total} messages, the last one with its number. */
    void verifyHolds(long total) throws Exception {
        StreamInfo info = jsm.getStreamInfo(name);
        if (info.getStreamState().getMsgCount() != total || info.getStreamState().getLastSequence() != total) {
            throw new VerificationException("stream holds " + info.getStreamState().getMsgCount() + " messages up to seq "
                    + info.getStreamState().getLastSequence() + ", expected " + total);
        }
        if (total == 0) {
            return; // an empty stream: nothing to compare
        }
        byte[] last = jsm.getMessage(name, total).getData();
        if (!Arrays.equals(last, Payloads.make(size, total - 1))) {
            throw new VerificationException("the last stored message is not the last one published");
        }
    }

    /**
     * The server's view of a consumer that took all {@code total} messages once: delivered up to
     * the last, nothing left to deliver, nothing redelivered and, when it acks, everything acked.
     */
    void verifyConsumed(String consumer, long total, boolean acks) throws Exception {
        ConsumerInfo ci = jsm.getConsumerInfo(name, consumer);
        String state = consumer + ": delivered stream seq " + ci.getDelivered().getStreamSequence()
                + ", num_pending " + ci.getNumPending() + ", redelivered " + ci.getRedelivered()
                + ", ack floor stream seq " + ci.getAckFloor().getStreamSequence()
                + ", num_ack_pending " + ci.getNumAckPending() + "; expected " + total + " delivered once"
                + (acks ? " and acked" : "");
        boolean ok = ci.getDelivered().getStreamSequence() == total && ci.getNumPending() == 0
                && ci.getRedelivered() == 0;
        if (acks) ok &= allAcked(ci, total);
        if (!ok) throw new VerificationException(state);
    }

    /** Whether the server has processed the acks of all {@code total} messages. */
    static boolean allAcked(ConsumerInfo ci, long total) {
        return ci.getNumAckPending() == 0 && ci.getAckFloor().getStreamSequence() == total;
    }

    @Override
    public void close() throws IOException {
        try {
            jsm.deleteStream(name);
        } catch (JetStreamApiException ignored) {
            // already gone
        }
    }
}
