package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.stream.Stream;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.store.SimpleState;
import io.jnatsd.store.StoredMessage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a consumer stands in its stream for first deliveries (upstream's sseq, with the
 * last_per_subject skip list and the cached num_pending): the next matching message to deliver
 * for the first time, and how many are left. Redeliveries are the consumer's business. Guarded
 * by the consumer's lock.
 */
final class StreamPosition {
    private final Stream stream;
    private long sseq = 1;
    /** deliver last_per_subject: the last sequence of each subject, delivered first. */
    private long[] lss;
    private int lssIndex;
    private long lssResume;
    /** Cached num_pending; may dip below zero for a moment when a delivery beats the store's signal. */
    private long npc;
    private boolean npcValid;
    /** The last stream sequence the cached count covers: later messages are counted as they are signalled. */
    private long npcLast;

    StreamPosition(Stream stream) {
        this.stream = stream;
    }

    /** The next stream sequence to deliver for the first time. */
    long sseq() {
        return sseq;
    }

    /** Starts where the deliver policy says. */
    void start(ConsumerConfig cfg) {
        StartPosition start = StartPosition.of(cfg, stream.store());
        sseq = start.sseq();
        lss = start.skip();
        lssIndex = 0;
        lssResume = start.resume();
    }

    /** Starts at {@code seq} (a recovered "new" consumer: the first message since its creation). */
    void startAt(long seq) {
        if (seq > 0 && seq < sseq) sseq = seq;
    }

    /** Goes on after {@code streamSeq}, the last delivered by the stored state. */
    void resume(long streamSeq) {
        if (sseq <= streamSeq) sseq = streamSeq + 1;
    }

    /** A message was stored in the stream. */
    void stored(long seq, String subject, ConsumerConfig cfg) {
        if (npcValid && seq > npcLast && cfg.matches(subject)) npc++;
    }

    /** A message left the stream (upstream's decStreamPending). */
    void removed(long seq, String subject, ConsumerConfig cfg) {
        if (npcValid) {
            if (lss != null) npcValid = false;
            else if (seq >= sseq && seq <= npcLast && cfg.matches(subject)) npc--;
        }
    }

    /** Many messages went at once; {@code firstSeq} is the stream's first sequence now. */
    void purged(long firstSeq) {
        npcValid = false;
        if (sseq < firstSeq) sseq = firstSeq;
    }

    /** num_pending is counted again when next asked (the config changed). */
    void recount() {
        npcValid = false;
    }

    /** A message went out for the first time. */
    void delivered() {
        if (npcValid) npc--;
    }

    /** Whether the last_per_subject skip list still has sequences to hand out. */
    boolean skipping() {
        return lss != null;
    }

    /** The skip list's next message; null when that subject's last message went meanwhile. */
    StoredMessage nextSkipped() {
        long seq = lss[lssIndex++];
        if (lssIndex >= lss.length) lss = null;
        if (seq >= sseq) sseq = seq + 1;
        if (lss == null) sseq = Math.max(sseq, lssResume + 1);
        StoredMessage m = stream.store().load(seq);
        if (m == null && npcValid) npc--; // that subject's last message went meanwhile
        return m;
    }

    /** The next matching message in the stream, or null when there is none (yet). */
    StoredMessage next(ConsumerConfig cfg) {
        StoredMessage m = loadNextMatching(cfg, sseq);
        if (m == null) {
            // Nothing matches up to the end: skip ahead, as upstream does, unless a message
            // arrived between the look-up and now.
            long last = stream.store().state().lastSeq();
            if (last >= sseq) {
                m = loadNextMatching(cfg, sseq);
                if (m == null) sseq = last + 1;
            }
            if (m == null) return null;
        }
        sseq = m.seq() + 1;
        return m;
    }

    private StoredMessage loadNextMatching(ConsumerConfig cfg, long from) {
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

    /**
     * Filters may share subjects without one holding the other ({@code a.*.c}, {@code a.b.*}):
     * the messages on such a subject, counted once per filter above, less one count. Only such
     * pairs cost a look at the subjects.
     */
    private long countedTwice(long from, List<String> filters) {
        Set<String> shared = null;
        for (int i = 0; i < filters.size(); i++) {
            for (int j = i + 1; j < filters.size(); j++) {
                if (!Subjects.subjectsCollide(filters.get(i), filters.get(j))) continue;
                if (shared == null) shared = new HashSet<>();
                for (String subject : stream.store().subjectsState(filters.get(i)).keySet()) {
                    if (Subjects.subjectMatchesFilter(subject, filters.get(j))) shared.add(subject);
                }
            }
        }
        if (shared == null) return 0;
        long twice = 0;
        for (String subject : shared) {
            int k = 0;
            for (String f : filters) if (Subjects.subjectMatchesFilter(subject, f)) k++;
            twice += (long) (k - 1) * stream.store().filteredState(from, subject).msgs();
        }
        return twice;
    }

    /** The number of messages still to deliver for the first time (upstream's num_pending). */
    long numPending(ConsumerConfig cfg) {
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
            n -= countedTwice(from, filters);
            npc = n;
            npcLast = last;
            npcValid = true;
        }
        return Math.max(0, npc);
    }
}
