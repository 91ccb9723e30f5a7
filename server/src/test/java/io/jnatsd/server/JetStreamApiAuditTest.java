package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The api_audit advisory every JetStream API request publishes on $JS.EVENT.ADVISORY.API, with
 * the same fields from jnatsd and upstream 2.9.10.
 */
class JetStreamApiAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS =
            Set.of("type", "id", "timestamp", "server", "client", "subject", "request", "response");
    /** A client's request crosses into upstream's system account without sharing its details. */
    private static final Set<String> CLIENT_FIELDS = Set.of("acc", "rtt", "server");

    @TempDir
    Path dir;

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    /** Sends a request, checks its audit against what was sent and answered. */
    private static void requestAndAudit(Connection c, Subscription audits, String subject, String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        Message reply = c.request(subject, b, Duration.ofSeconds(3));
        assertNotNull(reply, "an answer to " + subject);
        Message m = audits.nextMessage(Duration.ofSeconds(3));
        assertNotNull(m, "an audit of " + subject);
        JsonNode a = JSON.readTree(m.getData());
        Set<String> expected = new TreeSet<>(FIELDS);
        if (body.isEmpty()) expected.remove("request"); // left out when empty
        assertEquals(expected, keys(a), subject);
        assertEquals(CLIENT_FIELDS, keys(a.get("client")), subject);
        assertEquals("io.nats.jetstream.advisory.v1.api_audit", a.get("type").asText());
        String server = c.getServerInfo().getServerName();
        assertEquals(server, a.get("server").asText());
        assertEquals(server, a.get("client").get("server").asText());
        assertEquals("$G", a.get("client").get("acc").asText());
        assertTrue(a.get("client").get("rtt").asLong() > 0);
        assertEquals(subject, a.get("subject").asText());
        if (!body.isEmpty()) assertEquals(body, a.get("request").asText());
        assertEquals(new String(reply.getData(), StandardCharsets.UTF_8), a.get("response").asText(),
                "the response exactly as sent");
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void everyApiRequestIsAudited(Impl impl) throws Exception {
        try (TestServer s = TestServer.startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            Subscription audits = c.subscribe("$JS.EVENT.ADVISORY.API");
            c.flush(Duration.ofSeconds(1));
            // Bounded wait until the server knows the client's RTT, which the audit reports: upstream
            // measures it early, jnatsd on the first audit that lacks it.
            JsonNode client = null;
            for (int i = 0; i < 50 && (client == null || !client.has("rtt")); i++) {
                c.request("$JS.API.INFO", new byte[0], Duration.ofSeconds(2));
                client = JSON.readTree(audits.nextMessage(Duration.ofSeconds(2)).getData()).get("client");
            }
            assertTrue(client.has("rtt"));

            requestAndAudit(c, audits, "$JS.API.STREAM.CREATE.AU", "{\"name\":\"AU\",\"subjects\":[\"au\"]}");
            requestAndAudit(c, audits, "$JS.API.STREAM.INFO.NOPE", "");
            requestAndAudit(c, audits, "$JS.API.CONSUMER.CREATE.AU.d",
                    "{\"stream_name\":\"AU\",\"config\":{\"durable_name\":\"d\",\"ack_policy\":\"explicit\"}}");
            requestAndAudit(c, audits, "$JS.API.CONSUMER.INFO.AU.d", "");
            requestAndAudit(c, audits, "$JS.API.CONSUMER.NAMES.AU", "{\"offset\":0}");
            requestAndAudit(c, audits, "$JS.API.STREAM.DELETE.AU", "");
            assertNull(audits.nextMessage(Duration.ofMillis(200)), "one audit per request");
        }
    }
}
