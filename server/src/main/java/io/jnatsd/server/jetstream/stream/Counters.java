package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.JsHeaders;
import io.jnatsd.server.jetstream.common.JsJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.store.StoredMessage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counter streams (2.12, ADR-49, {@code allow_msg_counter}): every subject is an
 * arbitrary-precision counter. A publish carries the increment in {@code Nats-Incr} and no
 * payload; the leader adds it to the subject's last value and the entry carries the new total as
 * the payload {@code {"val":"N"}}, so applying it needs no read. A message sourced from another
 * counter stream carries that stream's total: the difference from the total last seen from that
 * origin and subject is what is added, and {@code Nats-Counter-Sources} keeps the totals seen.
 */
final class Counters {
    static final String INCR = "Nats-Incr";
    static final String SOURCES = "Nats-Counter-Sources";

    private Counters() {}

    /** What the leader decided: the entry to append and the total for the ack, or why it refused. */
    record Decision(StreamEntry entry, String value, ApiError error) {
        static Decision refuse(ApiError e) {
            return new Decision(null, null, e);
        }
    }

    /** The increment in {@code Nats-Incr}; null when absent or empty. */
    static BigInteger increment(JsHeaders h) {
        String v = h.incr();
        if (v == null || v.isEmpty()) return null;
        return new BigInteger(v); // NumberFormatException: not a base-10 integer
    }

    /**
     * upstream's first checks of a published (not sourced) message's {@code Nats-Incr}, on any
     * stream: a valid integer, a counter stream, no payload, and none of the headers an increment
     * cannot honour (roll-ups and the {@code Nats-Expected-*} family). Null when it passes.
     */
    static ApiError checkPublished(StreamConfig c, StreamEntry e, JsHeaders h) {
        BigInteger incr;
        try {
            incr = increment(h);
        } catch (NumberFormatException bad) {
            return ApiErrors.of("JSMessageIncrInvalidErr");
        }
        if (incr == null) return null;
        if (!c.allowMsgCounter) return ApiErrors.of("JSMessageIncrDisabledErr");
        if (e.payload().length > 0) return ApiErrors.of("JSMessageIncrPayloadErr");
        if (h.rollup() != null || h.expectedStream() != null || h.expectedLastMsgId() != null
                || h.expectedLastSubjectSequenceSubject() != null || h.expectedLastSequence() != null
                || h.expectedLastSubjectSequence() != null) {
            return ApiErrors.of("JSMessageIncrInvalidErr");
        }
        return null;
    }

    /**
     * The counter entry for {@code e} on a counter stream whose last message on the subject is
     * {@code last} (null: the counter starts at 0). {@code maxPayload} is the server's limit on
     * the new headers and payload together.
     */
    static Decision decide(StreamEntry e, StoredMessage last, long maxPayload) {
        return last == null ? decide(e, null, null, maxPayload) : decide(e, last.headers(), last.payload(), maxPayload);
    }

    /** As {@link #decide(StreamEntry, StoredMessage, long)} after a last message with these headers and payload (null: none). */
    static Decision decide(StreamEntry e, byte[] lastHeaders, byte[] lastPayload, long maxPayload) {
        BigInteger incr;
        try {
            incr = increment(e.expected());
        } catch (NumberFormatException bad) {
            return Decision.refuse(ApiErrors.of("JSMessageIncrInvalidErr"));
        }
        if (incr == null) return Decision.refuse(ApiErrors.of("JSMessageIncrMissingErr"));
        BigInteger total = BigInteger.ZERO;
        Map<String, Map<String, String>> sources = new TreeMap<>();
        if (lastPayload != null) {
            BigInteger previous = value(lastPayload);
            if (previous == null || !readSources(lastHeaders, sources)) return broken();
            total = previous;
        }
        byte[] headers = e.headers();
        String sourceHeader = Headers.get(headers, "Nats-Stream-Source");
        if (sourceHeader != null) {
            // the origin's own total came with the message: add what changed since the last one seen
            String[] fields = sourceHeader.split(" ");
            String origin = fields[0];
            String originSubject = fields.length >= 5 ? fields[4] : e.subject();
            BigInteger sourced = value(e.payload());
            if (sourced == null) return broken();
            Map<String, String> bySubject = sources.computeIfAbsent(origin, k -> new TreeMap<>());
            String seen = bySubject.put(originSubject, sourced.toString());
            incr = sourced.subtract(parseOrZero(seen));
            headers = Headers.set(headers, INCR, incr.toString());
        }
        total = total.add(incr);
        byte[] payload = ("{\"val\":\"" + total + "\"}").getBytes(StandardCharsets.US_ASCII);
        if (!sources.isEmpty()) {
            try {
                headers = Headers.set(headers, SOURCES, JsJson.JSON.writeValueAsString(sources));
            } catch (JsonProcessingException ex) {
                return broken();
            }
        }
        long headerLength = headers == null ? 0 : headers.length;
        if (headerLength > maxPayload || payload.length > maxPayload - headerLength) {
            return Decision.refuse(ApiErrors.of("JSStreamMessageExceedsMaximumErr"));
        }
        return new Decision(e.withHeadersAndPayload(headers, payload), total.toString(), null);
    }

    private static Decision broken() {
        return Decision.refuse(ApiErrors.of("JSMessageCounterBrokenErr"));
    }

    /** The total in a counter payload {@code {"val":"N"}}; null when it is not one (a missing val counts 0). */
    private static BigInteger value(byte[] payload) {
        try {
            JsonNode n = JsJson.JSON.readTree(payload);
            if (n != null && n.isNull()) return BigInteger.ZERO; // Go leaves the struct as it was
            if (n == null || !n.isObject()) return null;
            JsonNode v = n.get("val");
            if (v == null || v.isNull()) return BigInteger.ZERO;
            if (!v.isTextual()) return null;
            return parseOrZero(v.textValue());
        } catch (IOException e) {
            return null;
        }
    }

    /** Go's SetString into a zero value: what does not parse leaves 0. */
    private static BigInteger parseOrZero(String s) {
        if (s == null) return BigInteger.ZERO;
        try {
            return new BigInteger(s);
        } catch (NumberFormatException e) {
            return BigInteger.ZERO;
        }
    }

    /** Reads {@code Nats-Counter-Sources} of the last message into {@code into}; false when it is not valid JSON of that shape. */
    private static boolean readSources(byte[] headers, Map<String, Map<String, String>> into) {
        String json = Headers.get(headers, SOURCES);
        if (json == null || json.isEmpty()) return true;
        try {
            JsonNode n = JsJson.JSON.readTree(json);
            if (n == null || n.isNull()) return true;
            if (!n.isObject()) return false;
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> origin = it.next();
                if (origin.getValue().isNull()) continue;
                if (!origin.getValue().isObject()) return false;
                Map<String, String> bySubject = into.computeIfAbsent(origin.getKey(), k -> new TreeMap<>());
                for (Iterator<Map.Entry<String, JsonNode>> s = origin.getValue().fields(); s.hasNext(); ) {
                    Map.Entry<String, JsonNode> v = s.next();
                    if (!v.getValue().isTextual()) return false;
                    bySubject.put(v.getKey(), v.getValue().textValue());
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
