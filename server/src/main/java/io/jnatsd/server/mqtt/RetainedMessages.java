package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.jnatsd.protocol.subject.Subjects;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One account's retained messages: the newest per subject, kept in memory for matching against new
 * subscriptions and stored, one record each, in the {@code $MQTT_rmsgs} stream (upstream's record layout, so a
 * store written by either server reads in the other). An older record is deleted from the stream when a newer one
 * replaces it.
 */
final class RetainedMessages {
    /**
     * The stream record, as upstream's mqttRetainedMsg marshals it ({@code msg} is base64, as Go writes []byte);
     * {@code hdrs} (jnatsd's, ignored by upstream) keeps an MQTT 5 publisher's properties as NATS headers.
     */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    record Record(@JsonProperty("origin") String origin, @JsonProperty("subject") String subject,
                  @JsonProperty("topic") String topic, @JsonProperty("msg") byte[] msg,
                  @JsonProperty("flags") int flags, @JsonProperty("source") String source,
                  @JsonProperty("hdrs") byte[] headers) {
        int qos() {
            return (flags & 0x06) >> 1;
        }
    }

    /** A retained message and its stream sequence. */
    record Retained(long seq, Record record) {}

    private final Map<String, Retained> bySubject = new HashMap<>();

    /**
     * Records {@code r} at {@code seq} unless a newer one is held; returns the sequence of the record it
     * replaced (to delete from the stream), or 0.
     */
    synchronized long put(long seq, Record r) {
        Retained old = bySubject.get(r.subject());
        if (old != null && old.seq() >= seq) return old.seq() == seq ? 0 : seq; // a late copy of an older record
        bySubject.put(r.subject(), new Retained(seq, r));
        return old == null ? 0 : old.seq();
    }

    /** Forgets the subject's retained message; returns its sequence to delete, or 0. */
    synchronized long remove(String subject) {
        Retained old = bySubject.remove(subject);
        return old == null ? 0 : old.seq();
    }

    /** Every retained message whose subject {@code filter} (a NATS subject, wildcards allowed) matches. */
    synchronized List<Retained> matching(String filter) {
        List<Retained> out = new ArrayList<>();
        for (Map.Entry<String, Retained> e : bySubject.entrySet()) {
            if (Subjects.subjectMatchesFilter(e.getKey(), filter)) out.add(e.getValue());
        }
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return out;
    }

    synchronized int size() {
        return bySubject.size();
    }
}
