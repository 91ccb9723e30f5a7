package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.JsHeaders;

import io.jnatsd.store.StoreLimitException;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's checks of a committed atomic batch, message by message against the stream as it
 * would be after the ones before (upstream's staged diff): every check a single publish gets,
 * with the batch's own rules (no {@code Nats-Expected-Last-Msg-Id}; an expected last sequence only
 * on the first message; no expected subject sequence or subject roll-up on a subject the batch
 * already wrote; a stream roll-up only first; a message id only once; schedules checked as
 * published ones; discard-new limits counted with the whole batch), so that either every message can be stored or none is. Counters add up
 * across the batch. Returns the entries to append, as decided, or the error for the whole batch.
 */
final class BatchCommit {
    record Result(List<StreamEntry> entries, ApiError error) {
        static Result refuse(ApiError e) {
            return new Result(null, e);
        }
    }

    private BatchCommit() {}

    static Result check(StreamConfig c, StreamStore store, DuplicateWindow duplicates, long maxPayload, List<StreamEntry> batch,
                        boolean eob, long nowNanos) {
        Set<String> msgIds = new HashSet<>();
        Map<String, Integer> written = new HashMap<>(); // subject: messages of the batch on it
        Map<String, Long> expectedChecked = new HashMap<>();
        Map<String, StreamEntry> lastCounter = new HashMap<>();
        List<StreamEntry> out = new ArrayList<>(batch.size());
        long lastSeq = store.state().lastSeq();
        long addedBytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            StreamEntry e = batch.get(i);
            JsHeaders h = e.expected();
            if (h.expectedLastMsgId() != null && !h.expectedLastMsgId().isEmpty()) {
                return Result.refuse(ApiErrors.of("JSAtomicPublishUnsupportedHeaderBatchErr", "header", "Nats-Expected-Last-Msg-Id"));
            }
            ApiError incr = Counters.checkPublished(c, e, h);
            if (incr != null) return Result.refuse(incr);
            if (h.expectedStream() != null && !h.expectedStream().isEmpty() && !h.expectedStream().equals(c.name)) {
                return Result.refuse(ApiErrors.of("JSStreamNotMatchErr"));
            }
            if (h.ttl() != null) {
                if (!c.allowMsgTtl) return Result.refuse(ApiErrors.of("JSMessageTTLDisabledErr"));
                if (e.ttlNanos() == 0) return Result.refuse(ApiErrors.of("JSMessageTTLInvalidErr"));
            }
            if (e.msgId() != null) {
                if (!msgIds.add(e.msgId()) || duplicates.find(e.msgId(), nowNanos) >= 0) {
                    return Result.refuse(ApiErrors.of("JSAtomicPublishContainsDuplicateMessageErr"));
                }
            }
            if (c.allowMsgCounter) {
                StreamEntry previous = lastCounter.get(e.subject());
                Counters.Decision d = previous != null
                        ? Counters.decide(e, previous.headers(), previous.payload(), maxPayload)
                        : Counters.decide(e, store.loadLast(e.subject()), maxPayload);
                if (d.error() != null) return Result.refuse(d.error());
                e = d.entry();
                lastCounter.put(e.subject(), e);
            }
            ApiError expected = checkExpected(h, e.subject(), i, lastSeq, store, written, expectedChecked);
            if (expected != null) return Result.refuse(expected);
            String rollupValue = h.rollup();
            if (h.hasScheduling()) {
                MessageSchedules.Check sc = MessageSchedules.checkPublished(c, e.subject(), e.headers(), store, nowNanos);
                if (sc.error() != null) return Result.refuse(sc.error());
                if (sc.headers() != null) {
                    e = e.withHeadersAndRollup(sc.headers(), "sub");
                    rollupValue = "sub";
                }
            }
            ApiError rollup = checkRollup(c, rollupValue, e.subject(), written);
            if (rollup != null) return Result.refuse(rollup);
            written.merge(e.subject(), 1, Integer::sum);
            addedBytes += store.messageSize(e.subject(), e.headers(), e.payload());
            ApiError limits = checkDiscardNew(c, store, e.subject(), rollupValue, i + 1, addedBytes, written.get(e.subject()));
            if (limits != null) return Result.refuse(limits);
            if (eob && i == batch.size() - 1) {
                // the end-of-batch marker is not stored: its predecessor carries the commit
                e = e.withHeadersAndPayload(Headers.with(e.headers(), "Nats-Batch-Commit", "1"), e.payload());
            }
            out.add(e);
        }
        return new Result(out, null);
    }

    private static ApiError checkExpected(JsHeaders h, String subject, int index, long lastSeq, StreamStore store,
                                          Map<String, Integer> written, Map<String, Long> checked) {
        String expectedLast = h.expectedLastSequence();
        if (expectedLast != null && !expectedLast.isEmpty()) {
            long seqBefore = lastSeq + index; // the stream's last sequence once the messages before are stored
            if (parse(expectedLast) != seqBefore) return ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", seqBefore);
            if (index > 0) return ApiErrors.of("JSStreamWrongLastSequenceConstantErr");
        }
        String expectedSubjectLast = h.expectedLastSubjectSequence();
        String checkedSubject = h.expectedLastSubjectSequenceSubject();
        if (expectedSubjectLast != null && !expectedSubjectLast.isEmpty()) {
            String on = checkedSubject != null ? checkedSubject : subject;
            if (written.containsKey(on)) return ApiErrors.of("JSStreamWrongLastSequenceConstantErr");
            long want = parse(expectedSubjectLast);
            Long seen = checked.get(on);
            if (seen == null) {
                StoredMessage last = store.loadLast(on);
                seen = last == null ? 0 : last.seq();
                if (want != seen) return ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", seen);
                checked.put(on, seen);
            } else if (want != seen) {
                return ApiErrors.of("JSStreamWrongLastSequenceErrF", "seq", seen);
            }
        } else if (checkedSubject != null) {
            return ApiErrors.of("JSStreamExpectedLastSeqPerSubjectInvalid");
        }
        return null;
    }

    private static ApiError checkRollup(StreamConfig c, String rollup, String subject, Map<String, Integer> written) {
        if (rollup == null || rollup.isEmpty()) return null;
        if (!c.allowRollupHdrs || c.denyPurge) return ApiErrors.of("JSStreamRollupFailedF", "err", "rollup not permitted");
        return switch (rollup.toLowerCase(java.util.Locale.ROOT)) {
            case "sub" -> written.containsKey(subject) ? ApiErrors.of("JSStreamRollupFailedF", "err", "batch rollup sub invalid") : null;
            case "all" -> !written.isEmpty() ? ApiErrors.of("JSStreamRollupFailedF", "err", "batch rollup all invalid") : null;
            default -> ApiErrors.of("JSStreamRollupFailedF", "err", "rollup value invalid: " + io.jnatsd.protocol.wire.GoQuote.quote(rollup));
        };
    }

    /**
     * With discard new, the store would refuse the message that crosses a limit, part way through
     * the batch: upstream refuses the batch instead, counting what the batch adds.
     */
    private static ApiError checkDiscardNew(StreamConfig c, StreamStore store, String subject, String rollup, int added,
                                            long addedBytes, int addedOnSubject) {
        if (!c.isDiscardNew()) return null;
        var st = store.state();
        if (c.maxMsgs > 0 && st.msgs() + added > c.maxMsgs) return storeFailed(StoreLimitException.Reason.MAX_MSGS);
        if (c.maxBytes > 0 && st.bytes() + addedBytes > c.maxBytes) return storeFailed(StoreLimitException.Reason.MAX_BYTES);
        if (c.discardNewPerSubject && c.maxMsgsPerSubject > 0 && rollup == null) {
            Long onSubject = store.subjectsState(subject).get(subject);
            if ((onSubject == null ? 0 : onSubject) + addedOnSubject > c.maxMsgsPerSubject) {
                return storeFailed(StoreLimitException.Reason.MAX_MSGS_PER_SUBJECT);
            }
        }
        return null;
    }

    private static ApiError storeFailed(StoreLimitException.Reason r) {
        return ApiErrors.of("JSStreamStoreFailedF", "err", r.text());
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
