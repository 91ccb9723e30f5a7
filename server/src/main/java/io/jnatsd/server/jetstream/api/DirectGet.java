package io.jnatsd.server.jetstream.api;

import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.core.Account;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamState;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code $JS.API.DIRECT.GET.<stream>[.<subject>]}: messages answered as themselves, with
 * {@code Nats-Stream}, {@code Nats-Subject}, {@code Nats-Sequence} and {@code Nats-Time-Stamp}
 * headers, or a status ({@code 404 Message Not Found}, {@code 408 ...}). Batches
 * ({@code batch}, {@code max_bytes}, {@code start_time}, {@code next_by_subj}) and
 * {@code multi_last} (with {@code up_to_seq}/{@code up_to_time}) add {@code Nats-Num-Pending}
 * and {@code Nats-Last-Sequence} to each message and end with a {@code 204 EOB} status, as
 * upstream 2.11 does.
 */
final class DirectGet {
    private static final int MAX_MULTI_RESULTS = 1024;

    private final JsServer js;

    DirectGet(JsServer js) {
        this.js = js;
    }

    /** A parsed request; zero/null fields are unset. */
    private record Request(long seq, String lastFor, String nextFor, int batch, int maxBytes, Long startTime,
                           List<String> multiLast, long upToSeq, Long upToTime, boolean noHeaders) {}

    /** Serves a request for stream {@code s} ({@code subjectKey} is the subject of the by-subject form, or null). */
    void handle(Account account, Stream s, String subjectKey, byte[] body, String reply) {
        Request req;
        if (subjectKey != null) {
            JsonNode n = null;
            if (body.length > 0) {
                try {
                    n = JsJson.JSON.readTree(body);
                } catch (IOException e) {
                    status(account, reply, "408 Malformed Request");
                    return;
                }
            }
            if (n != null && (has(n, "last_by_subj") || has(n, "next_by_subj") || has(n, "multi_last") || n.path("seq").asLong(0) != 0
                    || n.path("batch").asInt(0) != 0 || has(n, "start_time") || n.path("up_to_seq").asLong(0) != 0 || has(n, "up_to_time"))) {
                status(account, reply, "408 Bad Request");
                return;
            }
            req = new Request(0, subjectKey, null, 0, 0, null, List.of(), 0, null, n != null && n.path("no_hdr").asBoolean(false));
        } else {
            if (body.length == 0) {
                status(account, reply, "408 Empty Request");
                return;
            }
            try {
                req = parse(JsJson.JSON.readTree(body));
            } catch (IOException | RuntimeException e) {
                status(account, reply, "408 Malformed Request");
                return;
            }
            if (req.seq == 0 && req.lastFor == null && req.nextFor == null && req.multiLast.isEmpty() && req.startTime == null) {
                status(account, reply, "408 Empty Request");
                return;
            }
            if ((req.seq > 0 && req.lastFor != null) || (req.seq > 0 && req.startTime != null)
                    || (req.startTime != null && req.lastFor != null) || (req.lastFor != null && req.nextFor != null)
                    || (req.lastFor != null && req.batch > 0) || (req.lastFor != null && !req.multiLast.isEmpty())
                    || (req.nextFor != null && !req.multiLast.isEmpty()) || (req.upToSeq > 0 && req.upToTime != null)) {
                status(account, reply, "408 Bad Request");
                return;
            }
        }
        if (!req.multiLast.isEmpty()) multi(account, s, req, reply);
        else single(account, s, req, reply);
    }

    private static boolean has(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty()) && !(v.isArray() && v.isEmpty());
    }

    private static Request parse(JsonNode n) {
        List<String> multi = new ArrayList<>();
        if (n.path("multi_last").isArray()) for (JsonNode f : n.path("multi_last")) multi.add(f.asText());
        return new Request(n.path("seq").asLong(0), text(n, "last_by_subj"), text(n, "next_by_subj"), n.path("batch").asInt(0),
                n.path("max_bytes").asInt(0), time(n, "start_time"), multi, n.path("up_to_seq").asLong(0), time(n, "up_to_time"),
                n.path("no_hdr").asBoolean(false));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    private static Long time(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : GoTime.parse(t);
    }

    private int maxBytes(Request req) {
        return req.maxBytes > 0 ? req.maxBytes : (int) Math.min(Integer.MAX_VALUE, js.maxPending());
    }

    private void single(Account account, Stream s, Request req, String reply) {
        StreamStore store = s.store();
        long seq = req.startTime != null ? Stream.seqForTime(store, req.startTime) : req.seq;
        boolean isBatch = req.batch > 0;
        int batch = isBatch ? req.batch : 1;
        long pending = 0;
        long validThrough = 0;
        if (isBatch) {
            validThrough = store.state().lastSeq();
            pending = store.numPending(seq, req.nextFor, false);
        }
        int mb = maxBytes(req);
        long sent = 0;
        long lastSent = 0;
        for (int i = 0; i < batch; i++) {
            StoredMessage m;
            if (seq > 0 && req.nextFor == null) {
                m = i == 0 && !isBatch ? store.load(seq) : store.loadNext(null, seq);
                if (m != null) seq = m.seq();
                seq++;
            } else if (req.nextFor != null) {
                m = store.loadNext(req.nextFor, seq);
                if (m != null) seq = m.seq();
                seq++;
            } else {
                m = store.loadLast(req.lastFor);
            }
            if (m == null) {
                if (batch > 1 && i > 0) break;
                status(account, reply, "404 Message Not Found");
                return;
            }
            byte[] h = null;
            if (!req.noHeaders) {
                if (isBatch && pending > 0) pending--;
                h = headers(s.name(), m, isBatch, pending, lastSent);
            }
            lastSent = m.seq();
            js.internal().publish(account, reply, null, h, m.payload());
            sent += m.subject().length() + (m.headers() == null ? 0 : m.headers().length) + m.payload().length;
            if (sent >= mb) break;
        }
        if (isBatch) {
            if (store.state().lastSeq() > validThrough) pending = store.numPending(seq, req.nextFor, false);
            status(account, reply, "204 EOB\r\nNats-Num-Pending: " + pending + "\r\nNats-Last-Sequence: " + lastSent);
        }
    }

    private void multi(Account account, Stream s, Request req, String reply) {
        StreamStore store = s.store();
        StreamState st = store.state();
        long upTo = req.upToSeq;
        if (req.upToTime != null) {
            upTo = Stream.seqForTime(store, req.upToTime);
            if (upTo <= st.firstSeq()) {
                status(account, reply, "404 No Results");
                return;
            }
            upTo--;
        }
        if (upTo == 0) upTo = st.lastSeq();
        TreeSet<Long> seqs = new TreeSet<>();
        for (String filter : req.multiLast) {
            Map<String, Long> subjects = store.subjectsState(filter);
            for (String subject : subjects.keySet()) {
                StoredMessage last = store.loadPrev(subject, upTo);
                if (last != null) seqs.add(last.seq());
                if (seqs.size() > MAX_MULTI_RESULTS) {
                    status(account, reply, "413 Too Many Results");
                    return;
                }
            }
        }
        if (seqs.isEmpty()) {
            status(account, reply, "404 No Results");
            return;
        }
        int mb = maxBytes(req);
        long pending = seqs.size();
        long lastSent = 0;
        long bytes = 0;
        int sent = 0;
        for (long seq : seqs) {
            if (pending > 0) pending--;
            if (seq < req.seq) continue;
            StoredMessage m = store.load(seq);
            if (m == null) {
                status(account, reply, "404 Message Not Found");
                return;
            }
            js.internal().publish(account, reply, null, headers(s.name(), m, true, pending, lastSent), m.payload());
            lastSent = m.seq();
            bytes += m.subject().length() + (m.headers() == null ? 0 : m.headers().length) + m.payload().length;
            sent++;
            if (bytes >= mb || (req.batch > 0 && sent >= req.batch)) break;
        }
        status(account, reply, "204 EOB\r\nNats-Num-Pending: " + pending + "\r\nNats-Last-Sequence: " + lastSent
                + "\r\nNats-UpTo-Sequence: " + upTo);
    }

    /** The message's own headers followed by the direct-get ones. */
    static byte[] headers(String stream, StoredMessage m, boolean batch, long pending, long lastSeq) {
        StringBuilder h = new StringBuilder(160);
        if (m.headers() == null || m.headers().length == 0) {
            h.append("NATS/1.0\r\n");
        } else {
            String orig = new String(m.headers(), StandardCharsets.UTF_8);
            h.append(orig.endsWith("\r\n\r\n") ? orig.substring(0, orig.length() - 2) : orig);
        }
        h.append("Nats-Stream: ").append(stream).append("\r\n");
        h.append("Nats-Subject: ").append(m.subject()).append("\r\n");
        h.append("Nats-Sequence: ").append(m.seq()).append("\r\n");
        h.append("Nats-Time-Stamp: ").append(GoTime.rfc3339Nano(m.timestampNanos())).append("\r\n");
        if (batch) {
            h.append("Nats-Num-Pending: ").append(pending).append("\r\n");
            h.append("Nats-Last-Sequence: ").append(lastSeq).append("\r\n");
        }
        return h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private void status(Account account, String reply, String status) {
        js.internal().publish(account, reply, null, ("NATS/1.0 " + status + "\r\n\r\n").getBytes(StandardCharsets.UTF_8), new byte[0]);
    }
}
