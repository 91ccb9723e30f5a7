package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.Outbox;

import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.protocol.subject.Subjects;
import java.nio.charset.StandardCharsets;

/**
 * A stream's {@code republish {src, dest, headers_only}}: once a message is stored, a copy goes
 * to the transformed subject with {@code Nats-Stream}, {@code Nats-Subject},
 * {@code Nats-Sequence}, {@code Nats-Time-Stamp} and {@code Nats-Last-Sequence} (the previous
 * message on the same subject, 0 if none) added to its headers; with {@code headers_only} the
 * body is left out and {@code Nats-Msg-Size} tells its length.
 */
final class Republisher {
    private final SubjectTransform transform;
    private final boolean headersOnly;

    private Republisher(SubjectTransform transform, boolean headersOnly) {
        this.transform = transform;
        this.headersOnly = headersOnly;
    }

    /** The republisher for a (validated) config, or null when it has none. */
    static Republisher of(StreamConfig c) {
        if (c.republish == null || c.republish.dest == null || c.republish.dest.isEmpty()) return null;
        String src = c.republish.src == null || c.republish.src.isEmpty() ? ">" : c.republish.src;
        return new Republisher(SubjectTransform.create(src, c.republish.dest), c.republish.headersOnly);
    }

    /** Upstream's checks of a republish directive (after the subjects are normalised); null when fine. */
    static ApiError checkConfig(StreamConfig c) {
        StreamConfig.RePublish rp = c.republish;
        if (rp == null) return null;
        if (rp.dest == null || rp.dest.isEmpty()) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "stream configuration for republish destination not valid");
        }
        if (rp.src == null || rp.src.isEmpty()) rp.src = ">";
        // '>' to '>' with a transform of the stream's only subject republishes under the transformed subject
        if (rp.dest.equals(">") && rp.src.equals(">") && c.subjectTransform != null && c.subjects.size() == 1
                && c.subjects.get(0).equals(c.subjectTransform.src)) {
            rp.src = c.subjectTransform.dest;
            rp.dest = c.subjectTransform.dest;
        }
        for (String subject : c.subjects) {
            if (Subjects.subjectsCollide(rp.dest, subject)) {
                return ApiErrors.of("JSStreamInvalidConfigF", "err", "stream configuration for republish destination forms a cycle");
            }
        }
        try {
            SubjectTransform.create(rp.src, rp.dest);
        } catch (IllegalArgumentException e) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "stream configuration for republish with transform from '"
                    + rp.src + "' to '" + rp.dest + "' not valid");
        }
        return null;
    }

    /** The subject a stored message on {@code subject} is republished to, or null when it is not. */
    String destination(String subject) {
        String to = transform.match(subject);
        return to == null || !Subjects.isValidPublishSubject(to) ? null : to;
    }

    /** Queues the copy of a stored message for {@code to}. */
    void add(Outbox out, String to, String stream, String subject, byte[] headers, byte[] payload, long seq,
             long timestampNanos, long lastSeqOfSubject) {
        StringBuilder h = new StringBuilder(160);
        if (headers == null || headers.length == 0) {
            h.append("NATS/1.0\r\n");
        } else {
            String orig = new String(headers, StandardCharsets.UTF_8);
            h.append(orig.endsWith("\r\n\r\n") ? orig.substring(0, orig.length() - 2) : orig);
        }
        h.append("Nats-Stream: ").append(stream).append("\r\n");
        h.append("Nats-Subject: ").append(subject).append("\r\n");
        h.append("Nats-Sequence: ").append(seq).append("\r\n");
        h.append("Nats-Time-Stamp: ").append(GoTime.rfc3339Nano(timestampNanos)).append("\r\n");
        h.append("Nats-Last-Sequence: ").append(lastSeqOfSubject).append("\r\n");
        if (headersOnly) h.append("Nats-Msg-Size: ").append(payload.length).append("\r\n");
        h.append("\r\n");
        out.add(to, h.toString().getBytes(StandardCharsets.UTF_8), headersOnly ? null : payload);
    }
}
