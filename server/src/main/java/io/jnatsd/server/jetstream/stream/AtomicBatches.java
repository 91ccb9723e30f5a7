package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;

import io.jnatsd.server.config.ServerOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The atomic batches (2.12, ADR-50) a stream has open: messages with {@code Nats-Batch-Id} are
 * staged here, in order, until the one with {@code Nats-Batch-Commit}; a gap, a batch over the
 * size limit or one left idle past the timeout is dropped. Only the leader's writer stages
 * (staging changes no stored state); the committed batch becomes ordinary entries, appended one
 * after another by the writer with nothing in between. The ceilings are upstream's
 * ({@code jetstream { limits { batch {} } }}, defaults 50 open per stream, 1000 per server, 1000
 * messages, 10s idle). Staged messages live in memory, where upstream keeps an R1 file stream's
 * on disk.
 */
final class AtomicBatches {
    static final int DEFAULT_INFLIGHT_PER_STREAM = 50;
    static final int DEFAULT_INFLIGHT_TOTAL = 1000;
    static final int DEFAULT_MAX_MSGS = 1000;
    static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int MAX_ID_LENGTH = 64;

    /** What a batch message led to: staged (no error, nothing to commit), refused, or the batch to commit. */
    record Step(ApiError error, List<StreamEntry> commit, boolean eob) {
        static final Step STAGED = new Step(null, null, false);

        static Step refuse(ApiError e) {
            return new Step(e, null, false);
        }
    }

    private static final class Batch {
        final List<StreamEntry> staged = new ArrayList<>();
        long lastSeq;
        ScheduledFuture<?> idle;
    }

    private final JsServer js;
    private final Map<String, Batch> open = new HashMap<>();

    AtomicBatches(JsServer js) {
        this.js = js;
    }

    static int maxMsgs(ServerOptions o) {
        return o.jetstreamBatchMaxMsgs > 0 ? o.jetstreamBatchMaxMsgs : DEFAULT_MAX_MSGS;
    }

    /**
     * Takes message {@code seq} of batch {@code id} ({@code commit}: the Nats-Batch-Commit value,
     * null when absent), in upstream's order of checks.
     */
    synchronized Step add(String id, long seq, String commit, StreamEntry e) {
        ServerOptions o = js.options();
        int maxMsgs = maxMsgs(o);
        boolean eob = "eob".equals(commit);
        boolean invalidCommit = commit != null && !eob && !"1".equals(commit);
        long size = eob ? seq - 1 : seq; // an end-of-batch marker is not stored and does not count
        Batch b = open.get(id);
        if (b == null) {
            if (seq != 1) {
                if (size > maxMsgs) return Step.refuse(ApiErrors.of("JSAtomicPublishTooLargeBatchErrF", "size", maxMsgs));
                return Step.refuse(ApiErrors.of("JSAtomicPublishIncompleteBatchErr"));
            }
            int perStream = o.jetstreamBatchInflightPerStream > 0 ? o.jetstreamBatchInflightPerStream : DEFAULT_INFLIGHT_PER_STREAM;
            int total = o.jetstreamBatchInflightTotal > 0 ? o.jetstreamBatchInflightTotal : DEFAULT_INFLIGHT_TOTAL;
            if (open.size() + 1 > perStream) return Step.refuse(ApiErrors.of("JSAtomicPublishTooManyInflight"));
            if (js.atomicBatchesOpen().incrementAndGet() > total) {
                js.atomicBatchesOpen().decrementAndGet();
                return Step.refuse(ApiErrors.of("JSAtomicPublishTooManyInflight"));
            }
            b = new Batch();
            open.put(id, b);
        }
        if (invalidCommit) {
            drop(id);
            return Step.refuse(ApiErrors.of("JSAtomicPublishInvalidBatchCommitErr"));
        }
        armIdleTimer(id, b, o);
        b.lastSeq++;
        if (b.lastSeq != seq || (seq == 1 && eob)) {
            drop(id);
            return Step.refuse(ApiErrors.of("JSAtomicPublishIncompleteBatchErr"));
        }
        if (size > maxMsgs) {
            drop(id);
            return Step.refuse(ApiErrors.of("JSAtomicPublishTooLargeBatchErrF", "size", maxMsgs));
        }
        if (!eob) b.staged.add(e);
        if (commit == null) return Step.STAGED;
        drop(id);
        return new Step(null, b.staged, eob);
    }

    /** Drops every open batch (the stream stopped allowing atomic publish, or closed). */
    synchronized void dropAll() {
        for (String id : new ArrayList<>(open.keySet())) drop(id);
    }

    synchronized int openCount() {
        return open.size();
    }

    private void armIdleTimer(String id, Batch b, ServerOptions o) {
        if (b.idle != null) b.idle.cancel(false);
        long timeout = o.jetstreamBatchTimeoutNanos > 0 ? o.jetstreamBatchTimeoutNanos : DEFAULT_TIMEOUT_NANOS;
        b.idle = js.timers().schedule(() -> expire(id, b), timeout, TimeUnit.NANOSECONDS);
    }

    private synchronized void expire(String id, Batch b) {
        if (open.get(id) == b) drop(id);
    }

    private void drop(String id) {
        Batch b = open.remove(id);
        if (b == null) return;
        if (b.idle != null) b.idle.cancel(false);
        js.atomicBatchesOpen().decrementAndGet();
    }
}
