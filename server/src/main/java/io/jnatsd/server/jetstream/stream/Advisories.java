package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.JsJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jnatsd.server.core.Account;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** JetStream advisories ({@code $JS.EVENT.ADVISORY.>}), published in the account they concern. */
public final class Advisories {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Advisories() {}

    /** A 22-character random id, like upstream's nuid. */
    public static String id() {
        return random(22);
    }

    public static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    /** Consumer created / deleted: {@code io.nats.jetstream.advisory.v1.consumer_action}. */
    public static void consumerAction(JsServer js, Account account, String stream, String consumer, String action) {
        consumerEvent(js, account, stream, consumer, action.equals("create") ? "CREATED" : "DELETED", "consumer_action",
                "action", action);
    }

    /**
     * A consumer event, {@code $JS.EVENT.ADVISORY.CONSUMER.<kind>.<stream>.<consumer>} of type
     * {@code io.nats.jetstream.advisory.v1.<type>}, with the given fields after stream and consumer.
     */
    public static void consumerEvent(JsServer js, Account account, String stream, String consumer, String kind, String type,
                              Object... fields) {
        String subject = "$JS.EVENT.ADVISORY.CONSUMER." + kind + "." + stream + "." + consumer;
        if (!hasInterest(account, subject)) return;
        publish(js, account, subject, consumerBody(js, "io.nats.jetstream.advisory.v1." + type, stream, consumer, fields));
    }

    /** A sampled ack ({@code sample_freq}): {@code io.nats.jetstream.metric.v1.consumer_ack}, ack_time in ns. */
    public static void ackMetric(JsServer js, Account account, String stream, String consumer, long consumerSeq, long streamSeq,
                          long ackTimeNanos, long deliveries) {
        String subject = "$JS.EVENT.METRIC.CONSUMER.ACK." + stream + "." + consumer;
        if (!hasInterest(account, subject)) return;
        publish(js, account, subject, consumerBody(js, "io.nats.jetstream.metric.v1.consumer_ack", stream, consumer,
                "consumer_seq", consumerSeq, "stream_seq", streamSeq, "ack_time", ackTimeNanos, "deliveries", deliveries));
    }

    /** type, id, timestamp, stream, consumer, then {@code fields} (name, value, ...), then the domain if any. */
    private static Map<String, Object> consumerBody(JsServer js, String type, String stream, String consumer, Object... fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("id", id());
        m.put("timestamp", Instant.now().toString());
        m.put("stream", stream);
        m.put("consumer", consumer);
        for (int i = 0; i + 1 < fields.length; i += 2) m.put((String) fields[i], fields[i + 1]);
        if (js.domain() != null && !js.domain().isEmpty()) m.put("domain", js.domain());
        return m;
    }

    /** As upstream: nobody listening, nothing encoded or sent. */
    public static boolean hasInterest(Account account, String subject) {
        return !account.subscriptions().match(subject).isEmpty();
    }

    public static void publish(JsServer js, Account account, String subject, Map<String, Object> body) {
        if (!hasInterest(account, subject)) return;
        try {
            js.internal().publish(account, subject, null, null, JsJson.JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            js.log().warn("JetStream advisory could not be written: %s", e.getMessage());
        }
    }
}
