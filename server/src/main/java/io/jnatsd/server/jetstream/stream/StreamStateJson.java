package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.GoTime;

import io.jnatsd.store.StreamState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stream's {@code state} object as upstream writes it, the one layout for stream info,
 * {@code /jsz} and snapshot and restore answers, so that every figure (the consumer count
 * included) is the stream's own.
 */
public final class StreamStateJson {
    private StreamStateJson() {}

    /**
     * {@code subjects}: the per-subject counts asked for by a stream info filter, or null;
     * {@code deletedDetails}: list the deleted sequences (when the state carries them).
     */
    public static Map<String, Object> of(Stream s, StreamState st, Map<String, Long> subjects, boolean deletedDetails) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("messages", st.msgs());
        state.put("bytes", st.bytes());
        state.put("first_seq", st.firstSeq());
        state.put("first_ts", GoTime.rfc3339Nano(st.firstTimeNanos()));
        state.put("last_seq", st.lastSeq());
        state.put("last_ts", GoTime.rfc3339Nano(st.lastTimeNanos()));
        if (st.numSubjects() > 0) state.put("num_subjects", st.numSubjects());
        if (subjects != null && !subjects.isEmpty()) state.put("subjects", subjects);
        if (st.numDeleted() > 0) {
            if (deletedDetails && st.deleted() != null) state.put("deleted", st.deleted());
            state.put("num_deleted", st.numDeleted());
        }
        state.put("consumer_count", s.consumers().size());
        return state;
    }

    public static Map<String, Object> of(Stream s) {
        return of(s, s.store().state(), null, false);
    }
}
