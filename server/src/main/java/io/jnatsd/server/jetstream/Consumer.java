package io.jnatsd.server.jetstream;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.store.ConsumerState;
import io.jnatsd.store.ConsumerStore;
import io.jnatsd.store.SimpleState;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One consumer of a stream (upstream's consumer.go): picks the next message for its filter and
 * deliver policy, hands it out through normal routing with an ack reply subject, tracks what
 * awaits acknowledgement, redelivers after ack_wait (or backoff) up to max_deliver, serves pull
 * requests, flow control and idle heartbeats, and persists its state.
 *
 * <p>All state is guarded by this object's lock; messages are published while holding it, so
 * what one consumer sends reaches each receiver in the order it was decided. Delivery runs on
 * the consumer's own serial executor ({@link #signal()}), never on an event loop; acks, pull
 * requests and timers only change state and signal. Calls into the stream's other consumers
 * (interest retention) happen after the lock is released.
 */
final class Consumer {
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_DELIVERIES_PER_RUN = 256;
    private static final long FLOW_CONTROL_MAX_PENDING = 32L * 1024 * 1024;
    private static final long STATE_FLUSH_INTERVAL_NANOS = 100_000_000L;
    private static final long ACK_WAIT_DELAY_NANOS = 1_000_000L;

    /** A delivery awaiting its ack: consumer sequence and when it was (re)delivered, epoch nanos. */
    private static final class Pending {
        final long dseq;
        long timestamp;

        Pending(long dseq, long timestamp) {
            this.dseq = dseq;
            this.timestamp = timestamp;
        }
    }

    /** The next message to hand out and its delivery count. */
    private record Next(StoredMessage msg, long dc, long releaseAt) {}

    private final JetStream js;
    private final Stream stream;
    private final StreamConsumers owner;
    private final Account account;
    private final String name;
    private final Instant created;
    private final ConsumerStore store;
    private final SerialExecutor executor;
    private final AtomicBoolean pumpQueued = new AtomicBoolean();

    private ConsumerConfig cfg;
    private long sseq = 1;
    private long dseq = 1;
    private long adflr;
    private long asflr;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private final Map<Long, Long> rdc = new HashMap<>();
    private final LinkedHashSet<Long> rdq = new LinkedHashSet<>();
    /** deliver last_per_subject: the last sequence of each subject, delivered first. */
    private long[] lss;
    private int lssIndex;
    private long lssResume;
    private final PullRequests waiting;
    private boolean active = true;
    private long inactiveSince;
    private long lastDelivered;
    private long lastAcked;
    /** Cached num_pending; may dip below zero for a moment when a delivery beats the store's signal. */
    private long npc;
    private boolean npcValid;
    /** The last stream sequence the cached count covers: later messages are counted as they are signalled. */
    private long npcLast;
    // flow control (push)
    private long pbytes;
    private long maxpb;
    private long fcsz;
    private String fcid;
    // replay_policy original
    private boolean replay;
    private long replayUntil;
    private long lastTs;
    private Next held;
    // timers
    private ScheduledFuture<?> ackTimer;
    private ScheduledFuture<?> waitTimer;
    private long waitTimerAt;
    private ScheduledFuture<?> heartbeatTimer;
    private boolean deliveredSinceHeartbeat;
    private boolean dirty;
    private boolean flushQueued;
    private boolean closed;

    Consumer(JetStream js, Stream stream, StreamConsumers owner, String name, ConsumerConfig cfg, Instant created,
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
        long now = System.nanoTime();
        this.waiting = cfg.isPull() ? new PullRequests((int) Math.min(Integer.MAX_VALUE, cfg.maxWaiting), now) : null;
        this.inactiveSince = now;
        if (cfg.flowControl) maxpb = FLOW_CONTROL_MAX_PENDING / 16;
    }

    /** Sets the starting position: from the stored state when there is one, else by deliver policy. */
    synchronized void start() {
        ConsumerState st = store == null ? ConsumerState.EMPTY : store.state();
        if (st.delivered().streamSeq() > 0 || st.delivered().consumerSeq() > 0 || !st.pending().isEmpty()) {
            applyState(st);
        } else {
            selectStartingSeq();
            dirty = true;
            scheduleFlush();
        }
        if (!"instant".equals(cfg.replayPolicy)) {
            replay = true;
            replayUntil = stream.store().state().lastSeq();
        }
        if (cfg.isPush()) {
            active = hasInterest(cfg.deliverSubject);
            if (cfg.idleHeartbeat > 0) startHeartbeats();
        }
    }

    String name() {
        return name;
    }

    synchronized ConsumerConfig config() {
        return cfg;
    }

    Instant created() {
        return created;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    // ---- starting position ----

    private void selectStartingSeq() {
        var store = stream.store();
        StreamState state = store.state();
        if (cfg.optStartSeq > 0) {
            sseq = cfg.optStartSeq;
        } else {
            switch (cfg.deliverPolicy) {
                case "all" -> sseq = state.firstSeq();
                case "last" -> {
                    sseq = state.lastSeq();
                    if (!cfg.filters().isEmpty()) {
                        long last = 0;
                        for (String f : cfg.filters()) last = Math.max(last, store.filteredState(1, f).last());
                        sseq = last;
                    }
                }
                case "last_per_subject" -> {
                    List<Long> lasts = new ArrayList<>();
                    for (String f : cfg.filters()) {
                        for (String subject : store.subjectsState(f).keySet()) {
                            long last = store.filteredState(1, subject).last();
                            if (last > 0) lasts.add(last);
                        }
                    }
                    if (lasts.isEmpty()) {
                        sseq = state.lastSeq();
                    } else {
                        lss = lasts.stream().mapToLong(Long::longValue).sorted().toArray();
                        lssIndex = 0;
                        lssResume = state.lastSeq();
                        sseq = lss[0];
                    }
                }
                case "by_start_time" -> sseq = seqFromTime(ConsumerConfigs.parseTime(cfg.optStartTime), state);
                default -> sseq = state.lastSeq() + 1; // new
            }
        }
        if (state.firstSeq() == 0) {
            sseq = 1;
        } else if (sseq < state.firstSeq()) {
            sseq = state.firstSeq();
        } else if (sseq > state.lastSeq()) {
            sseq = state.lastSeq() + 1;
        }
        dseq = 1;
        // As upstream, whose floor comes back from a store that only recorded the starting
        // delivered sequence: nothing is acknowledged yet.
        adflr = 0;
        asflr = 0;
    }

    /** The first sequence stored at or after {@code t}: a binary search over the stream's times. */
    private long seqFromTime(Instant t, StreamState state) {
        var store = stream.store();
        long target = t.getEpochSecond() * 1_000_000_000L + t.getNano();
        long lo = state.firstSeq();
        long hi = state.lastSeq();
        long answer = hi + 1;
        while (lo <= hi) {
            long mid = lo + (hi - lo) / 2;
            StoredMessage m = store.loadNext(null, mid);
            if (m == null || m.seq() > hi) {
                hi = mid - 1;
                continue;
            }
            if (m.timestampNanos() >= target) {
                answer = m.seq();
                hi = mid - 1;
            } else {
                lo = m.seq() + 1;
            }
        }
        return answer;
    }

    private void applyState(ConsumerState st) {
        if (sseq <= st.delivered().streamSeq()) sseq = st.delivered().streamSeq() + 1;
        dseq = st.delivered().consumerSeq() + 1;
        adflr = st.ackFloor().consumerSeq();
        asflr = st.ackFloor().streamSeq();
        pending.clear();
        st.pending().forEach((seq, p) -> pending.put(seq, new Pending(p.consumerSeq(), p.timestampNanos())));
        rdc.clear();
        rdc.putAll(st.redelivered());
        rdc.keySet().removeIf(seq -> seq < asflr);
        if (!pending.isEmpty()) {
            long delay = 500_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
            if (cfg.ackWait < delay) delay = cfg.ackWait + ACK_WAIT_DELAY_NANOS;
            scheduleAckTimer(delay);
        }
    }

    // ---- new messages, removals, purges (called by the stream) ----

    /** A message was stored in the stream. */
    void stored(long seq, String subject) {
        boolean wake;
        synchronized (this) {
            if (closed) return;
            if (npcValid && seq > npcLast && matches(subject)) npc++;
            wake = seq >= sseq && (cfg.isPush() ? active : !waiting.isEmpty());
        }
        if (wake) signal();
    }

    /** A message left the stream (limits, age, removal): forget it as upstream's decStreamPending does. */
    void removed(long seq, String subject) {
        Pending p;
        synchronized (this) {
            if (closed) return;
            if (npcValid) {
                if (lss != null) npcValid = false;
                else if (seq >= sseq && seq <= npcLast && matches(subject)) npc--;
            }
            p = pending.get(seq);
            if (p == null) {
                rdq.remove(seq);
                return;
            }
        }
        long dc = rdcOf(seq);
        processTerm(seq, p.dseq, dc, false);
    }

    /** Many messages went at once; {@code firstSeq} is the stream's first sequence now. */
    void purged(long firstSeq) {
        synchronized (this) {
            if (closed) return;
            npcValid = false;
            if (sseq < firstSeq) sseq = firstSeq;
            if (asflr < firstSeq) {
                asflr = firstSeq - 1;
                adflr = dseq - 1;
            }
            var store = stream.store();
            Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator();
            while (it.hasNext()) {
                long seq = it.next().getKey();
                if (seq < firstSeq || store.load(seq) == null) {
                    it.remove();
                    rdc.remove(seq);
                    rdq.remove(seq);
                }
            }
            rdq.removeIf(seq -> seq < sseq && !pending.containsKey(seq));
            if (pending.isEmpty()) {
                adflr = dseq - 1;
                asflr = Math.max(asflr, sseq - 1);
            }
            markDirty();
        }
        signal();
    }

    // ---- delivery ----

    /** Asks for a delivery run on the consumer's executor (coalesced). */
    void signal() {
        if (pumpQueued.compareAndSet(false, true)) executor.execute(this::pump);
    }

    private void pump() {
        pumpQueued.set(false);
        FlushBatch batch = new FlushBatch();
        List<Long> retention = null;
        int delivered = 0;
        long step;
        while ((step = deliverOne(batch)) != STOP) {
            if (step > 0) {
                if (retention == null) retention = new ArrayList<>();
                retention.add(step);
            }
            if (++delivered >= MAX_DELIVERIES_PER_RUN) break;
        }
        batch.flushAll();
        if (retention != null) for (long seq : retention) owner.acknowledged(this, seq);
        if (delivered >= MAX_DELIVERIES_PER_RUN) signal();
    }

    private static final long STOP = -1;
    private static final long DELIVERED = 0;

    /**
     * Hands out one message, under the lock. Returns {@link #STOP} when there is nothing (more)
     * to do now, else {@link #DELIVERED}, or the stream sequence when the stream must be told
     * of an implicit ack (ack none on interest or workqueue retention).
     */
    private long deliverOne(FlushBatch batch) {
        synchronized (this) {
            if (closed) return STOP;
            if (cfg.isPush()) {
                if (!active || (maxpb > 0 && pbytes > maxpb)) return STOP;
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
                if (next.dc() == 1 && npcValid) npc--;
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
                headers = headersOnly(headers, payload.length);
                payload = EMPTY;
            }
            long size = m.subject().length() + ackReply.length() + (headers == null ? 0 : headers.length) + payload.length;
            String target;
            if (cfg.isPush()) {
                target = cfg.deliverSubject;
            } else {
                PullRequests.Request wr = nextWaiting(size);
                if (wr == null) {
                    held = new Next(m, next.dc(), 0); // nobody to take it now: first in line for the next request
                    endOfRun(true);
                    return STOP;
                }
                target = wr.reply;
                if (wr.remaining > 0 && wr.heartbeatNanos > 0) wr.nextHeartbeatAt = System.nanoTime() + wr.heartbeatNanos;
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
        if (cfg.isPull()) processWaiting(endOfStream);
        if (replay && held == null && sseq > replayUntil) replay = false;
    }

    private static final Next MAX_ACK_PENDING = new Next(null, 0, 0);

    /** upstream's getNextMsg: redeliveries first, then the skip list, then the next new message. */
    private Next nextMessage() {
        var store = stream.store();
        while (!rdq.isEmpty()) {
            Iterator<Long> it = rdq.iterator();
            long seq = it.next();
            it.remove();
            long dc = incDeliveryCount(seq);
            if (cfg.maxDeliver > 0 && dc > cfg.maxDeliver) {
                if (dc == cfg.maxDeliver + 1) deliveryExceeded(seq, dc - 1);
                pending.remove(seq);
                continue;
            }
            StoredMessage m = store.load(seq);
            if (m == null) {
                pending.remove(seq);
                rdc.remove(seq);
                continue;
            }
            return new Next(m, dc, 0);
        }
        while (lss != null) {
            if (cfg.acks() && cfg.maxAckPending > 0 && pending.size() >= cfg.maxAckPending) return MAX_ACK_PENDING;
            long seq = lss[lssIndex++];
            if (lssIndex >= lss.length) lss = null;
            if (seq >= sseq) sseq = seq + 1;
            if (lss == null) sseq = Math.max(sseq, lssResume + 1);
            StoredMessage m = store.load(seq);
            if (m != null) return new Next(m, 1, 0);
            if (npcValid) npc--; // that subject's last message went meanwhile
        }
        if (cfg.acks() && cfg.maxAckPending > 0 && pending.size() >= cfg.maxAckPending) return MAX_ACK_PENDING;
        StoredMessage m = loadNextMatching(sseq);
        if (m == null) {
            // Nothing matches up to the end: skip ahead, as upstream does, unless a message
            // arrived between the look-up and now.
            long last = store.state().lastSeq();
            if (last >= sseq) {
                m = loadNextMatching(sseq);
                if (m == null) sseq = last + 1;
            }
            if (m == null) return null;
        }
        sseq = m.seq() + 1;
        return new Next(m, 1, 0);
    }

    private StoredMessage loadNextMatching(long from) {
        var store = stream.store();
        List<String> filters = cfg.filters();
        if (filters.isEmpty()) return store.loadNext(null, from);
        if (filters.size() == 1) return store.loadNext(filters.get(0), from);
        StoredMessage best = null;
        for (String f : filters) {
            StoredMessage m = store.loadNext(f, from);
            if (m != null && (best == null || m.seq() < best.seq())) best = m;
        }
        return best;
    }

    private long incDeliveryCount(long seq) {
        long n = rdc.merge(seq, 1L, Long::sum);
        return n + 1;
    }

    private long rdcOf(long seq) {
        synchronized (this) {
            Long n = rdc.get(seq);
            return n == null ? 1 : n + 1;
        }
    }

    /** Publishes one message; returns whether anyone received it. Lock held. */
    private boolean deliver(String target, String ackReply, StoredMessage m, byte[] headers, byte[] payload, long dc,
                            FlushBatch batch) {
        long seq = m.seq();
        long d = dseq++;
        long size = target.length() + ackReply.length() + (headers == null ? 0 : headers.length) + payload.length;
        if (maxpb > 0) pbytes += size;
        int n = account.publish(InboundMessage.internalDelivery(target, m.subject(), ackReply, headers, payload),
                js.internal(), batch);
        long now = nowNanos();
        if (cfg.acks()) {
            trackPending(seq, d, now);
        } else {
            adflr = d;
            asflr = seq;
        }
        if (maxpb > 0 && needFlowControl(size)) sendFlowControl();
        if (cfg.isPull()) waiting.lastActivity = System.nanoTime();
        deliveredSinceHeartbeat = true;
        lastDelivered = now;
        markDirty();
        if (n == 0) didNotDeliver(seq);
        return true;
    }

    private void didNotDeliver(long seq) {
        if (cfg.isPush()) {
            if (active) {
                active = false;
                inactiveSince = System.nanoTime();
            }
        } else if (pending.containsKey(seq) && !rdq.contains(seq)) {
            rdq.add(seq);
        }
    }

    private static byte[] headersOnly(byte[] headers, int payloadLength) {
        String h;
        if (headers == null || headers.length == 0) {
            h = "NATS/1.0\r\n";
        } else {
            h = new String(headers, StandardCharsets.UTF_8);
            if (h.endsWith("\r\n\r\n")) h = h.substring(0, h.length() - 2);
        }
        return (h + "Nats-Msg-Size: " + payloadLength + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private void trackPending(long seq, long d, long now) {
        Pending p = pending.get(seq);
        if (p != null) p.timestamp = now;
        else pending.put(seq, new Pending(d, now));
        if (ackTimer == null) scheduleAckTimer(cfg.ackWait + ACK_WAIT_DELAY_NANOS);
    }

    /** The number of messages still to deliver for the first time (upstream's num_pending). Lock held. */
    long numPending() {
        if (!npcValid) {
            long n = 0;
            long last = 0;
            long from = sseq;
            if (lss != null) {
                n = lss.length - lssIndex;
                last = lssResume;
                from = Math.max(sseq, lssResume + 1);
            }
            // Counted up to the last matching message each query saw: anything signalled later is new.
            last = Math.max(last, from - 1);
            List<String> filters = cfg.filters();
            for (String f : filters.isEmpty() ? java.util.Collections.<String>singletonList(null) : filters) {
                SimpleState ss = stream.store().filteredState(from, f);
                n += ss.msgs();
                last = Math.max(last, ss.last());
            }
            npc = n;
            npcLast = last;
            npcValid = true;
        }
        return Math.max(0, npc);
    }

    private boolean matches(String subject) {
        List<String> filters = cfg.filters();
        if (filters.isEmpty()) return true;
        for (String f : filters) if (Subjects.subjectMatchesFilter(subject, f)) return true;
        return false;
    }

    boolean matchesSubject(String subject) {
        synchronized (this) {
            return matches(subject);
        }
    }

    // ---- pull requests ----

    /** A CONSUMER.MSG.NEXT request (or the request part of +NXT). */
    void nextRequest(String reply, byte[] body) {
        if (reply == null || reply.isEmpty()) return;
        synchronized (this) {
            if (closed) return;
            if (cfg.isPush()) {
                sendStatus(reply, "409 Consumer is push based");
                return;
            }
            long now = System.nanoTime();
            int batchSize = 1;
            long expires = 0;
            long maxBytes = 0;
            boolean noWait = false;
            long hb = 0;
            String text = new String(body, StandardCharsets.UTF_8).trim();
            if (text.startsWith("{")) {
                com.fasterxml.jackson.databind.JsonNode req;
                try {
                    req = JetStream.JSON.readTree(text);
                } catch (java.io.IOException e) {
                    sendStatus(reply, "400 Bad Request - " + jsonError(e));
                    return;
                }
                batchSize = req.path("batch").asInt(0);
                expires = req.path("expires").asLong(0);
                maxBytes = req.path("max_bytes").asLong(0);
                noWait = req.path("no_wait").asBoolean(false);
                hb = req.path("idle_heartbeat").asLong(0);
                if (hb > 0 && hb * 2 > expires) {
                    sendStatus(reply, "400 Bad Request - heartbeat value too large");
                    return;
                }
            } else if (!text.isEmpty()) {
                try {
                    batchSize = Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    batchSize = 1;
                }
            }
            if (batchSize <= 0) batchSize = 1;
            if (cfg.maxBatch > 0 && batchSize > cfg.maxBatch) {
                sendStatus(reply, "409 Exceeded MaxRequestBatch of " + cfg.maxBatch);
                return;
            }
            if (expires > 0 && cfg.maxExpires > 0 && expires > cfg.maxExpires) {
                sendStatus(reply, "409 Exceeded MaxRequestExpires of " + GoDuration.format(cfg.maxExpires));
                return;
            }
            if (maxBytes > 0 && cfg.maxBytes > 0 && maxBytes > cfg.maxBytes) {
                sendStatus(reply, "409 Exceeded MaxRequestMaxBytes of " + cfg.maxBytes);
                return;
            }
            if (waiting.isFull()) processWaiting(false);
            if (noWait) {
                long msgsPending = numPending() + rdq.size();
                if (msgsPending == 0 && expires == 0) {
                    waiting.lastActivity = now;
                    sendStatus(reply, "404 No Messages");
                    return;
                }
                if (msgsPending > 0) {
                    long batchPending = processWaiting(false);
                    if (msgsPending < batchPending) {
                        waiting.lastActivity = now;
                        sendStatus(reply, "408 Requests Pending");
                        return;
                    }
                }
            }
            PullRequests.Request wr = new PullRequests.Request(reply, batchSize, maxBytes, noWait,
                    expires > 0 ? now + expires : 0, hb, now);
            if (!waiting.add(wr, now)) {
                sendStatus(reply, "409 Exceeded MaxWaiting");
                return;
            }
            scheduleWaitTimer(wr.expiresAt);
            scheduleWaitTimer(wr.nextHeartbeatAt);
        }
        signal();
    }

    private static String jsonError(java.io.IOException e) {
        String m = e.getMessage();
        if (m == null) return "invalid JSON";
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    /**
     * upstream's nextWaiting: the request that takes a message of {@code size} bytes, closing
     * those it cannot fit (409) and those that expired or lost interest. Lock held.
     */
    private PullRequests.Request nextWaiting(long size) {
        long now = System.nanoTime();
        while (!waiting.isEmpty()) {
            PullRequests.Request wr = waiting.peek();
            if (wr.maxBytesLeft > 0) {
                if (size <= wr.maxBytesLeft) {
                    wr.maxBytesLeft -= size;
                    if (wr.maxBytesLeft == 0) wr.remaining = 1;
                } else {
                    sendStatus(wr.reply, "409 Message Size Exceeds MaxBytes", wr.remaining, wr.maxBytesLeft);
                    waiting.removeHead();
                    continue;
                }
            }
            if (!wr.expired(now) && hasInterest(wr.reply)) return waiting.pop();
            waiting.removeHead();
        }
        return null;
    }

    /**
     * upstream's processWaiting: expires requests (408), drops those without interest, sends
     * request heartbeats and arms the timer for the next of these. Returns the messages the
     * remaining requests still want. Lock held.
     */
    private long processWaiting(boolean endOfStream) {
        if (waiting == null || waiting.isEmpty()) return 0;
        long now = System.nanoTime();
        long wanted = 0;
        long next = 0;
        Iterator<PullRequests.Request> it = waiting.iterator();
        while (it.hasNext()) {
            PullRequests.Request wr = it.next();
            if ((endOfStream && wr.noWait && wr.delivered > 0) || wr.expired(now)) {
                sendStatus(wr.reply, "408 Request Timeout", wr.remaining, wr.maxBytesLeft);
                it.remove();
                continue;
            }
            if (!hasInterest(wr.reply)) {
                it.remove();
                continue;
            }
            wanted += wr.remaining;
            if (wr.heartbeatNanos > 0) {
                if (now - wr.nextHeartbeatAt >= 0) {
                    sendHeartbeat(wr.reply);
                    wr.nextHeartbeatAt = now + wr.heartbeatNanos;
                }
                next = earliest(next, wr.nextHeartbeatAt);
            }
            if (wr.expiresAt != 0) next = earliest(next, wr.expiresAt);
        }
        if (next != 0) scheduleWaitTimer(next);
        return wanted;
    }

    private static long earliest(long a, long b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return b - a < 0 ? b : a;
    }

    private void scheduleWaitTimer(long at) {
        if (at == 0) return;
        if (waitTimer != null && !waitTimer.isDone() && waitTimerAt - at <= 0) return;
        if (waitTimer != null) waitTimer.cancel(false);
        waitTimerAt = at;
        long delay = Math.max(at - System.nanoTime(), 500_000L);
        waitTimer = js.timers().schedule(() -> executor.execute(this::waitTimerFired), delay, TimeUnit.NANOSECONDS);
    }

    private void waitTimerFired() {
        synchronized (this) {
            if (closed) return;
            waitTimer = null;
            processWaiting(true);
        }
    }

    /** Releases waiting requests when the consumer goes away (409 Consumer Deleted). Lock held. */
    private void releaseRequests() {
        if (waiting == null) return;
        for (PullRequests.Request wr : waiting.drain()) sendStatus(wr.reply, "409 Consumer Deleted");
    }

    private boolean hasInterest(String subject) {
        return !account.subscriptions().match(subject).isEmpty();
    }

    // ---- acks ----

    /** A message on this consumer's ack subject. */
    void ack(AckSubject a, String reply, byte[] body) {
        int len = body.length;
        String text = len == 0 ? "" : new String(body, StandardCharsets.UTF_8);
        boolean skipReply = a.streamSeq() == 0;
        if (len == 0 || text.equals("+ACK") || text.equals("+OK")) {
            processAck(a.streamSeq(), a.consumerSeq(), true);
        } else if (text.startsWith("+NXT")) {
            processAck(a.streamSeq(), a.consumerSeq(), true);
            nextRequest(reply, text.substring(4).getBytes(StandardCharsets.UTF_8));
            skipReply = true;
        } else if (text.startsWith("-NAK")) {
            processNak(a.streamSeq(), a.consumerSeq(), a.deliveries(), text);
        } else if (text.equals("+WPI")) {
            progress(a.streamSeq());
        } else if (text.startsWith("+TERM")) {
            processTerm(a.streamSeq(), a.consumerSeq(), a.deliveries(), true);
        }
        synchronized (this) {
            if (closed) return;
            if (reply != null && !reply.isEmpty() && !skipReply) js.internal().publish(account, reply, null, null, EMPTY);
            suppressDeletion();
        }
    }

    /** upstream's processAckMsg; {@code retain}: tell the stream, for interest and workqueue retention. */
    private void processAck(long seq, long d, boolean retain) {
        long ackedFrom;
        boolean wake = false;
        synchronized (this) {
            if (closed) return;
            switch (cfg.ackPolicy) {
                case "explicit" -> {
                    Pending p = pending.get(seq);
                    if (p != null) {
                        if (cfg.maxAckPending > 0 && pending.size() >= cfg.maxAckPending) wake = true;
                        pending.remove(seq);
                        d = p.dseq;
                    }
                    if (pending.isEmpty()) {
                        adflr = dseq - 1;
                        asflr = sseq - 1;
                    } else if (d == adflr + 1) {
                        adflr = d;
                        asflr = seq;
                        Map.Entry<Long, Pending> nextPending = pending.ceilingEntry(seq + 1);
                        if (nextPending != null && nextPending.getKey() < sseq) {
                            adflr = nextPending.getValue().dseq - 1;
                            asflr = nextPending.getKey() - 1;
                        }
                    }
                    rdc.remove(seq);
                    rdq.remove(seq);
                    ackedFrom = seq;
                }
                case "all" -> {
                    if (d <= adflr || seq <= asflr) return;
                    if (cfg.maxAckPending > 0 && pending.size() >= cfg.maxAckPending) wake = true;
                    ackedFrom = asflr + 1;
                    adflr = d;
                    asflr = seq;
                    pending.headMap(seq, true).clear();
                    rdc.keySet().removeIf(s -> s <= seq);
                    rdq.removeIf(s -> s <= seq);
                }
                default -> {
                    return;
                }
            }
            if (pending.isEmpty() && ackTimer != null) {
                ackTimer.cancel(false);
                ackTimer = null;
            }
            lastAcked = nowNanos();
            markDirty();
        }
        if (retain && !"limits".equals(stream.config().retention)) {
            // Removing from the store writes to disk: not on the publisher's event loop.
            long from = ackedFrom;
            executor.execute(() -> {
                long first = Math.max(from, stream.store().state().firstSeq());
                for (long s = first; s <= seq; s++) owner.acknowledged(this, s);
            });
        }
        if (wake) signal();
    }

    private void processNak(long seq, long d, long dc, String text) {
        synchronized (this) {
            if (closed) return;
            if (d <= adflr || d > dseq) return;
            if (!pending.isEmpty() && !pending.containsKey(seq)) return;
            advisory("$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED." + stream.name() + "." + name,
                    "io.nats.jetstream.advisory.v1.nak", "consumer_seq", d, "stream_seq", seq, "deliveries", dc);
            String arg = text.length() > 4 ? text.substring(4).trim() : "";
            if (!arg.isEmpty()) {
                long delay = -1;
                try {
                    if (arg.startsWith("{")) delay = JetStream.JSON.readTree(arg).path("delay").asLong(0);
                    else delay = GoDuration.parseNanos(arg);
                } catch (java.io.IOException | IllegalArgumentException e) {
                    js.log().warn("JetStream consumer '%s > %s > %s' bad NAK delay value: \"%s\"", account.name(),
                            stream.name(), name, arg);
                }
                if (delay >= 0) {
                    rdq.remove(seq);
                    Pending p = pending.get(seq);
                    if (p != null) {
                        p.timestamp = nowNanos() - cfg.ackWait + delay;
                        markDirty();
                        scheduleAckTimer(10_000_000L);
                    }
                    return;
                }
            }
            rdq.add(seq);
        }
        signal();
    }

    private void processTerm(long seq, long d, long dc, boolean advisory) {
        processAck(seq, d, advisory);
        if (!advisory) return;
        synchronized (this) {
            if (closed) return;
            advisory("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED." + stream.name() + "." + name,
                    "io.nats.jetstream.advisory.v1.terminated", "consumer_seq", d, "stream_seq", seq, "deliveries", dc);
        }
    }

    private synchronized void progress(long seq) {
        Pending p = pending.get(seq);
        if (p != null) {
            p.timestamp = nowNanos();
            markDirty();
        }
    }

    /** Whether this consumer still needs {@code seq} (interest retention). */
    synchronized boolean needsAck(long seq, String subject) {
        if (closed) return false;
        if (subject != null && !matches(subject)) return false;
        if (seq <= asflr) return false;
        if (!"explicit".equals(cfg.ackPolicy)) return true;
        return seq >= sseq || pending.containsKey(seq);
    }

    synchronized long ackFloorStreamSeq() {
        return asflr;
    }

    // ---- redelivery after ack_wait ----

    private void scheduleAckTimer(long delayNanos) {
        if (ackTimer != null) ackTimer.cancel(false);
        ackTimer = js.timers().schedule(() -> executor.execute(this::checkPending), Math.max(delayNanos, 1_000_000L),
                TimeUnit.NANOSECONDS);
    }

    /** upstream's checkPending: queues for redelivery what waited longer than ack_wait (or its backoff). */
    private void checkPending() {
        boolean wake = false;
        synchronized (this) {
            if (closed) return;
            ackTimer = null;
            if (pending.isEmpty()) return;
            long now = nowNanos();
            long ttl = cfg.ackWait;
            long next = cfg.ackWait + ACK_WAIT_DELAY_NANOS;
            List<Long> backoff = cfg.backoff;
            if (backoff != null && !backoff.isEmpty()) next = backoff.get(backoff.size() - 1);
            long first = stream.store().state().firstSeq();
            List<Long> expired = new ArrayList<>();
            Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Pending> e = it.next();
                long seq = e.getKey();
                if (seq < first) {
                    it.remove();
                    rdc.remove(seq);
                    rdq.remove(seq);
                    markDirty();
                    continue;
                }
                long elapsed = now - e.getValue().timestamp;
                long deadline = ttl;
                if (backoff != null && !backoff.isEmpty()) {
                    int dc = rdc.getOrDefault(seq, 0L).intValue();
                    int nbi = dc + 1;
                    if (dc + 1 >= backoff.size()) {
                        dc = backoff.size() - 1;
                        nbi = dc;
                    }
                    deadline = backoff.get(dc);
                    next = Math.min(next, backoff.get(nbi));
                }
                if (elapsed >= deadline) {
                    if (!rdq.contains(seq)) expired.add(seq);
                } else if (deadline - elapsed < next) {
                    next = deadline - elapsed;
                }
            }
            if (!expired.isEmpty()) {
                expired.sort(null);
                rdq.addAll(expired);
                long off = now - pending.get(expired.get(0)).timestamp;
                for (long seq : expired) {
                    Pending p = pending.get(seq);
                    if (p != null) p.timestamp += off;
                }
                wake = true;
            }
            if (!pending.isEmpty()) scheduleAckTimer(next + ACK_WAIT_DELAY_NANOS);
        }
        if (wake) signal();
    }

    private void deliveryExceeded(long seq, long deliveries) {
        advisory("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream.name() + "." + name,
                "io.nats.jetstream.advisory.v1.max_deliver", "stream_seq", seq, "deliveries", deliveries);
    }

    // ---- push: interest, flow control, heartbeats ----

    /** Periodic housekeeping: push interest and the inactivity threshold. Returns true to delete. */
    boolean tick(long now) {
        boolean wake = false;
        synchronized (this) {
            if (closed) return false;
            long threshold = deleteThreshold();
            if (cfg.isPush()) {
                boolean interest = hasInterest(cfg.deliverSubject);
                if (interest && !active) {
                    active = true;
                    wake = true;
                } else if (!interest && active) {
                    active = false;
                    inactiveSince = now;
                }
                if (!active && threshold > 0 && now - inactiveSince >= threshold) return true;
            } else if (threshold > 0 && now - waiting.lastActivity > threshold) {
                processWaiting(true);
                if (waiting.isEmpty()) return true;
                waiting.lastActivity = now;
            }
        }
        if (wake) signal();
        return false;
    }

    private long deleteThreshold() {
        if (!cfg.isDurable() && cfg.inactiveThreshold <= 0) return ConsumerConfigs.DEFAULT_INACTIVE_THRESHOLD_NANOS;
        return Math.max(cfg.inactiveThreshold, 0);
    }

    /** Acks count as activity: they push back the inactivity deletion. Lock held. */
    private void suppressDeletion() {
        long now = System.nanoTime();
        if (cfg.isPush()) inactiveSince = now;
        else waiting.lastActivity = now;
    }

    private boolean needFlowControl(long size) {
        if (fcid == null && pbytes > maxpb / 2) return true;
        if (fcid != null && pbytes - fcsz >= maxpb) fcsz += size;
        return false;
    }

    private void sendFlowControl() {
        if (!cfg.isPush()) return;
        StringBuilder sb = new StringBuilder("$JS.FC.").append(stream.name()).append('.').append(name).append('.');
        String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 4; i++) sb.append(digits.charAt(r.nextInt(digits.length())));
        fcid = sb.toString();
        fcsz = pbytes;
        js.internal().publish(account, cfg.deliverSubject, fcid, bytes("NATS/1.0 100 FlowControl Request\r\n\r\n"), EMPTY);
    }

    /** A reply on {@code $JS.FC.<stream>.<consumer>.*}. */
    void flowControlReply(String subject) {
        synchronized (this) {
            if (closed || !subject.equals(fcid)) return;
            if (maxpb < FLOW_CONTROL_MAX_PENDING) maxpb = Math.min(maxpb * 2, FLOW_CONTROL_MAX_PENDING);
            pbytes = Math.max(0, pbytes - fcsz);
            fcid = null;
            fcsz = 0;
        }
        signal();
    }

    private void startHeartbeats() {
        long hb = cfg.idleHeartbeat;
        heartbeatTimer = js.timers().scheduleAtFixedRate(() -> executor.execute(this::heartbeatFired), hb, hb,
                TimeUnit.NANOSECONDS);
    }

    private void heartbeatFired() {
        synchronized (this) {
            if (closed) return;
            if (deliveredSinceHeartbeat) {
                deliveredSinceHeartbeat = false;
                return;
            }
            if (active) sendHeartbeat(cfg.deliverSubject);
        }
    }

    private void sendHeartbeat(String subject) {
        StringBuilder h = new StringBuilder("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ").append(dseq - 1)
                .append("\r\nNats-Last-Stream: ").append(sseq - 1).append("\r\n");
        if (fcid != null) h.append("Nats-Consumer-Stalled: ").append(fcid).append("\r\n");
        js.internal().publish(account, subject, null, bytes(h.append("\r\n").toString()), EMPTY);
    }

    // ---- status messages and advisories ----

    private void sendStatus(String subject, String status) {
        js.internal().publish(account, subject, null, bytes("NATS/1.0 " + status + "\r\n\r\n"), EMPTY);
    }

    private void sendStatus(String subject, String status, long pendingMsgs, long pendingBytes) {
        js.internal().publish(account, subject, null, bytes("NATS/1.0 " + status + "\r\nNats-Pending-Messages: "
                + pendingMsgs + "\r\nNats-Pending-Bytes: " + pendingBytes + "\r\n\r\n"), EMPTY);
    }

    private void advisory(String subject, String type, Object... fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("id", Advisories.id());
        m.put("timestamp", Instant.now().toString());
        m.put("stream", stream.name());
        m.put("consumer", name);
        for (int i = 0; i + 1 < fields.length; i += 2) m.put((String) fields[i], fields[i + 1]);
        if (js.domain() != null && !js.domain().isEmpty()) m.put("domain", js.domain());
        Advisories.publish(js, account, subject, m);
    }

    /** Wall-clock time in nanoseconds since the epoch (microsecond resolution where the JDK has it). */
    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- config updates ----

    /** Applies an allowed update (already checked). */
    void update(ConsumerConfig next) {
        synchronized (this) {
            if (closed) return;
            ConsumerConfig old = cfg;
            if (!java.util.Objects.equals(old.deliverSubject, next.deliverSubject) && !pending.isEmpty()) {
                for (Long seq : pending.keySet()) if (!rdq.contains(seq)) rdq.add(seq);
            }
            cfg = next;
            if (cfg.isPush()) active = hasInterest(cfg.deliverSubject);
            if (old.ackWait != next.ackWait && ackTimer != null) scheduleAckTimer(100_000_000L);
            npcValid = false;
        }
        signal();
    }

    // ---- state persistence ----

    private void markDirty() {
        dirty = true;
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (store == null || flushQueued) return;
        flushQueued = true;
        js.timers().schedule(() -> executor.execute(this::flushState), STATE_FLUSH_INTERVAL_NANOS, TimeUnit.NANOSECONDS);
    }

    private void flushState() {
        ConsumerState st;
        synchronized (this) {
            flushQueued = false;
            if (closed || !dirty) return;
            dirty = false;
            st = snapshot();
        }
        write(st);
    }

    private void write(ConsumerState st) {
        try {
            store.update(st);
        } catch (RuntimeException e) {
            js.log().warn("JetStream could not write the state of consumer '%s > %s > %s': %s", account.name(),
                    stream.name(), name, e.getMessage());
        }
    }

    private ConsumerState snapshot() {
        Map<Long, ConsumerState.Pending> p = new HashMap<>(pending.size() * 2);
        pending.forEach((seq, v) -> p.put(seq, new ConsumerState.Pending(v.dseq, v.timestamp)));
        return new ConsumerState(new ConsumerState.SequencePair(dseq - 1, sseq - 1),
                new ConsumerState.SequencePair(adflr, asflr), p, rdc);
    }

    // ---- info ----

    /** The consumer_info object, as upstream writes it. */
    Map<String, Object> info() {
        synchronized (this) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("stream_name", stream.name());
            out.put("name", name);
            out.put("created", created.toString());
            out.put("config", cfg);
            out.put("delivered", sequenceInfo(dseq - 1, sseq - 1, lastDelivered));
            out.put("ack_floor", sequenceInfo(adflr, asflr, lastAcked));
            out.put("num_ack_pending", pending.size());
            out.put("num_redelivered", rdc.size());
            int numWaiting = 0;
            if (cfg.isPull()) {
                processWaiting(false);
                numWaiting = waiting.size();
            }
            out.put("num_waiting", numWaiting);
            out.put("num_pending", numPending());
            if (cfg.isPush() && active) out.put("push_bound", true);
            return out;
        }
    }

    private static Map<String, Object> sequenceInfo(long consumerSeq, long streamSeq, long lastNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("consumer_seq", consumerSeq);
        m.put("stream_seq", streamSeq);
        if (lastNanos != 0) m.put("last_active", Instant.ofEpochSecond(0, lastNanos).toString());
        return m;
    }

    // ---- stopping ----

    /**
     * Stops the consumer. {@code deleted}: it is going away (waiting pull requests get 409
     * Consumer Deleted); otherwise the server is shutting down and the state is written.
     */
    void stop(boolean deleted) {
        ConsumerState last = null;
        synchronized (this) {
            if (deleted) releaseRequests(); // also after a shutdown stop: the stream is being deleted
            if (closed) return;
            closed = true;
            if (ackTimer != null) ackTimer.cancel(false);
            if (waitTimer != null) waitTimer.cancel(false);
            if (heartbeatTimer != null) heartbeatTimer.cancel(false);
            if (!deleted && store != null) last = snapshot();
        }
        if (last != null) write(last);
    }

    ConsumerStore store() {
        return store;
    }
}
