package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.AckSubject;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.SerialExecutor;
import io.jnatsd.server.jetstream.common.StatusHeaders;
import io.jnatsd.server.jetstream.stream.Advisories;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;

import io.jnatsd.protocol.subject.Subjects;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.store.ConsumerState;
import io.jnatsd.store.ConsumerStore;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamStore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One consumer of a stream (upstream's consumer.go): picks the next message for its filter and
 * deliver policy, hands it out through normal routing with an ack reply subject, tracks what
 * awaits acknowledgement, redelivers after ack_wait (or backoff) up to max_deliver, serves pull
 * requests, flow control and idle heartbeats, and persists its state.
 *
 * <p>All state, its parts' included, is guarded by this object's lock; messages are published
 * while holding it, so what one consumer sends reaches each receiver in the order it was
 * decided. Delivery runs on the consumer's own serial executor ({@link #signal()}), never on an
 * event loop; acks, pull requests and timers only change state and signal. Calls into the
 * stream's other consumers (interest retention) happen after the lock is released.
 */
public final class Consumer {
    private static final byte[] EMPTY = new byte[0];

    /**
     * The next message to hand out and its delivery count; {@code releaseAt} (nanoTime, 0: now)
     * when it is held back, {@code paid} once the rate limit has counted it.
     */
    private record Next(StoredMessage msg, long dc, long releaseAt, boolean paid) {
        Next(StoredMessage msg, long dc, long releaseAt) {
            this(msg, dc, releaseAt, false);
        }
    }

    private final JsServer js;
    private final Stream stream;
    private final StreamConsumers owner;
    private final Account account;
    private final String name;
    private final Instant created;
    private final ConsumerStore store;
    private final SerialExecutor executor;
    private final DeliveryPump pump;

    private ConsumerConfig cfg;
    private final StreamPosition position;
    private long dseq = 1;
    private final AckTracker acks = new AckTracker();
    private final ConsumerAcks acking;
    private final PullRequests waiting;
    private long lastDelivered;
    /** Push consumers with flow_control. */
    private final FlowControl flow;
    private final ConsumerPause pause = new ConsumerPause();
    /** Push consumers with rate_limit_bps; null otherwise. */
    private RateLimit rate;
    private final PullRequestHandler pull;
    private final ConsumerActivity activity;
    private final ConsumerStateWriter stateWriter;
    /** Where delivered and acked state changes go to be applied ({@link #apply}). */
    private final EntryLog<ConsumerEntry> log;
    // replay_policy original
    private boolean replay;
    private long replayUntil;
    private long lastTs;
    private Next held;
    /** Written under the lock; read without it by lookups. */
    private volatile boolean closed;

    Consumer(JsServer js, Stream stream, StreamConsumers owner, String name, ConsumerConfig cfg, Instant created,
             ConsumerStore store) {
        this.js = js;
        this.stream = stream;
        this.owner = owner;
        this.account = stream.account();
        this.name = name;
        this.cfg = cfg;
        this.created = created;
        this.store = store;
        this.executor = new SerialExecutor(js.writers());
        this.pump = new DeliveryPump(this, owner);
        this.position = new StreamPosition(stream);
        long now = System.nanoTime();
        this.waiting = cfg.isPull() ? new PullRequests((int) Math.min(Integer.MAX_VALUE, cfg.maxWaiting), now) : null;
        this.flow = cfg.flowControl ? new FlowControl() : null;
        this.rate = rateLimit(cfg);
        this.pull = new PullRequestHandler(this, waiting, acks);
        this.activity = new ConsumerActivity(this, waiting, pull, now);
        this.acking = new ConsumerAcks(this, owner, acks);
        this.stateWriter = new ConsumerStateWriter(this, store, acks);
        this.log = owner.logs().open("C-" + account.name() + "-" + stream.name() + "-" + name, this::apply, ConsumerEntry.CODEC);
    }

    /**
     * Sets the starting position: from the stored state when there is one, else by deliver policy. A recovered
     * consumer that never delivered anything and delivers "new" messages starts at the first message stored
     * since its creation: the stream's end now would skip what arrived before the restart (an MQTT session's
     * QoS 1 messages stored while its client was away).
     */
    synchronized void start(boolean recovering) {
        ConsumerState st = store == null ? ConsumerState.EMPTY : store.state();
        if (st.delivered().streamSeq() > 0 || st.delivered().consumerSeq() > 0 || !st.pending().isEmpty()) {
            applyState(st);
        } else if (recovering && "new".equals(cfg.deliverPolicy) && cfg.optStartSeq <= 0) {
            selectStartingSeq();
            StreamStore ss = stream.store();
            position.startAt(StartPosition.seqFromTime(ss, created, ss.state()));
            markDirty();
        } else {
            selectStartingSeq();
            markDirty();
        }
        if (!"instant".equals(cfg.replayPolicy)) {
            replay = true;
            replayUntil = stream.store().state().lastSeq();
        }
        if (cfg.isPush()) activity.start();
        applyPause();
    }

    public String name() {
        return name;
    }

    JsServer js() {
        return js;
    }

    Stream stream() {
        return stream;
    }

    public synchronized ConsumerConfig config() {
        return cfg;
    }

    Instant created() {
        return created;
    }

    boolean isStopped() {
        return closed;
    }

    /** The next consumer sequence to hand out (upstream's dseq). Lock held. */
    long dseq() {
        return dseq;
    }

    /** The next stream sequence to deliver for the first time (upstream's sseq). Lock held. */
    long sseq() {
        return position.sseq();
    }

    // ---- starting position ----

    private void selectStartingSeq() {
        position.start(cfg);
        dseq = 1;
        // As upstream, whose floor comes back from a store that only recorded the starting
        // delivered sequence: nothing is acknowledged yet (the floor stays 0).
    }

    private void applyState(ConsumerState st) {
        position.resume(st.delivered().streamSeq());
        dseq = st.delivered().consumerSeq() + 1;
        acks.restore(st);
        acking.restored();
    }

    // ---- new messages, removals, purges (called by the stream) ----

    /**
     * A message was stored in the stream; returns whether this consumer wants it now, and the
     * stream's writer then calls {@link #deliverStored}.
     */
    boolean stored(long seq, String subject) {
        synchronized (this) {
            if (closed) return false;
            position.stored(seq, subject, cfg);
            return seq >= position.sseq() && (cfg.isPush() ? activity.active() : !waiting.isEmpty());
        }
    }

    /** Delivers what the stream's writer has just stored, on the writer's thread (see {@link DeliveryPump#deliverNow}). */
    void deliverStored(FlushBatch batch) {
        pump.deliverNow(batch);
    }

    /** A message left the stream (limits, age, removal): forget it as upstream's decStreamPending does. */
    void removed(long seq, String subject) {
        AckTracker.Pending p;
        long dc;
        synchronized (this) {
            if (closed) return;
            position.removed(seq, subject, cfg);
            if (held != null && held.msg().seq() == seq) held = null;
            p = acks.pending(seq);
            if (p == null) {
                acks.unqueue(seq);
                return;
            }
            dc = acks.deliveries(seq);
        }
        acking.forget(seq, p.dseq, dc);
    }

    /** Many messages went at once; {@code firstSeq} is the stream's first sequence now. */
    void purged(long firstSeq) {
        synchronized (this) {
            if (closed) return;
            position.purged(firstSeq);
            var store = stream.store();
            acks.purged(firstSeq, dseq, position.sseq(), seq -> store.load(seq) != null);
            if (held != null && store.load(held.msg().seq()) == null) held = null;
            markDirty();
        }
        signal();
    }

    // ---- delivery ----

    /** Runs {@code task} on the consumer's executor; dropped when the server is shutting down. */
    void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the JetStream executors are gone: nothing more to do
        }
    }

    /** Asks for a delivery run on the consumer's executor (coalesced). */
    public void signal() {
        pump.signal();
    }

    static final long STOP = -1;
    private static final long DELIVERED = 0;

    /**
     * Hands out one message, under the lock. Returns {@link #STOP} when there is nothing (more)
     * to do now, else {@link #DELIVERED}, or the stream sequence when the stream must be told
     * of an implicit ack (ack none on interest or workqueue retention).
     */
    long deliverOne(FlushBatch batch) {
        synchronized (this) {
            if (closed || pause.active()) return STOP;
            if (cfg.isPush()) {
                if (!activity.active() || (flow != null && flow.stalled())) return STOP;
                if (!hasInterest(cfg.deliverSubject)) {
                    // nobody subscribed any more: wait for interest rather than deliver into the void
                    activity.lostInterest();
                    return STOP;
                }
            } else if (waiting.isEmpty()) {
                return STOP;
            }
            Next next;
            if (held != null) {
                next = held;
                if (next.releaseAt() != 0 && System.nanoTime() - next.releaseAt() < 0) return STOP;
                held = null;
            } else {
                next = nextMessage();
                if (next == MAX_ACK_PENDING) {
                    endOfRun(false);
                    return STOP;
                }
                if (next == null) {
                    endOfRun(true);
                    return STOP;
                }
                if (next.dc() == 1) position.delivered();
                if (replay && lastTs > 0) {
                    long delay = next.msg().timestampNanos() - lastTs;
                    if (delay > 1_000_000L) {
                        held = new Next(next.msg(), next.dc(), System.nanoTime() + delay);
                        js.timers().schedule(this::signal, delay, TimeUnit.NANOSECONDS);
                        return STOP;
                    }
                }
            }
            StoredMessage m = next.msg();
            String ackReply = AckSubject.format(stream.name(), name, next.dc(), m.seq(), dseq, m.timestampNanos(), numPending());
            byte[] headers = m.headers();
            byte[] payload = m.payload();
            if (cfg.headersOnly) {
                headers = StatusHeaders.headersOnly(headers, payload.length);
                payload = EMPTY;
            }
            long size = m.subject().length() + ackReply.length() + (headers == null ? 0 : headers.length) + payload.length;
            String target;
            if (cfg.isPush()) {
                if (rate != null && !next.paid()) {
                    long wait = rate.reserve(System.nanoTime(), size);
                    if (wait > 0) {
                        held = new Next(m, next.dc(), System.nanoTime() + wait, true);
                        js.timers().schedule(this::signal, wait, TimeUnit.NANOSECONDS);
                        return STOP;
                    }
                }
                target = cfg.deliverSubject;
            } else {
                PullRequests.Request wr = pull.take(size);
                if (wr == null) {
                    held = new Next(m, next.dc(), 0); // nobody to take it now: first in line for the next request
                    endOfRun(true);
                    return STOP;
                }
                target = wr.reply;
                if (cfg.isPinnedClient()) headers = Headers.with(headers, "Nats-Pin-Id", pull.pinId());
            }
            lastTs = m.timestampNanos();
            if (replay && m.seq() >= replayUntil) replay = false;
            deliver(target, ackReply, m, headers, payload, next.dc(), batch);
            boolean implicitAck = !cfg.acks() && !"limits".equals(stream.config().retention);
            return implicitAck ? m.seq() : DELIVERED;
        }
    }

    /** Nothing more to deliver now: expire what should expire. Lock held. */
    private void endOfRun(boolean endOfStream) {
        if (cfg.isPull()) pull.processWaiting(endOfStream);
        if (replay && held == null && position.sseq() > replayUntil) replay = false;
    }

    private static final Next MAX_ACK_PENDING = new Next(null, 0, 0);

    /** upstream's getNextMsg: redeliveries first, then the skip list, then the next new message. */
    private Next nextMessage() {
        var store = stream.store();
        long seq;
        while ((seq = acks.nextRedelivery()) != 0) {
            long dc = acks.deliveries(seq);
            if (cfg.maxDeliver > 0 && dc > cfg.maxDeliver) {
                if (dc == cfg.maxDeliver + 1) {
                    acking.deliveryExceeded(seq, dc - 1);
                    deadLetter(seq, dc - 1, DeadLetters.MAX_DELIVERIES, null);
                }
                acks.drop(seq);
                continue;
            }
            StoredMessage m = store.load(seq);
            if (m == null) {
                acks.forget(seq);
                continue;
            }
            return new Next(m, dc, 0);
        }
        while (position.skipping()) {
            if (maxAckPendingReached()) return MAX_ACK_PENDING;
            StoredMessage m = position.nextSkipped();
            if (m != null) return new Next(m, 1, 0);
        }
        if (maxAckPendingReached()) return MAX_ACK_PENDING;
        StoredMessage m = position.next(cfg);
        return m == null ? null : new Next(m, 1, 0);
    }

    /** Lock held. */
    boolean maxAckPendingReached() {
        return cfg.acks() && cfg.maxAckPending > 0 && acks.pendingCount() >= cfg.maxAckPending;
    }

    /** Publishes one message; returns whether anyone received it. Lock held. */
    private boolean deliver(String target, String ackReply, StoredMessage m, byte[] headers, byte[] payload, long dc,
                            FlushBatch batch) {
        long seq = m.seq();
        long d = dseq++;
        long size = target.length() + ackReply.length() + (headers == null ? 0 : headers.length) + payload.length;
        pump.sent(size);
        int n = account.publish(InboundMessage.internalDelivery(target, m.subject(), ackReply, headers, payload),
                js.internal(), batch);
        long now = nowNanos();
        log.append(ConsumerEntry.delivered(seq, d, dc, now));
        if (cfg.acks()) acking.delivered();
        if (flow != null && flow.delivered(size) && cfg.isPush()) {
            js.internal().publish(account, cfg.deliverSubject, flow.request(stream.name(), name),
                    StatusHeaders.FLOW_CONTROL_REQUEST, EMPTY);
        }
        if (cfg.isPull()) waiting.lastActivity = System.nanoTime();
        activity.delivered();
        lastDelivered = now;
        markDirty();
        if (n == 0) didNotDeliver(seq);
        return true;
    }

    /** The consumer's log, for its parts that change the replicated state. */
    EntryLog<ConsumerEntry> log() {
        return log;
    }

    /**
     * Applies a committed state change, on every replica, under the consumer's lock (the leader
     * appends with the lock held). Delivered: the message awaits its ack (with ack none the floor
     * moves instead), its delivery count kept. Acked: the tracker lets it go; returns the first
     * stream sequence newly acknowledged (0: none), which the leader's retention uses.
     */
    long apply(ConsumerEntry e) {
        long seq = e.streamSeq();
        long d = e.consumerSeq();
        if (e.op() == ConsumerEntry.Op.DELIVERED) {
            if (d >= dseq) dseq = d + 1;
            if (cfg.acks()) {
                acks.track(seq, d, e.timestampNanos());
                acks.countDeliveries(seq, e.deliveries());
            } else {
                acks.floorConsumer = d;
                acks.floorStream = seq;
            }
            return 0;
        }
        if ("all".equals(cfg.ackPolicy)) return acks.ackAll(seq, d);
        acks.ackExplicit(seq, d, dseq, position.sseq());
        return seq;
    }

    private void didNotDeliver(long seq) {
        if (cfg.isPush()) activity.lostInterest();
        else acks.requeue(seq);
    }

    /** The number of messages still to deliver for the first time (upstream's num_pending). Lock held. */
    long numPending() {
        return position.numPending(cfg);
    }

    boolean matchesSubject(String subject) {
        synchronized (this) {
            return cfg.matches(subject);
        }
    }

    // ---- pull requests ----

    /** A CONSUMER.MSG.NEXT request (or the request part of +NXT). */
    public void nextRequest(String reply, byte[] body) {
        pull.nextRequest(reply, body);
    }

    /** CONSUMER.UNPIN of one of the consumer's groups: the next request served gets the pin. */
    public void unpin(String group) {
        pull.unpin(group);
    }

    boolean hasInterest(String subject) {
        return !account.subscriptions().match(subject).isEmpty();
    }

    // ---- acks ----

    /** A message on this consumer's ack subject. */
    public void ack(AckSubject a, String reply, byte[] body) {
        acking.ack(a, reply, body);
    }

    /** Whether this consumer still needs {@code seq} (interest retention). */
    synchronized boolean needsAck(long seq, String subject) {
        if (closed) return false;
        if (subject != null && !cfg.matches(subject)) return false;
        return acks.needs(seq, position.sseq(), "explicit".equals(cfg.ackPolicy));
    }

    synchronized long ackFloorStreamSeq() {
        return acks.floorStream;
    }

    // ---- push: interest, flow control, heartbeats ----

    /** Periodic housekeeping: push interest and the inactivity threshold. Returns true to delete. */
    boolean tick(long now) {
        return activity.tick(now);
    }

    /** The inactivity timer fired: deleted now when still unused (on the timer thread). */
    void inactivityDue() {
        owner.tick(this, System.nanoTime());
    }

    /** A subscription that may have been the deliver subject's last went away: look again now. */
    void interestMayHaveGone(String subject) {
        synchronized (this) {
            if (closed || !cfg.isPush() || !Subjects.subjectIsSubsetOf(cfg.deliverSubject, subject)) return;
            activity.refreshInterest(System.nanoTime());
        }
    }

    /** Acks count as activity: they push back the inactivity deletion. Lock held. */
    void suppressDeletion() {
        activity.suppressDeletion();
    }

    /** A reply on {@code $JS.FC.<stream>.<consumer>.*}. */
    public void flowControlReply(String subject) {
        synchronized (this) {
            if (closed || flow == null || !flow.answered(subject)) return;
        }
        signal();
    }

    /** Lock held. */
    void sendHeartbeat(String subject) {
        publishEmpty(subject, StatusHeaders.heartbeat(dseq - 1, position.sseq() - 1, flow == null ? null : flow.outstanding()));
    }

    // ---- status messages and advisories ----

    /** An empty message to {@code subject}: a status when it has headers, else a bare reply. Lock held. */
    void publishEmpty(String subject, byte[] headers) {
        js.internal().publish(account, subject, null, headers, EMPTY);
    }

    /**
     * Publishes the dead letter of stream message {@code seq}, when the consumer has a
     * dead_letter_subject and the message is still in the stream. Like an advisory it is output,
     * not state: a replicated consumer's leader sends it. Lock held.
     */
    void deadLetter(long seq, long deliveries, String reason, String termReason) {
        if (!cfg.hasDeadLetterSubject()) return;
        if (DeadLetters.loops(cfg.deadLetterSubject, stream.config().subjects)) {
            js.log().warn("JetStream consumer '%s > %s > %s' not sending a dead letter to '%s': its own stream stores that subject",
                    account.name(), stream.name(), name, cfg.deadLetterSubject);
            return;
        }
        StoredMessage m = stream.store().load(seq);
        if (m == null) return;
        js.internal().publish(account, cfg.deadLetterSubject, null,
                DeadLetters.headers(m, stream.name(), name, deliveries, reason, termReason), m.payload());
    }

    /** One of upstream's consumer advisories, {@code $JS.EVENT.ADVISORY.CONSUMER.<kind>.<stream>.<consumer>}. */
    void advise(String kind, String type, Object... fields) {
        Advisories.consumerEvent(js, account, stream.name(), name, kind, type, fields);
    }

    private static long nowNanos() {
        return GoTime.nowNanos();
    }

    // ---- config updates ----

    /** Applies an allowed update (already checked). */
    void update(ConsumerConfig next) {
        synchronized (this) {
            if (closed) return;
            ConsumerConfig old = cfg;
            if (!java.util.Objects.equals(old.deliverSubject, next.deliverSubject)) acks.requeueAll();
            cfg = next;
            if (cfg.isPush()) activity.lookForInterest();
            if (old.ackWait != next.ackWait) acking.ackWaitChanged();
            if (old.rateLimitBps != next.rateLimitBps) rate = rateLimit(next);
            position.recount();
            applyPause();
            if (!java.util.Objects.equals(old.pauseUntil, next.pauseUntil)) advisePause();
            if (!next.isPinnedClient()) pull.clearPin();
        }
        signal();
    }

    private RateLimit rateLimit(ConsumerConfig c) {
        return c.isPush() ? RateLimit.of(c.rateLimitBps, stream.config().maxMsgSize, js.options().maxPayload, System.nanoTime())
                : null;
    }

    // ---- pause ----

    /** Takes the config's pause_until. Lock held. */
    private void applyPause() {
        pause.set(cfg.pauseUntil, js.timers(), () -> run(this::pauseEnded));
    }

    private void pauseEnded() {
        synchronized (this) {
            if (closed || !pause.end()) return;
            advisePause();
        }
        signal();
    }

    /** After a create or update request: upstream tells again that the consumer is paused. */
    public synchronized void adviseIfPaused() {
        if (!closed && pause.active()) advisePause();
    }

    /** upstream's consumer_pause advisory. Lock held. */
    private void advisePause() {
        advise("PAUSE", "consumer_pause", "paused", pause.active(), "pause_until",
                cfg.pauseUntil == null ? GoTime.ZERO : cfg.pauseUntil);
    }

    /** Nanoseconds until a paused consumer delivers again; 0 when it is not paused. */
    public synchronized long pauseRemaining() {
        return pause.remaining();
    }

    // ---- state persistence ----

    /** Lock held. */
    void markDirty() {
        stateWriter.markDirty();
    }

    // ---- info ----

    /** The consumer_info object, as upstream writes it. */
    public Map<String, Object> info() {
        synchronized (this) {
            return ConsumerInfo.of(this, lastDelivered, acks, acking, pull, activity, pause);
        }
    }

    // ---- stopping ----

    /**
     * Stops the consumer. {@code deleted}: it is going away (waiting pull requests get 409
     * Consumer Deleted); otherwise the server is shutting down and the state is written.
     */
    void stop(boolean deleted) {
        ConsumerState last = null;
        synchronized (this) {
            if (deleted) pull.releaseRequests(); // also after a shutdown stop: the stream is being deleted
            if (closed) return;
            closed = true;
            acking.stop();
            pull.stop();
            activity.stop();
            pause.cancel();
            if (!deleted && store != null) last = stateWriter.snapshot();
        }
        owner.index().evict(account, stream.name(), name);
        if (last != null) stateWriter.write(last);
    }

    ConsumerStore store() {
        return store;
    }
}
