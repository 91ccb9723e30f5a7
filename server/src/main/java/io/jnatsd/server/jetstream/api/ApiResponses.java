package io.jnatsd.server.jetstream.api;

import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.stream.Advisories;
import io.jnatsd.server.jetstream.stream.JsServer;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers to JetStream API requests, as upstream's sendAPIResponse: the response to the
 * requester, then the {@code api_audit} advisory on {@code $JS.EVENT.ADVISORY.API} in the same
 * account, carrying the request and the response as text (when someone listens).
 */
final class ApiResponses {
    static final String AUDIT_SUBJECT = "$JS.EVENT.ADVISORY.API";

    private ApiResponses() {}

    /** {@code subject} is the request's in the {@code $JS.API.} form. */
    static void send(JsServer js, Account account, String subject, InternalClient.Msg request, Map<String, Object> resp) {
        byte[] body;
        try {
            body = JsJson.JSON.writeValueAsBytes(resp);
        } catch (JsonProcessingException e) {
            js.log().error("JetStream API response could not be written: %s", e.getMessage());
            return;
        }
        js.internal().publish(account, request.reply(), null, null, body);
        audit(js, account, subject, request, body);
    }

    private static void audit(JsServer js, Account account, String subject, InternalClient.Msg request, byte[] response) {
        if (!Advisories.hasInterest(account, AUDIT_SUBJECT)) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "io.nats.jetstream.advisory.v1.api_audit");
        m.put("id", Advisories.id());
        m.put("timestamp", Instant.now().toString());
        m.put("server", js.serverName());
        m.put("client", client(js, account, request));
        m.put("subject", subject);
        byte[] payload = request.payload();
        if (payload != null && payload.length > 0) m.put("request", new String(payload, StandardCharsets.UTF_8));
        m.put("response", new String(response, StandardCharsets.UTF_8));
        if (js.domain() != null && !js.domain().isEmpty()) m.put("domain", js.domain());
        Advisories.publish(js, account, AUDIT_SUBJECT, m);
    }

    /**
     * The requester as upstream describes a client whose request crossed into the system
     * account without sharing details: its account, round-trip time and our server name.
     */
    private static Map<String, Object> client(JsServer js, Account account, InternalClient.Msg request) {
        Map<String, Object> c = new LinkedHashMap<>();
        if (request.publisher() instanceof ClientConnection conn) {
            c.put("acc", conn.account().name());
            long rtt = conn.rttNanos();
            if (rtt > 0) c.put("rtt", rtt);
            else conn.requestRtt(); // known for its next request, as upstream measures it when it lacks one
        } else {
            c.put("acc", account.name());
        }
        c.put("server", js.serverName());
        return c;
    }
}
