package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.core.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MQTT's way into JetStream: requests to the JetStream API ({@code $JS.API.>}, or a domain's) and stores into
 * streams, as ordinary messages of an internal client in the account, with replies on upstream's
 * {@code $MQTT.JSA.<server hash>.<kind>.<n>} subjects. Callers block (never an event loop: MQTT packets are
 * processed on each connection's own virtual thread), up to upstream's 4 s.
 */
final class JsApi {
    /** Records written by other servers (newer upstreams) may carry fields this one does not know. */
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final long TIMEOUT_MILLIS = 4000;

    /** An error answer of the JetStream API (its err_code) or no answer in time (err_code 0). */
    static final class JsException extends Exception {
        final int errCode;

        JsException(int errCode, String message) {
            super(message, null, false, false);
            this.errCode = errCode;
        }
    }

    // Upstream's err_code values that callers tell apart.
    static final int STREAM_NOT_FOUND = 10059;
    static final int CONSUMER_NOT_FOUND = 10014;
    static final int NO_MESSAGE_FOUND = 10037;

    private final Account account;
    private final InternalClient client;
    private final String replyPrefix;
    private final String apiPrefix;
    private final Map<String, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Subscription replies;

    JsApi(Account account, String serverHash, String domain) {
        this.account = account;
        this.client = new InternalClient("mqtt", ConnectionKind.SYSTEM, Runnable::run);
        this.replyPrefix = "$MQTT.JSA." + serverHash + ".";
        this.apiPrefix = domain == null || domain.isEmpty() ? "$JS.API." : "$JS." + domain + ".API.";
        this.replies = client.subscribe(account, replyPrefix + "*.*", null, (sub, msg) -> {
            CompletableFuture<byte[]> f = pending.remove(msg.subject());
            if (f != null) f.complete(msg.payload());
        });
    }

    InternalClient client() {
        return client;
    }

    Account account() {
        return account;
    }

    void close() {
        client.unsubscribe(account, replies);
    }

    /** An API request ({@code api} after the prefix, e.g. {@code STREAM.INFO.x}); returns the answer, errors thrown. */
    JsonNode api(String kind, String api, Object body) throws JsException {
        byte[] payload;
        try {
            payload = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return request(kind, apiPrefix + api, null, payload);
    }

    /** Stores a message into whichever stream holds {@code subject}; returns the stream sequence. */
    long store(String kind, String subject, byte[] headers, byte[] payload) throws JsException {
        return request(kind, subject, headers, payload).path("seq").asLong();
    }

    /** Publishes without waiting for an answer (acks). */
    void publish(String subject, byte[] payload) {
        client.publish(account, subject, null, null, payload);
    }

    private JsonNode request(String kind, String subject, byte[] headers, byte[] payload) throws JsException {
        String reply = replyPrefix + kind + "." + ids.incrementAndGet();
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        pending.put(reply, f);
        byte[] answer;
        try {
            int n = client.publish(account, subject, reply, headers, payload);
            if (n == 0) throw new JsException(503, "no responders for " + subject);
            answer = f.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new JsException(0, "timeout for request type \"" + kind + "\" on \"" + subject + "\"");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JsException(0, "interrupted");
        } catch (ExecutionException e) {
            throw new JsException(0, String.valueOf(e.getCause()));
        } finally {
            pending.remove(reply);
        }
        JsonNode node;
        try {
            node = JSON.readTree(answer);
        } catch (IOException e) {
            throw new JsException(0, "invalid answer: " + new String(answer, StandardCharsets.UTF_8));
        }
        JsonNode err = node.get("error");
        if (err != null) throw new JsException(err.path("err_code").asInt(), err.path("description").asText());
        return node;
    }
}
