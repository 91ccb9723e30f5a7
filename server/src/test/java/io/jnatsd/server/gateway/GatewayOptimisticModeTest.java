package io.jnatsd.server.gateway;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.ChildJnatsd;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.SuperCluster;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optimistic mode upstream keeps for peers that do not switch every account at once (a
 * server before 2.9, or upstream's test switch; here {@code -Djnatsd.gateway.optimistic=true}
 * on cluster B, a separate jnatsd process). Cluster A (jnatsd) then sends B everything, B
 * answers what it does not want with A- (an account without subscriptions) or RS- (a subject),
 * a new subscription undoes it (A+, RS+), and after 1000 RS- the account switches to
 * interest-only mode, after which only B's subscriptions draw messages.
 */
class GatewayOptimisticModeTest {
    @Test
    void noInterestIsLearntThenUndoneThenTheAccountSwitchesToInterestOnly() throws Exception {
        Path dir = Files.createTempDirectory("jnatsd-gw-optimistic");
        int gwA = TestServer.freePort();
        int gwB = TestServer.freePort();
        int clientB = TestServer.freePort();
        int httpB = TestServer.freePort();
        Path confB = dir.resolve("b.conf");
        Files.writeString(confB, "server_name: B0\nhttp: \"127.0.0.1:" + httpB + "\"\ngateway { name: B, listen: \"127.0.0.1:"
                + gwB + "\" }\n");
        try (ChildJnatsd b = ChildJnatsd.start(clientB, dir.resolve("b.log"), List.of("-Djnatsd.gateway.optimistic=true"),
                     List.of("-c", confB.toString()));
             TestServer a = TestServer.startMonitored(Impl.JNATSD, "server_name: A0\ngateway { name: A, listen: \"127.0.0.1:"
                     + gwA + "\", gateways: [ {name: B, url: \"nats://127.0.0.1:" + gwB + "\"} ] }\n", null);
             Connection pub = io.nats.client.Nats.connect(a.url());
             Connection sub = b.connect()) {
            MonitorHttp ma = new MonitorHttp(a);
            ma.await("/gatewayz", g -> g.path("outbound_gateways").has("B"));

            // B wants nothing of it: RS- (or A-, when B's account has no subscription at all), then it stays here.
            pub.publish("opt.first", bytes("x"));
            pub.flush(Duration.ofSeconds(2));
            ma.await("/gatewayz?accs=1", g -> account(g, "$G") != null);
            long sent = outMsgs(ma);
            for (int n = 0; n < 10; n++) pub.publish("opt.first", bytes("x"));
            pub.flush(Duration.ofSeconds(2));
            assertEquals(sent, outMsgs(ma), "what B said it does not want no longer crosses");

            // A subscription in B undoes it (RS+ or A+): messages cross again.
            Subscription wanted = sub.subscribe("opt.first");
            sub.flush(Duration.ofSeconds(2));
            SuperCluster.awaitInterest(Duration.ofSeconds(10), pub, sub);
            pub.publish("opt.first", bytes("y"));
            pub.flush(Duration.ofSeconds(2));
            assertNotNull(wanted.nextMessage(Duration.ofSeconds(5)));

            // Subjects B does not want: RS- each, counted on A's side while the account is optimistic.
            for (int n = 0; n < 20; n++) pub.publish("opt.none." + n, bytes("z"));
            pub.flush(Duration.ofSeconds(2));
            JsonNode g = ma.await("/gatewayz?accs=1", j -> account(j, "$G") != null
                    && account(j, "$G").path("no_interest_count").asInt() >= 20);
            assertEquals("Optimistic", account(g, "$G").get("interest_mode").asText());

            // A subscription on one of them: RS+ clears it, and it crosses again.
            Subscription again = sub.subscribe("opt.none.3");
            sub.flush(Duration.ofSeconds(2));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            io.nats.client.Message m = null;
            while (m == null && System.nanoTime() < deadline) {
                pub.publish("opt.none.3", bytes("back"));
                pub.flush(Duration.ofSeconds(2));
                m = again.nextMessage(Duration.ofMillis(100));
            }
            assertNotNull(m, "RS+ undid the RS-");

            // A thousand subjects nobody in B wants: B switches the account to interest-only mode.
            for (int n = 0; n < 1100; n++) pub.publish("opt.many." + n, bytes("w"));
            pub.flush(Duration.ofSeconds(2));
            g = ma.await("/gatewayz?accs=1", j -> account(j, "$G") != null
                    && "Interest-Only".equals(account(j, "$G").path("interest_mode").asText()));
            assertTrue(account(g, "$G").path("num_subs").asInt() >= 2, "B sent its subscriptions: " + g.toPrettyString());
            long before = outMsgs(ma);
            for (int n = 0; n < 10; n++) pub.publish("opt.unwanted", bytes("u"));
            pub.publish("opt.first", bytes("still"));
            pub.flush(Duration.ofSeconds(2));
            assertNotNull(wanted.nextMessage(Duration.ofSeconds(5)));
            assertEquals(before + 1, outMsgs(ma), "in interest-only mode only wanted messages cross");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long outMsgs(MonitorHttp m) throws Exception {
        return m.json("/gatewayz").get("outbound_gateways").get("B").get("connection").get("out_msgs").asLong();
    }

    private static JsonNode account(JsonNode gatewayz, String name) {
        JsonNode b = gatewayz.path("outbound_gateways").path("B").path("accounts");
        for (JsonNode a : b) if (a.path("name").asText().equals(name)) return a;
        return null;
    }
}
