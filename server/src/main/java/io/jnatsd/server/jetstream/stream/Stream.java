package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.JsHeaders;
import io.jnatsd.server.jetstream.common.Outbox;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.store.RemovalListener;
import io.jnatsd.store.RemovalReason;
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
 * the writer takes everything queued, decides each message ({@link #decide}: the leader's
 * checks), appends the entries it takes to the stream's log, which applies them
 * ({@link #apply}: what every replica does), makes the batch durable with one fsync when the
 * server syncs always (group commit), and only then sends the acks.
 */
public final class Stream implements Subscriber {
    private static final int MAX_BATCH = 4096;
    private static final long SECOND = 1_000_000_000L;
    /** Not an ack: a marker no longer needed (the subject has a message again) is dropped. */
    private static final byte[] MARKER_NOT_NEEDED = new byte[0];
    /** The answer to a staged message of an atomic batch: an empty message, as upstream sends. */
    private static final byte[] STAGED = new byte[0];

    private final JsServer js;
    private final Account account;
    private final StreamStore store;
    private final Instant created;
    private final ConcurrentLinkedQueue<StreamEntry> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Executor writers;
    private final DuplicateWindow duplicates;
    private final AtomicBatches batches;
    private final MessageSchedules schedules;
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
    /** This replica leads the stream's log: it takes publishes (subscribed to the subjects) and serves consumers. */
    private volatile boolean leading;
    private final EntryLog<StreamEntry> log;
    /** The writer's: the last applied message's id (Nats-Expected-Last-Msg-Id). */
    private String lastMsgId;
    /** Held while a replicated stream's leader decides and while any replica applies: they run on different threads. */
    private final Object applyLock = new Object();
    /** The writer's: why the store refused the entry just applied; when the entry just applied was stored. */
    private ApiError refusal;
    /** The writer's: what {@link #decide} took, when it is not the entry proposed as it came (a raised TTL). */
    private StreamEntry decided;
    /** The writer's: a counter stream's new total for the ack of the entry {@link #decide} took. */
    private String decidedValue;
    private long appliedTimestamp;
    private byte[] ackPrefix; // the writer's: the stream's name and domain, quoted once

    public Stream(JsServer js, Account account, StreamConfig config, StreamStore store, Instant created,
                  EntryLog.Factory logs, Function<Stream, Consumers> consumers) {
        this.js = js;
        this.account = account;
        this.config = config;
        this.store = store;
        this.created = created;
        this.writers = js.writers();
        this.duplicates = new DuplicateWindow(config.duplicateWindow);
        this.batches = new AtomicBatches(js);
        this.schedules = new MessageSchedules(js.timers(), this::fireSchedules);
        applyFeatures(config);
        this.consumers = consumers.apply(this);
        this.log = logs.open("S-" + account.name() + "-" + config.name, this::apply, StreamEntry.CODEC);
        // last: once registered, the store's expiry may propose markers, which needs the log and the consumers
        store.registerRemovalListener(new RemovalListener() {
            @Override
            public void messageRemoved(long seq, String subject, RemovalReason reason) {
            }

            @Override
            public void subjectEmptiedByAge(String subject) {
                markerDue(subject);
            }

            @Override
            public boolean writesSubjectDeleteMarkers() {
                return true;
            }
        });
        if (config.allowMsgSchedules) loadSchedules();
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

    /**
     * Starts taking messages published on the stream's subjects whenever this replica leads (a
     * standalone stream always does): only the leader subscribes, so the cluster's routes carry
     * every publish to it.
     */
    public void subscribe() {
        log.onLeadership(this::leadershipChanged);
    }

    private synchronized void leadershipChanged(boolean leads) {
        if (leads == leading || closed) return;
        leading = leads;
        if (leads) {
            if (log.replicated()) consumers.leadershipGained();
            subscribeSubjects();
        } else {
            unsubscribe();
            consumers.leadershipLost();
        }
    }

    /** Whether this replica leads the stream (always, standalone). */
    public boolean leading() {
        return leading;
    }

    /**
     * Hands what a durable consumer did on this leader to the replicas ({@code kind} a
     * {@code CONSUMER_*} kind), without waiting: a consumer's state is at least once, and a
     * change lost with a leader comes back as a redelivery. Nothing to do for a standalone stream.
     */
    public void replicateConsumer(StreamEntry.Kind kind, String consumer, byte[] body) {
        if (!log.replicated() || !leading()) return;
        log.propose(StreamEntry.consumer(kind, consumer, body));
    }

    /** The stream's log, for the coordinator (its Raft group when replicated). */
    public EntryLog<StreamEntry> log() {
        return log;
    }

    private void subscribeSubjects() {
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

    /**
     * Purges through the stream's log, so that every replica purges alike: all when {@code filter}
     * is null and {@code seq} and {@code keep} are 0. Returns the count purged here; -1 when this
     * replica no longer leads or the purge did not commit.
     */
    public long purge(String filter, long seq, long keep) {
        return control(StreamEntry.purge(filter, seq, keep));
    }

    /** Removes (or with {@code erase}, overwrites) one message through the log; 1 when it was there, 0 when not, -1 when not committed. */
    public long removeMessage(long seq, boolean erase) {
        return control(StreamEntry.remove(seq, erase));
    }

    private long control(StreamEntry e) {
        if (!log.replicated()) return log.append(e);
        try {
            return log.propose(e).get(COMMIT_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            return -1;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Applies an updated config (already validated as an allowed change). */
    public synchronized void update(StreamConfig updated) {
        unsubscribe();
        boolean schedulesTurnedOn = updated.allowMsgSchedules && !config.allowMsgSchedules;
        config = updated;
        duplicates.setWindow(updated.duplicateWindow);
        if (!updated.allowAtomic) batches.dropAll();
        applyFeatures(updated);
        store.updateConfig(JsServer.storeConfig(updated, js.syncAlways(), js.syncIntervalNanos()));
        if (schedulesTurnedOn) loadSchedules();
        if (leading) subscribeSubjects();
    }

    public void close() {
        closed = true;
        unsubscribe();
        batches.dropAll();
        schedules.close();
        StreamSourcing src = sourcing;
        if (src != null) src.close();
        consumers.close();
    }

    // ---- ingest: publishers' threads enqueue, one writer decides and appends ----

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
        incoming.add(StreamEntry.published(ingestSubject(msg.subject()), msg, nowNanos()));
        if (draining.compareAndSet(false, true)) {
            if (js.syncAlways() || log.replicated()) writers.execute(this::drain);
            else drain(batch);
        }
        return true;
    }

    /**
     * max_age or a TTL took the last message of {@code subject} (the store's timer thread): the
     * writer proposes a subject delete marker, which lives for subject_delete_marker_ttl in whole
     * seconds, as upstream writes it.
     */
    private void markerDue(String subject) {
        long ttl = config.subjectDeleteMarkerTtl / SECOND * SECOND;
        if (closed || ttl <= 0) return;
        incoming.add(StreamEntry.marker(subject, ttl, nowNanos()));
        if (draining.compareAndSet(false, true)) writers.execute(this::drain);
    }

    /** The dedupe window's clock, as the leader reads it. */
    private static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /** {@code subject} after the stream's subject transform. */
    private String ingestSubject(String subject) {
        SubjectTransform itr = ingestTransform;
        if (itr != null) {
            String to = itr.match(subject);
            if (to != null) return to;
        }
        return subject;
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
        List<StreamEntry> taken = new ArrayList<>();
        Outbox out = new Outbox();
        try {
            while (!closed) {
                StreamEntry in;
                while (taken.size() < MAX_BATCH && (in = incoming.poll()) != null) taken.add(in);
                StreamSourcing src = sourcing;
                boolean pulled = src != null && pullRequested.getAndSet(false) && src.pull(this, out);
                if (pulled) pullRequested.set(true); // more may be waiting: pull again next round
                if (taken.isEmpty() && !pulled) break;
                if (log.replicated()) {
                    InFlight inFlight = new InFlight();
                    for (StreamEntry e : taken) proposeReplicated(e, inFlight, out);
                    settle(inFlight, out);
                } else {
                    for (StreamEntry e : taken) {
                        byte[] ack = propose(e, out);
                        if (e.reply() != null && ack != null && !config.noAck) out.add(e.reply(), null, ack);
                    }
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
     * A message taken from a source, its {@code Nats-Stream-Source} value {@code sourceHeader}:
     * proposed as a published one is, without the publisher's expectations. Returns the ack (an
     * error ack when refused). Runs on the writer.
     */
    byte[] appendSourced(String subject, byte[] h, byte[] payload, String sourceHeader, Outbox out) {
        StreamConfig c = config;
        if (c.sealed) return PubAck.error(c.name, ApiErrors.of("JSStreamSealedErr"));
        byte[] headers = StreamSourcing.sourcedHeaders(h, sourceHeader);
        return propose(StreamEntry.sourced(ingestSubject(subject), headers, payload, c, nowNanos()), out);
    }

    /**
     * Stores a message of the mirror's origin under its own sequence and time (skipped
     * sequences count as deleted); returns false when the account's limits refuse it.
     */
    boolean storeMirrored(StoredMessage m, Outbox out) {
        StreamEntry e = StreamEntry.mirrored(m);
        if (JsLimits.checkAppend(this, e.subject(), e.headers(), e.payload()) != null) return false;
        byte[] ack = appendDecided(e, out, null);
        return ack != null && !PubAck.isError(ack);
    }

    /**
     * The leader's step for one message: decides, and when the message is taken, appends its
     * entry to the log and returns the ack (the standalone log has applied it by then). Returns
     * the error or duplicate ack when refused, the store and the consumers untouched. Runs on the writer.
     */
    byte[] propose(StreamEntry e, Outbox out) {
        if (e.kind() == StreamEntry.Kind.PUBLISHED && e.expected().batchId() != null) return proposeBatched(e, out);
        byte[] refused = decide(e);
        if (refused != null && e.kind() == StreamEntry.Kind.SCHEDULED) {
            schedules.refused(Headers.get(e.headers(), MessageSchedules.SCHEDULER)); // it may fire again
        }
        StreamEntry taken = decided != null ? decided : e;
        String value = decidedValue;
        decided = null;
        decidedValue = null;
        return refused != null ? refused : appendDecided(taken, out, value);
    }

    /**
     * upstream's checks before a message is proposed: sealed, max_msg_size, the account's limits,
     * {@code Nats-Expected-*}, the duplicate window, rollup and TTL headers. Null when the message
     * is taken, else the ack that refuses it (a duplicate's carries the first copy's sequence).
     */
    byte[] decide(StreamEntry e) {
        StreamConfig c = config;
        if (c.sealed) return PubAck.error(c.name, ApiErrors.of("JSStreamSealedErr"));
        if (e.kind() == StreamEntry.Kind.MARKER) {
            // only while the subject is still empty: a message published since needs no marker
            if (store.loadLast(e.subject()) != null) return MARKER_NOT_NEEDED;
            ApiError overLimit = JsLimits.checkAppend(this, e.subject(), e.headers(), e.payload());
            return overLimit == null ? null : PubAck.error(c.name, overLimit);
        }
        if (c.maxMsgSize > 0 && e.size() > c.maxMsgSize) return PubAck.error(c.name, ApiErrors.of("JSStreamMessageExceedsMaximumErr"));
        ApiError overLimit = JsLimits.checkAppend(this, e.subject(), e.headers(), e.payload());
        if (overLimit != null) return PubAck.error(c.name, overLimit);
        JsHeaders h = e.expected();
        boolean published = e.kind() == StreamEntry.Kind.PUBLISHED;
        StreamEntry scheduled = null;
        if (published && h != JsHeaders.NONE) {
            ApiError incr = Counters.checkPublished(c, e, h);
            if (incr != null) return PubAck.error(c.name, incr);
            byte[] unmet = checkExpectations(c, e, h);
            if (unmet != null) return unmet;
            if (h.hasScheduling()) {
                MessageSchedules.Check sc = MessageSchedules.checkPublished(c, e.subject(), e.headers(), store, nowNanos());
                if (sc.error() != null) return PubAck.error(c.name, sc.error());
                if (sc.headers() != null) scheduled = e.withHeadersAndRollup(sc.headers(), "sub");
            }
        }
        String rollup = h.rollup();
        if (rollup != null && (published || c.allowRollupHdrs)) {
            if (!c.allowRollupHdrs) return PubAck.error(c.name, ApiErrors.of("JSStreamRollupFailedF", "err", "rollup not permitted"));
            if (!rollup.equals("sub") && !rollup.equals("all")) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamRollupFailedF", "err", "rollup value invalid: " + rollup));
            }
        }
        if (h.ttl() != null && (published || c.allowMsgTtl)) {
            if (!c.allowMsgTtl) return PubAck.error(c.name, ApiErrors.of("JSMessageTTLDisabledErr"));
            if (e.ttlNanos() == 0) return PubAck.error(c.name, ApiErrors.of("JSMessageTTLInvalidErr"));
        }
        if (!published && e.msgId() != null) {
            long dup = duplicates.find(e.msgId(), e.timestampNanos());
            if (dup >= 0) return PubAck.ok(ackPrefix(), dup, true);
        }
        if (c.allowMsgCounter) return decideCounter(c, e);
        StreamEntry raised = raisedTtl(c, scheduled != null ? scheduled : e);
        decided = raised != null ? raised : scheduled;
        return null;
    }

    /** A counter stream's entry carries the subject's new total, read from its last message here. */
    private byte[] decideCounter(StreamConfig c, StreamEntry e) {
        Counters.Decision d = Counters.decide(e, store.loadLast(e.subject()), js.options().maxPayload);
        if (d.error() != null) return PubAck.error(c.name, d.error());
        if (c.maxMsgSize > 0 && d.entry().size() > c.maxMsgSize) {
            return PubAck.error(c.name, ApiErrors.of("JSStreamMessageExceedsMaximumErr"));
        }
        decided = d.entry();
        decidedValue = d.value();
        return null;
    }

    /**
     * With subject delete markers, a TTL shorter than the markers' is raised to theirs (header
     * and all, in whole seconds), as upstream does, or a subject's marker could outlive the message
     * after it; one message per subject needs no such care. Null when nothing changes.
     */
    private static StreamEntry raisedTtl(StreamConfig c, StreamEntry e) {
        long min = c.subjectDeleteMarkerTtl / SECOND * SECOND;
        if (e.ttlNanos() <= 0 || min <= 0 || c.maxMsgsPerSubject == 1 || e.ttlNanos() / SECOND * SECOND >= min) return null;
        return e.withHeadersAndTtl(Headers.replaced(e.headers(), "Nats-TTL", Long.toString(min / SECOND)), min);
    }

    /** The publisher's {@code Nats-Expected-*} headers, and the duplicate window between them as upstream orders it. */
    private byte[] checkExpectations(StreamConfig c, StreamEntry e, JsHeaders h) {
        String expectedStream = h.expectedStream();
        if (expectedStream != null && !expectedStream.equals(c.name)) {
            return PubAck.error(c.name, ApiErrors.of("JSStreamNotMatchErr"));
        }
        if (e.msgId() != null) {
            long dup = duplicates.find(e.msgId(), e.timestampNanos());
            if (dup >= 0) return PubAck.ok(ackPrefix(), dup, true);
        }
        String expectedLast = h.expectedLastSequence();
        if (expectedLast != null) {
            long last = store.state().lastSeq();
            if (parseLong(expectedLast) != last) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", last));
            }
        }
        String expectedSubjectLast = h.expectedLastSubjectSequence();
        String checkedSubject = h.expectedLastSubjectSequenceSubject();
        if (expectedSubjectLast != null) {
            // 2.11: the last sequence may be that of another subject, or of a filter's subjects
            StoredMessage lastOfSubject = store.loadLast(checkedSubject != null ? checkedSubject : e.subject());
            long seq = lastOfSubject == null ? 0 : lastOfSubject.seq();
            if (parseLong(expectedSubjectLast) != seq) {
                return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", seq));
            }
        } else if (checkedSubject != null) {
            return PubAck.error(c.name, ApiErrors.of("JSStreamExpectedLastSeqPerSubjectInvalid"));
        }
        String expectedLastId = h.expectedLastMsgId();
        if (expectedLastId != null && !expectedLastId.equals(lastMsgId == null ? "" : lastMsgId)) {
            return PubAck.error(c.name, ApiErrors.of("JSStreamWrongLastMsgIDErrF", "id", lastMsgId == null ? "" : lastMsgId));
        }
        return null;
    }

    /**
     * Appends a decided entry to the stream's log, which applies it, then queues what only the
     * leader sends: the republished copy (with the subject's previous sequence, read before the
     * entry is applied) and the ack.
     */
    private byte[] appendDecided(StreamEntry e, Outbox out, String counterValue) {
        long seq = appendEntry(e, out);
        if (seq <= 0) return refusalAck();
        return counterValue != null ? PubAck.ok(ackPrefix(), seq, counterValue) : PubAck.ok(ackPrefix(), seq, false);
    }

    /** Appends a decided entry and queues its republished copy; the sequence, or 0 when the store refused it. */
    private long appendEntry(StreamEntry e, Outbox out) {
        Republisher rp = republisher;
        String republishTo = rp == null ? null : rp.destination(e.subject());
        long lastOfSubject = republishTo == null ? 0 : store.filteredState(0, e.subject()).last();
        long seq = log.append(e);
        if (seq > 0 && republishTo != null) {
            rp.add(out, republishTo, config.name, e.subject(), e.headers(), e.payload(), seq, appliedTimestamp, lastOfSubject);
        }
        return seq;
    }

    private byte[] refusalAck() {
        ApiError why = refusal;
        refusal = null;
        return PubAck.error(config.name, why);
    }

    /**
     * A message of an atomic batch (2.12): the checks a single message gets before it is staged,
     * then staging ({@link AtomicBatches}, answered with an empty message) until the commit, whose
     * messages are checked together ({@link BatchCommit}) and appended one after another, nothing
     * in between; the commit's ack names the batch and how many it stored. Runs on the writer.
     */
    private byte[] proposeBatched(StreamEntry e, Outbox out) {
        StreamConfig c = config;
        JsHeaders h = e.expected();
        if (c.sealed) return PubAck.error(c.name, ApiErrors.of("JSStreamSealedErr"));
        ApiError overLimit = JsLimits.checkAppend(this, e.subject(), e.headers(), e.payload());
        if (overLimit != null) return PubAck.error(c.name, overLimit);
        if (c.maxMsgSize > 0 && e.size() > c.maxMsgSize) return PubAck.error(c.name, ApiErrors.of("JSStreamMessageExceedsMaximumErr"));
        if (!c.allowAtomic) return PubAck.error(c.name, ApiErrors.of("JSAtomicPublishDisabledErr"));
        String id = h.batchId();
        if (id.length() > AtomicBatches.MAX_ID_LENGTH) return PubAck.error(c.name, ApiErrors.of("JSAtomicPublishInvalidBatchIDErr"));
        long seq = batchSequence(h.batchSequence());
        if (seq < 0) return PubAck.error(c.name, ApiErrors.of("JSAtomicPublishMissingSeqErr"));
        AtomicBatches.Step step = batches.add(id, seq, h.batchCommit(), e);
        if (step.error() != null) return PubAck.error(c.name, step.error());
        if (step.commit() == null) return STAGED;
        BatchCommit.Result checked = BatchCommit.check(c, store, duplicates, js.options().maxPayload, step.commit(), step.eob(), nowNanos());
        if (checked.error() != null) return PubAck.error(c.name, checked.error());
        long last = 0;
        for (StreamEntry m : checked.entries()) {
            StreamEntry raised = raisedTtl(c, m);
            last = appendEntry(raised != null ? raised : m, out);
            if (last <= 0) return refusalAck();
        }
        return PubAck.okBatch(ackPrefix(), last, id, checked.entries().size());
    }

    /** {@code Nats-Batch-Sequence} as upstream reads it (an unsigned decimal); -1 when absent or not one. */
    private static long batchSequence(String v) {
        if (v == null || v.isEmpty() || v.length() > 18) return -1;
        for (int i = 0; i < v.length(); i++) if (v.charAt(i) < '0' || v.charAt(i) > '9') return -1;
        return Long.parseLong(v);
    }

    // ---- the replicated write path: decide, propose, acknowledge once committed ----

    /** How long the writer waits for a proposal to commit before it gives up on acknowledging it. */
    private static final long COMMIT_WAIT_MILLIS = 10_000;

    /** Up to this many bytes of messages go into one Raft entry (one commit). */
    private static final int PROPOSAL_BYTES = 1 << 20;

    /** A message decided and not yet acknowledged, with what its ack and republished copy need. */
    private record Decided(StreamEntry entry, String republishTo, long lastOfSubject, String counterValue) {}

    /** Messages decided and not yet acknowledged, in order: proposed together, as one Raft entry, at {@link #settle}. */
    private static final class InFlight {
        final List<Decided> decided = new ArrayList<>();
        final java.util.Set<String> msgIds = new java.util.HashSet<>();
        long bytes;

        boolean isEmpty() {
            return decided.isEmpty();
        }

        void clear() {
            decided.clear();
            msgIds.clear();
            bytes = 0;
        }
    }

    /**
     * The leader's step for one message of a replicated stream: decides it and adds its entry,
     * stamped with the leader's clock for every replica, to what the next proposal carries. The
     * messages the writer took together are committed together (one Raft entry, up to
     * {@link #PROPOSAL_BYTES}); only a message whose decision depends on what is still in flight
     * (an expected last sequence or message id, a message id already in flight, a counter) has
     * those committed and applied first.
     */
    private void proposeReplicated(StreamEntry e, InFlight inFlight, Outbox out) {
        JsHeaders h = e.expected();
        if (h.batchId() != null) { // atomic batches are refused on replicated streams until they are replicated
            if (e.reply() != null) out.add(e.reply(), null, PubAck.error(config.name, ApiErrors.of("JSAtomicPublishDisabledErr")));
            return;
        }
        // a counter's new total is the last one plus the increment: it must see the last one applied
        boolean dependsOnInFlight = h.expectedLastSequence() != null || h.expectedLastSubjectSequence() != null
                || h.expectedLastMsgId() != null || (e.msgId() != null && inFlight.msgIds.contains(e.msgId()))
                || config.allowMsgCounter;
        if (dependsOnInFlight && !inFlight.isEmpty()) settle(inFlight, out);
        byte[] refused;
        String republishTo;
        long lastOfSubject;
        String counterValue;
        synchronized (applyLock) {
            refused = decide(e);
            if (decided != null) e = decided; // decide rewrote it (a counter's total, a raised TTL)
            counterValue = decidedValue;
            decided = null;
            decidedValue = null;
            Republisher rp = republisher;
            republishTo = refused != null || rp == null ? null : rp.destination(e.subject());
            lastOfSubject = republishTo == null ? 0 : store.filteredState(0, e.subject()).last();
        }
        if (refused != null) {
            if (e.reply() != null && !config.noAck) out.add(e.reply(), null, refused);
            return;
        }
        Instant now = Instant.now();
        StreamEntry stamped = e.stampedAt(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        inFlight.decided.add(new Decided(stamped, republishTo, lastOfSubject, counterValue));
        inFlight.bytes += stamped.size();
        if (e.msgId() != null) inFlight.msgIds.add(e.msgId());
        if (inFlight.bytes >= PROPOSAL_BYTES) settle(inFlight, out);
    }

    /**
     * Waits for what is in flight to commit and queues the acks (and republished copies). An entry
     * that did not commit (leadership lost, no quorum) gets no ack: its publisher retries, and a
     * message id makes the retry safe.
     */
    private void settle(InFlight inFlight, Outbox out) {
        StreamConfig c = config;
        if (inFlight.isEmpty()) return;
        long[] results;
        try {
            List<StreamEntry> entries = new ArrayList<>(inFlight.decided.size());
            for (Decided d : inFlight.decided) entries.add(d.entry());
            results = log.proposeAll(entries).get(COMMIT_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            inFlight.clear();
            return;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            inFlight.clear();
            return;
        }
        for (int i = 0; i < inFlight.decided.size(); i++) {
            Decided d = inFlight.decided.get(i);
            StreamEntry e = d.entry();
            long r = results[i];
            byte[] ack;
            if (r > 0) {
                if (d.republishTo() != null) {
                    republisher.add(out, d.republishTo(), c.name, e.subject(), e.headers(), e.payload(), r, e.timestampNanos(),
                            d.lastOfSubject());
                }
                ack = d.counterValue() != null ? PubAck.ok(ackPrefix(), r, d.counterValue()) : PubAck.ok(ackPrefix(), r, false);
            } else {
                ack = PubAck.error(c.name, refusalOf(r));
            }
            if (e.reply() != null && !c.noAck) out.add(e.reply(), null, ack);
        }
        inFlight.clear();
    }

    /** What {@link #apply} returned for a refused message, as the error the publisher gets. */
    private static ApiError refusalOf(long code) {
        if (code < 0 && code > -1 - StoreLimitException.Reason.values().length) {
            return ApiErrors.of("JSStreamStoreFailedF", "err", StoreLimitException.Reason.values()[(int) (-code - 1)].text());
        }
        return ApiErrors.of("JSStreamStoreFailedF", "err", "the message could not be stored");
    }

    /**
     * Applies a committed entry, on every replica, in log order: stores the message (the store
     * refuses it only by its own limits, alike on every replica), applies its rollup, records
     * its id in the duplicate window, counts it for the account's limits and tells the consumers
     * (or, with interest retention and no consumer interested, lets it go at once). Returns the
     * sequence, or 0 when the store refused it ({@link #refusal} says why). Runs on the writer.
     */
    long apply(StreamEntry e) {
        if (!log.replicated()) return applyEntry(e);
        synchronized (applyLock) {
            return applyEntry(e);
        }
    }

    private long applyEntry(StreamEntry e) {
        switch (e.kind()) {
            case PURGE -> {
                return e.subject() == null && e.seq() == 0 && e.keep() == 0 ? store.purge() : store.purge(e.subject(), e.seq(), e.keep());
            }
            case REMOVE -> {
                return (e.erase() ? store.erase(e.seq()) : store.remove(e.seq())) ? 1 : 0;
            }
            case CONSUMER_CONFIG, CONSUMER_STATE, CONSUMER_DELETE -> {
                // the leader's own consumers did this already; every entry a new leader's term
                // brings is its own, those of its predecessor were applied before it led
                if (!leading()) consumers.replicated(e.kind(), e.subject(), e.payload());
                return 0;
            }
            default -> {
                return applyMessage(e);
            }
        }
    }

    private long applyMessage(StreamEntry e) {
        StreamConfig c = config;
        if (log.replicated() && e.msgId() != null && e.kind() != StreamEntry.Kind.MIRRORED) {
            // the leader checked the window when it decided, but a log can hold an entry twice (a
            // proposal retried across a leader change): every replica drops the second alike
            long first = duplicates.find(e.msgId(), e.timestampNanos());
            if (first >= 0) return first;
        }
        long seq;
        try {
            if (e.kind() == StreamEntry.Kind.MIRRORED) {
                store.storeRaw(e.subject(), e.headers(), e.payload(), e.seq(), e.timestampNanos(), e.ttlNanos());
                seq = e.seq();
                appliedTimestamp = e.timestampNanos();
            } else {
                // a replica stores with the leader's stamp; a standalone stream with the store's clock
                StoredAppend stored = log.replicated()
                        ? store.store(e.subject(), e.headers(), e.payload(), e.ttlNanos(), e.timestampNanos())
                        : store.store(e.subject(), e.headers(), e.payload(), e.ttlNanos());
                seq = stored.seq();
                appliedTimestamp = stored.timestampNanos();
            }
        } catch (StoreLimitException ex) {
            refusal = ApiErrors.of("JSStreamStoreFailedF", "err", ex.reason().text());
            return -1 - ex.reason().ordinal();
        } catch (RuntimeException ex) {
            if (e.kind() == StreamEntry.Kind.MIRRORED) throw ex; // the mirror's follower deals with it
            js.log().error("JetStream failed to store a msg on stream '%s > %s': %s", account.name(), c.name, ex.getMessage());
            refusal = ApiErrors.of("JSStreamStoreFailedF", "err", String.valueOf(ex.getMessage()));
            return Long.MIN_VALUE;
        }
        String rollup = e.rollup();
        if (rollup != null) store.purge(rollup.equals("sub") ? e.subject() : null, seq, 0);
        if (c.allowMsgSchedules) appliedSchedule(seq, e);
        if (e.msgId() != null) {
            duplicates.record(e.msgId(), seq, e.timestampNanos());
            lastMsgId = e.msgId();
        }
        JsLimits.appended(this, e.subject(), e.headers(), e.payload());
        if (e.kind() != StreamEntry.Kind.MIRRORED && "interest".equals(c.retention) && !consumers.interested(e.subject())) {
            store.remove(seq); // nobody is interested: nothing to keep
        } else {
            consumers.stored(seq, e.subject());
        }
        return seq;
    }

    // ---- message schedules (2.12) ----

    /**
     * A stored message's part in the schedules: a fired one-off copy purges its schedule
     * ({@code Nats-Schedule-Next: purge}, from the entry, so every replica does it), and the
     * schedules learn what was stored. Runs on the writer, in apply.
     */
    private void appliedSchedule(long seq, StreamEntry e) {
        byte[] h = e.headers();
        if (h != null) {
            String scheduler = Headers.get(h, MessageSchedules.SCHEDULER);
            if (MessageSchedules.PURGE.equals(Headers.get(h, MessageSchedules.NEXT)) && scheduler != null && !scheduler.isEmpty()) {
                store.purge(scheduler, 0, 0);
            }
        }
        schedules.applied(seq, e.subject(), h, appliedTimestamp);
        schedules.arm();
    }

    /** Learns the schedules from the store (at open, or when an update turns them on). */
    private void loadSchedules() {
        for (StoredMessage m = store.loadNext(null, 0); m != null; m = store.loadNext(null, m.seq() + 1)) {
            if (m.headers() != null) schedules.applied(m.seq(), m.subject(), m.headers(), m.timestampNanos());
        }
        schedules.arm();
    }

    /** On the JetStream timer, when schedules are due: hands their copies to the writer. */
    private void fireSchedules() {
        if (closed) return;
        List<StreamEntry> due = schedules.due(GoTime.nowNanos(), store::load, store::loadLast);
        if (!due.isEmpty()) {
            incoming.addAll(due);
            if (draining.compareAndSet(false, true)) writers.execute(this::drain);
        }
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
        return seqForTime(store, nanos, store.state());
    }

    /**
     * The first sequence stored at or after {@code nanos} in {@code st} (a state of {@code store}
     * the caller already holds), or one past the last when there is none: a binary search over
     * the stored messages, whose times rise with their sequences.
     */
    public static long seqForTime(StreamStore store, long nanos, StreamState st) {
        if (st.msgs() == 0 || nanos > st.lastTimeNanos()) return st.lastSeq() + 1;
        if (nanos <= st.firstTimeNanos()) return st.firstSeq();
        long lo = st.firstSeq();
        long hi = st.lastSeq();
        long answer = st.lastSeq() + 1;
        while (lo <= hi) {
            long mid = lo + (hi - lo) / 2;
            StoredMessage m = store.loadNext(null, mid);
            if (m == null || m.seq() > hi) { // nothing from mid up to the end of st
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
