package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.Outbox;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.InternalClient.Msg;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.store.StoreLimitException;
import io.jnatsd.store.StoredAppend;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamState;
import io.jnatsd.store.StreamStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One stream: subscribes to its subjects in its account and appends what is published there
 * to its store, then acknowledges. Appends happen on one writer at a time, in arrival order;
 * the writer takes everything queued, appends it, makes it durable with one fsync when the
 * server syncs always (group commit), and only then sends the acks.
 */
public final class Stream implements Subscriber {
    private static final int MAX_BATCH = 4096;

    private final JsServer js;
    private final Account account;
    private final StreamStore store;
    private final Instant created;
    private final ConcurrentLinkedQueue<Msg> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Executor writers;
    private final DuplicateWindow duplicates;
    private final List<Subscription> subscriptions = new ArrayList<>();
    /** Told after each batch of appends (sources and mirrors following this stream). */
    private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();
    /** Set by {@link #kick()}: the writer should pull from this stream's mirror origin or sources. */
    private final AtomicBoolean pullRequested = new AtomicBoolean();
    private final Consumers consumers;
    private volatile StreamConfig config;
    private volatile SubjectTransform ingestTransform;
    private volatile Republisher republisher;
    private volatile StreamSourcing sourcing;
    private volatile boolean closed;
    private String lastMsgId;
    private byte[] ackPrefix; // the writer's: the stream's name and domain, quoted once

    public Stream(JsServer js, Account account, StreamConfig config, StreamStore store, Instant created,
                  Function<Stream, Consumers> consumers) {
        this.js = js;
        this.account = account;
        this.config = config;
        this.store = store;
        this.created = created;
        this.writers = js.writers();
        this.duplicates = new DuplicateWindow(config.duplicateWindow);
        applyFeatures(config);
        this.consumers = consumers.apply(this);
    }

    public Consumers consumers() {
        return consumers;
    }

    /** Transforms and republishing follow the config; sourcing is attached by {@link StreamSourcing}. */
    private void applyFeatures(StreamConfig c) {
        ingestTransform = c.subjectTransform == null || c.subjectTransform.dest == null || c.subjectTransform.dest.isEmpty()
                ? null : SubjectTransform.create(c.subjectTransform.src, c.subjectTransform.dest);
        republisher = Republisher.of(c);
    }

    StreamSourcing sourcing() {
        return sourcing;
    }

    void setSourcing(StreamSourcing sourcing) {
        this.sourcing = sourcing;
    }

    JsServer jetStream() {
        return js;
    }

    void addAppendListener(Runnable r) {
        appendListeners.add(r);
    }

    void removeAppendListener(Runnable r) {
        appendListeners.remove(r);
    }

    /** Asks the writer to pull from the mirror origin or sources (after they appended, or on a timer). */
    void kick() {
        pullRequested.set(true);
        if (!closed && draining.compareAndSet(false, true)) writers.execute(this::drain);
    }

    public String name() {
        return config.name;
    }

    public StreamConfig config() {
        return config;
    }

    public Instant created() {
        return created;
    }

    public StreamStore store() {
        return store;
    }

    public Account account() {
        return account;
    }

    /** Starts taking messages published on the stream's subjects. */
    public synchronized void subscribe() {
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
    public synchronized void update(StreamConfig updated) {
        unsubscribe();
        config = updated;
        duplicates.setWindow(updated.duplicateWindow);
        applyFeatures(updated);
        store.updateConfig(JsServer.storeConfig(updated, js.syncAlways(), js.syncIntervalNanos()));
        subscribe();
    }

    public void close() {
        closed = true;
        unsubscribe();
        StreamSourcing src = sourcing;
        if (src != null) src.close();
        consumers.close();
    }

    // ---- ingest: publishers' threads enqueue, one writer appends ----

    /**
     * Takes a published message. When no writer is busy, the publisher's thread appends it at once
     * (as upstream does in the client's read loop), acks going out with the publisher's own flush,
     * which spares a request/reply publisher a thread hand-off per message; whatever queued up
     * meanwhile goes to a writer thread. In always-mode the fsync must not stall an event loop, so
     * a writer thread always appends.
     */
    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        if (closed) return false;
        incoming.add(Msg.copyOf(msg, batch.origin()));
        if (draining.compareAndSet(false, true)) {
            if (js.syncAlways()) writers.execute(this::drain);
            else drain(batch);
        }
        return true;
    }

    @Override
    public boolean echo() {
        return true;
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.JETSTREAM;
    }

    private void drain() {
        drain(null);
    }

    /**
     * Appends what is queued, in batches, until nothing is left; with the publisher's flush batch
     * {@code inline}, only one batch, its acks flushed by that publisher, the rest handed on.
     */
    private void drain(FlushBatch inline) {
        List<Msg> taken = new ArrayList<>();
        Outbox out = new Outbox();
        try {
            while (!closed) {
                Msg in;
                while (taken.size() < MAX_BATCH && (in = incoming.poll()) != null) taken.add(in);
                StreamSourcing src = sourcing;
                boolean pulled = src != null && pullRequested.getAndSet(false) && src.pull(this, out);
                if (pulled) pullRequested.set(true); // more may be waiting: pull again next round
                if (taken.isEmpty() && !pulled) break;
                for (Msg m : taken) {
                    byte[] ack = append(m.subject(), m.headers(), m.payload(), null, out);
                    if (m.reply() != null && ack != null && !config.noAck) out.add(m.reply(), null, ack);
                }
                if (js.syncAlways()) store.sync(); // one fsync makes the whole batch durable
                if (inline != null) {
                    consumers.deliverStored(inline);
                    out.sendAll(js.internal(), account, inline);
                    for (Runnable r : appendListeners) r.run();
                    break;
                }
                FlushBatch batch = new FlushBatch();
                consumers.deliverStored(batch);
                out.sendAll(js.internal(), account, batch);
                batch.flushAll();
                taken.clear();
                for (Runnable r : appendListeners) r.run();
            }
        } finally {
            draining.set(false);
            if ((!incoming.isEmpty() || (pullRequested.get() && sourcing != null)) && !closed
                    && draining.compareAndSet(false, true)) {
                writers.execute(this::drain);
            }
        }
    }

    private byte[] ackPrefix() {
        byte[] p = ackPrefix;
        if (p == null) ackPrefix = p = PubAck.okPrefix(config.name, js.domain());
        return p;
    }

    /**
     * Checks the publish preconditions, appends, queues a republished copy, and returns the ack
     * (or error ack). {@code sourceHeader} is set for a message taken from a source: its
     * {@code Nats-Stream-Source} value (preconditions are not checked for those). Runs on the writer.
     */
    byte[] append(String subject, byte[] h, byte[] payload, String sourceHeader, Outbox out) {
        StreamConfig c = config;
        SubjectTransform itr = ingestTransform;
        if (itr != null) {
            String to = itr.match(subject);
            if (to != null) subject = to;
        }
        if (c.sealed) return PubAck.error(c.name, ApiErrors.of("JSStreamSealedErr"));
        if (sourceHeader != null) h = StreamSourcing.sourcedHeaders(h, sourceHeader);
        int size = payload.length + (h == null ? 0 : h.length);
        if (c.maxMsgSize > 0 && size > c.maxMsgSize) return PubAck.error(c.name, ApiErrors.of("JSStreamMessageExceedsMaximumErr"));
        ApiError overLimit = JsLimits.checkAppend(this, subject, h, payload);
        if (overLimit != null) return PubAck.error(c.name, overLimit);
        String msgId = Headers.get(h, "Nats-Msg-Id");
        long now = System.currentTimeMillis() * 1_000_000L;
        if (h != null && sourceHeader == null) {
            String expectedStream = Headers.get(h, "Nats-Expected-Stream");
            if (expectedStream != null && !expectedStream.equals(c.name)) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamNotMatchErr"));
            }
            if (msgId != null) {
                long dup = duplicates.find(msgId, now);
                if (dup >= 0) return PubAck.ok(ackPrefix(), dup, true);
            }
            String expectedLast = Headers.get(h, "Nats-Expected-Last-Sequence");
            long last = store.state().lastSeq();
            if (expectedLast != null && parseLong(expectedLast) != last) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", last));
            }
            String expectedSubjectLast = Headers.get(h, "Nats-Expected-Last-Subject-Sequence");
            if (expectedSubjectLast != null) {
                StoredMessage lastOfSubject = store.loadLast(subject);
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
        if (rollup != null && sourceHeader != null && !c.allowRollupHdrs) rollup = null; // a source's rollup does not apply here
        if (rollup != null) {
            if (!c.allowRollupHdrs) return PubAck.error(c.name, ApiErrors.of("JSStreamRollupFailedF", "err", "rollup not permitted"));
            if (!rollup.equals("sub") && !rollup.equals("all")) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamRollupFailedF", "err", "rollup value invalid: " + rollup));
            }
        }
        long ttl = 0;
        String ttlHeader = Headers.get(h, "Nats-TTL");
        if (ttlHeader != null && !(sourceHeader != null && !c.allowMsgTtl)) {
            if (!c.allowMsgTtl) return PubAck.error(c.name, ApiErrors.of("JSMessageTTLDisabledErr"));
            ttl = MessageTtl.parseNanos(ttlHeader);
            if (ttl == 0) return PubAck.error(c.name, ApiErrors.of("JSMessageTTLInvalidErr"));
        }
        if (h != null && sourceHeader != null && msgId != null) {
            long dup = duplicates.find(msgId, now);
            if (dup >= 0) return PubAck.ok(ackPrefix(), dup, true);
        }
        Republisher rp = republisher;
        String republishTo = rp == null ? null : rp.destination(subject);
        long lastOfSubject = republishTo == null ? 0 : store.filteredState(0, subject).last();
        StoredAppend stored;
        try {
            stored = store.store(subject, h, payload, ttl);
        } catch (StoreLimitException e) {
            return PubAck.error(c.name, ApiErrors.of("JSStreamStoreFailedF", "err", e.reason().text()));
        } catch (RuntimeException e) {
            js.log().error("JetStream failed to store a msg on stream '%s > %s': %s", account.name(), c.name, e.getMessage());
            return PubAck.error(c.name, ApiErrors.of("JSStreamStoreFailedF", "err", String.valueOf(e.getMessage())));
        }
        if (rollup != null) {
            store.purge(rollup.equals("sub") ? subject : null, stored.seq(), 0);
        }
        if (msgId != null) {
            duplicates.record(msgId, stored.seq(), now);
            lastMsgId = msgId;
        }
        JsLimits.appended(this, subject, h, payload);
        if (republishTo != null) {
            rp.add(out, republishTo, c.name, subject, h, payload, stored.seq(), stored.timestampNanos(), lastOfSubject);
        }
        if ("interest".equals(c.retention) && !consumers.interested(subject)) {
            store.remove(stored.seq()); // nobody is interested: nothing to keep
        } else {
            consumers.stored(stored.seq(), subject);
        }
        return PubAck.ok(ackPrefix(), stored.seq(), false);
    }

    /**
     * Stores a message of the mirror's origin under its own sequence and time (skipped
     * sequences count as deleted); returns false when the account's limits refuse it.
     */
    boolean storeMirrored(StoredMessage m, Outbox out) {
        StreamConfig c = config;
        if (JsLimits.checkAppend(this, m.subject(), m.headers(), m.payload()) != null) return false;
        Republisher rp = republisher;
        String republishTo = rp == null ? null : rp.destination(m.subject());
        long lastOfSubject = republishTo == null ? 0 : store.filteredState(0, m.subject()).last();
        store.storeRaw(m.subject(), m.headers(), m.payload(), m.seq(), m.timestampNanos(), m.ttlNanos());
        consumers.stored(m.seq(), m.subject());
        JsLimits.appended(this, m.subject(), m.headers(), m.payload());
        if (republishTo != null) {
            rp.add(out, republishTo, c.name, m.subject(), m.headers(), m.payload(), m.seq(), m.timestampNanos(), lastOfSubject);
        }
        return true;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The first sequence whose message was stored at or after {@code nanos} (last + 1 when
     * none), by binary search over the live messages (timestamps ascend with sequences).
     */
    public static long seqForTime(StreamStore store, long nanos) {
        StreamState st = store.state();
        if (st.msgs() == 0) return st.lastSeq() + 1;
        if (nanos <= st.firstTimeNanos()) return st.firstSeq();
        if (nanos > st.lastTimeNanos()) return st.lastSeq() + 1;
        long lo = st.firstSeq();
        long hi = st.lastSeq();
        long answer = st.lastSeq();
        while (lo <= hi) {
            long mid = lo + (hi - lo) / 2;
            StoredMessage m = store.loadNext(null, mid);
            if (m == null) {
                hi = mid - 1;
                continue;
            }
            if (m.timestampNanos() >= nanos) {
                answer = m.seq();
                hi = mid - 1;
            } else {
                lo = m.seq() + 1;
            }
        }
        return answer;
    }
}
