package io.jnatsd.server.events;

import static io.jnatsd.server.events.SystemEventsTest.askJson;
import static io.jnatsd.server.events.SystemEventsTest.connect;
import static io.jnatsd.server.events.SystemEventsTest.listen;
import static io.jnatsd.server.events.SystemEventsTest.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.mqtt.MqttFixture;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An MQTT client in the system account's view, as upstream 2.9.10 gives it: {@code CONNECT} and
 * {@code DISCONNECT} events with a {@code Client} of type {@code mqtt} carrying the MQTT client id
 * ({@code client_id}), the account's connection count including it, and /connz (through
 * {@code $SYS.REQ.ACCOUNT.A.CONNZ}) listing it with {@code mqtt_client}.
 */
class MqttSystemEventsTest {
    private static final String ACCOUNTS = """
            accounts {
              SYS: { users: [{user: sys, password: sys}] }
              A: { jetstream: enabled, users: [{user: a, password: a}] }
            }
            system_account: SYS
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anMqttClientIsSeenConnectingAndLeaving(Impl impl) throws Exception {
        Map<String, JsonNode> seen = watch(impl);

        JsonNode connect = seen.get("CONNECT").get("client");
        assertEquals("Client", connect.get("kind").asText());
        assertEquals("mqtt", connect.get("client_type").asText());
        assertEquals("dev42", connect.get("client_id").asText());
        assertEquals("A", connect.get("acc").asText());
        assertEquals("a", connect.get("user").asText());
        assertEquals("127.0.0.1", connect.get("host").asText());
        assertTrue(connect.get("id").asLong() > 0);
        assertTrue(!connect.has("name") && !connect.has("lang") && !connect.has("ver"), connect::toString);

        assertEquals(1, seen.get("CONNS").get("conns").asInt(), "the account counts the MQTT client");
        assertEquals(1, seen.get("CONNS").get("total_conns").asInt());

        JsonNode connz = seen.get("CONNZ").get("data").get("connections");
        assertEquals(1, connz.size(), connz::toString);
        assertEquals("dev42", connz.get(0).get("mqtt_client").asText());

        JsonNode disconnect = seen.get("DISCONNECT");
        assertEquals("mqtt", disconnect.get("client").get("client_type").asText());
        assertEquals("dev42", disconnect.get("client").get("client_id").asText());
        assertEquals(connect.get("id").asLong(), disconnect.get("client").get("id").asLong());
        assertEquals("Client Closed", disconnect.get("reason").asText());
        assertEquals(1, disconnect.get("sent").get("msgs").asInt(), "the one PUBLISH it sent");

        assertEquals(0, seen.get("CONNS after").get("conns").asInt(), "uncounted once gone");
    }

    /**
     * The same events have the same fields on both servers, in the same order; but upstream 2.9.10's
     * {@code jwt}, which holds the MQTT client's password there (it keeps the password as the
     * client's JWT), is not repeated by jnatsd.
     */
    @Test
    void theEventsHaveUpstreamsFields() throws Exception {
        assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        Map<String, JsonNode> upstream = watch(Impl.UPSTREAM);
        Map<String, JsonNode> jnatsd = watch(Impl.JNATSD);
        assertEquals("a", upstream.get("CONNECT").get("client").get("jwt").asText(), "upstream's password in jwt");
        List<String> differences = new ArrayList<>();
        for (String what : List.of("CONNECT", "DISCONNECT", "CONNS")) {
            List<String> up = SystemEventsShapeTest.paths(upstream.get(what));
            up.remove("client.jwt");
            List<String> mine = SystemEventsShapeTest.paths(jnatsd.get(what));
            if (!up.equals(mine)) differences.add(what + ":\n  upstream " + up + "\n  jnatsd   " + mine);
        }
        assertEquals("", String.join("\n", differences));
    }

    /** An account's {@code max_connections} counts its MQTT clients with its NATS ones. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void theAccountsConnectionLimitCountsMqttClients(Impl impl) throws Exception {
        String accounts = ACCOUNTS.replace("A: { jetstream: enabled,", "A: { jetstream: enabled, limits: {max_connections: 1},");
        try (MqttFixture f = new MqttFixture(impl, dir, accounts, "")) {
            MqttClient first = f.client("first", true, "a", "a");
            try {
                // closed without a CONNACK, as upstream
                MqttException refused = assertThrows(MqttException.class, () -> f.client("second", true, "a", "a"));
                assertEquals(MqttException.REASON_CODE_CONNECTION_LOST, refused.getReasonCode(), refused::toString);
                try (RawClient nats = f.server.raw()) {
                    assertEquals("-ERR 'maximum account active connections exceeded'\n<closed>",
                            nats.untilPong("CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\n"));
                }
            } finally {
                first.disconnect();
                first.close();
            }
            MqttClient again = f.client("second", true, "a", "a"); // the place it held is free again
            again.disconnect();
            again.close();
        }
    }

    /** One MQTT client connects to account A, publishes once and disconnects, while a system user watches. */
    private Map<String, JsonNode> watch(Impl impl) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try (MqttFixture f = new MqttFixture(impl, dir, ACCOUNTS, "");
             Connection sys = connect(f.server, "sys", "watcher")) {
            BlockingQueue<JsonNode> connect = listen(sys, "$SYS.ACCOUNT.A.CONNECT");
            BlockingQueue<JsonNode> disconnect = listen(sys, "$SYS.ACCOUNT.A.DISCONNECT");
            BlockingQueue<JsonNode> conns = listen(sys, "$SYS.ACCOUNT.A.SERVER.CONNS");
            MqttClient c = f.client("dev42", true, "a", "a");
            try {
                c.publish("x/y", "hi".getBytes(StandardCharsets.UTF_8), 1, false);
                out.put("CONNECT", next(connect));
                out.put("CONNS", countReaching(conns, 1));
                out.put("CONNZ", askJson(sys, "$SYS.REQ.ACCOUNT.A.CONNZ", null));
                c.disconnect();
            } finally {
                if (c.isConnected()) c.disconnectForcibly(1000);
                c.close();
            }
            out.put("DISCONNECT", next(disconnect));
            out.put("CONNS after", countReaching(conns, 0));
        }
        return out;
    }

    /**
     * The first account count of {@code conns} connections: a count sent earlier may still say
     * otherwise (upstream sends several as the MQTT client and its JetStream plumbing come and go).
     */
    private static JsonNode countReaching(BlockingQueue<JsonNode> q, int conns) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            JsonNode n = q.poll(100, TimeUnit.MILLISECONDS);
            if (n == null) continue;
            last = n;
            if (n.get("conns").asInt() == conns) return n;
        }
        throw new AssertionError("no account count of " + conns + "; last " + last);
    }
}
