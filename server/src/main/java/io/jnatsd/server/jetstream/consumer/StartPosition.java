package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.store.StreamState;
import io.jnatsd.store.StreamStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a new consumer starts (upstream's selectStartingSeqNo): the first stream sequence to
 * look at for its deliver policy and, for {@code last_per_subject}, the last sequence of each
 * matching subject to hand out first (the skip list), after which it goes on past {@code resume}.
 *
 * @param sseq   the next stream sequence to consider
 * @param skip   last_per_subject: the sequences to deliver first, ascending; null otherwise
 * @param resume last_per_subject: the stream's last sequence when the consumer started
 */
record StartPosition(long sseq, long[] skip, long resume) {

    static StartPosition of(ConsumerConfig cfg, StreamStore store) {
        StreamState state = store.state();
        long sseq;
        long[] skip = null;
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
                        // distinct: a subject two filters share (a.*.c, a.b.*) is listed by both
                        skip = lasts.stream().mapToLong(Long::longValue).distinct().sorted().toArray();
                        sseq = skip[0];
                    }
                }
                case "by_start_time" -> sseq = seqFromTime(store, ConsumerConfigs.parseTime(cfg.optStartTime), state);
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
        return new StartPosition(sseq, skip, state.lastSeq());
    }

    /** The first sequence stored at or after {@code t}: a binary search over the stream's times. */
    static long seqFromTime(StreamStore store, Instant t, StreamState state) {
        return Stream.seqForTime(store, t.getEpochSecond() * 1_000_000_000L + t.getNano(), state);
    }
}
