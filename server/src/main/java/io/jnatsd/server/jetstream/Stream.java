package io.jnatsd.server.jetstream;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.store.StoreLimitException;
import io.jnatsd.store.StoredAppend;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One stream: subscribes to its subjects in its account and appends what is published there
 * to its store, then acknowledges. Appends happen on one writer at a time, in arrival order;
 * the writer takes everything queued, appends it, makes it durable with one fsync when the
 * server syncs always (group commit), and only then sends the acks.
 */
final class Stream implements Subscriber {
    /** What a publisher sent, copied out of its read buffer. */
    private record Incoming(String subject, String reply, byte[] headers, byte[] payload) {}

    private static final int MAX_BATCH = 4096;

    private final JetStream js;
    private final Account account;
    private final StreamStore store;
    private final Instant created;
    private final ConcurrentLinkedQueue<Incoming> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Executor writers;
    private final DuplicateWindow duplicates;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final StreamConsumers consumers;
    private volatile StreamConfig config;
    private volatile boolean closed;
    private String lastMsgId;

    Stream(JetStream js, Account account, StreamConfig config, StreamStore store, Instant created, Executor writers) {
        this.js = js;
        this.account = account;
        this.config = config;
        this.store = store;
        this.created = created;
        this.writers = writers;
        this.duplicates = new DuplicateWindow(config.duplicateWindow);
        this.consumers = new StreamConsumers(js, this);
    }

    StreamConsumers consumers() {
        return consumers;
    }

    String name() {
        return config.name;
    }

    StreamConfig config() {
        return config;
    }

    Instant created() {
        return created;
    }

    StreamStore store() {
        return store;
    }

    Account account() {
        return account;
    }

    /** Starts taking messages published on the stream's subjects. */
    synchronized void subscribe() {
        for (String subject : config.subjects) {
            Subscription sub = new Subscription(this, subject, null, "stream-" + config.name);
            account.subscribe(sub);
            subscriptions.add(sub);
        }
    }

    synchronized void unsubscribe() {
        for (Subscription sub : subscriptions) account.unsubscribe(sub);
        subscriptions.clear();
    }

    /** Applies an updated config (already validated as an allowed change). */
    synchronized void update(StreamConfig updated) {
        unsubscribe();
        config = updated;
        duplicates.setWindow(updated.duplicateWindow);
        store.updateConfig(JetStream.storeConfig(updated, js.syncAlways(), js.syncIntervalNanos()));
        subscribe();
    }

    void close() {
        closed = true;
        unsubscribe();
        consumers.close();
    }

    // ---- ingest: publishers' threads enqueue, one writer appends ----

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        if (closed) return false;
        byte[] headers = null;
        if (msg.hasHeaders()) {
            headers = new byte[msg.headerLength()];
            msg.headers().getBytes(0, headers);
        }
        byte[] payload = new byte[msg.payloadLength()];
        msg.payload().getBytes(0, payload);
        incoming.add(new Incoming(msg.subject(), msg.reply(), headers, payload));
        if (draining.compareAndSet(false, true)) writers.execute(this::drain);
        return true;
    }

    @Override
    public boolean echo() {
        return true;
    }

    private void drain() {
        List<Incoming> taken = new ArrayList<>();
        List<byte[]> acks = new ArrayList<>();
        try {
            while (true) {
                Incoming in;
                while (taken.size() < MAX_BATCH && (in = incoming.poll()) != null) taken.add(in);
                if (taken.isEmpty()) break;
                for (Incoming m : taken) {
                    byte[] ack = append(m); // stored with or without a reply; only a reply gets the ack
                    acks.add(m.reply() == null ? null : ack);
                }
                if (js.syncAlways()) store.sync(); // one fsync makes the whole batch durable
                for (int i = 0; i < taken.size(); i++) {
                    byte[] ack = acks.get(i);
                    if (ack != null) js.internal().publish(account, taken.get(i).reply(), null, null, ack);
                }
                taken.clear();
                acks.clear();
            }
        } finally {
            draining.set(false);
            if (!incoming.isEmpty() && draining.compareAndSet(false, true)) writers.execute(this::drain);
        }
    }

    /** Checks the publish preconditions, appends, and returns the ack (or error ack). */
    private byte[] append(Incoming m) {
        StreamConfig c = config;
        String domain = js.domain();
        if (c.sealed) return PubAck.error(c.name, ApiErrors.of("JSStreamSealedErr"));
        int size = m.payload().length + (m.headers() == null ? 0 : m.headers().length);
        if (c.maxMsgSize > 0 && size > c.maxMsgSize) return PubAck.error(c.name, ApiErrors.of("JSStreamMessageExceedsMaximumErr"));
        byte[] h = m.headers();
        String msgId = Headers.get(h, "Nats-Msg-Id");
        long now = System.currentTimeMillis() * 1_000_000L;
        if (h != null) {
            String expectedStream = Headers.get(h, "Nats-Expected-Stream");
            if (expectedStream != null && !expectedStream.equals(c.name)) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamNotMatchErr"));
            }
            if (msgId != null) {
                long dup = duplicates.find(msgId, now);
                if (dup >= 0) return PubAck.ok(c.name, domain, dup, true);
            }
            String expectedLast = Headers.get(h, "Nats-Expected-Last-Sequence");
            long last = store.state().lastSeq();
            if (expectedLast != null && parseLong(expectedLast) != last) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", last));
            }
            String expectedSubjectLast = Headers.get(h, "Nats-Expected-Last-Subject-Sequence");
            if (expectedSubjectLast != null) {
                StoredMessage lastOfSubject = store.loadLast(m.subject());
                long seq = lastOfSubject == null ? 0 : lastOfSubject.seq();
                if (parseLong(expectedSubjectLast) != seq) {
                    return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", seq));
                }
            }
            String expectedLastId = Headers.get(h, "Nats-Expected-Last-Msg-Id");
            if (expectedLastId != null && !expectedLastId.equals(lastMsgId == null ? "" : lastMsgId)) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastMsgIDErrF", "id", lastMsgId == null ? "" : lastMsgId));
            }
        }
        String rollup = Headers.get(h, "Nats-Rollup");
        if (rollup != null) {
            if (!c.allowRollupHdrs) return PubAck.error(c.name, ApiErrors.of("JSStreamRollupFailedF", "err", "rollup not permitted"));
            if (!rollup.equals("sub") && !rollup.equals("all")) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamRollupFailedF", "err", "rollup value invalid: " + rollup));
            }
        }
        long ttl = 0;
        String ttlHeader = Headers.get(h, "Nats-TTL");
        if (ttlHeader != null) {
            if (!c.allowMsgTtl) return PubAck.error(c.name, ApiErrors.of("JSMessageTTLDisabledErr"));
            ttl = MessageTtl.parseNanos(ttlHeader);
            if (ttl == 0) return PubAck.error(c.name, ApiErrors.of("JSMessageTTLInvalidErr"));
        }
        StoredAppend stored;
        try {
            stored = store.store(m.subject(), h, m.payload(), ttl);
        } catch (StoreLimitException e) {
            return PubAck.error(c.name, ApiErrors.of("JSStreamStoreFailedF", "err", e.reason().text()));
        } catch (RuntimeException e) {
            js.log().error("JetStream failed to store a msg on stream '%s > %s': %s", account.name(), c.name, e.getMessage());
            return PubAck.error(c.name, ApiErrors.of("JSStreamStoreFailedF", "err", String.valueOf(e.getMessage())));
        }
        if (rollup != null) {
            store.purge(rollup.equals("sub") ? m.subject() : null, stored.seq(), 0);
        }
        if (msgId != null) {
            duplicates.record(msgId, stored.seq(), now);
            lastMsgId = msgId;
        }
        if ("interest".equals(c.retention) && !consumers.interested(m.subject())) {
            store.remove(stored.seq()); // nobody is interested: nothing to keep
        } else {
            consumers.stored(stored.seq(), m.subject());
        }
        return PubAck.ok(c.name, domain, stored.seq(), false);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
