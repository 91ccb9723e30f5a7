package io.jnatsd.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.SuperCluster;
import io.jnatsd.server.testing.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code /gatewayz} (with {@code accs}, {@code gw_name} and {@code acc_name}) and the
 * {@code gateway} section of {@code /varz}, the same steps against a jnatsd and an upstream
 * super-cluster of two one-server clusters.
 */
class GatewayMonitoringTest {
    @ParameterizedTest
    @EnumSource(Impl.class)
    void gatewayzShowsBothDirectionsAndEachAccountsInterestMode(Impl impl) throws Exception {
        if (impl == Impl.UPSTREAM) Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "nats-server not installed");
        try (SuperCluster s = SuperCluster.start(new Impl[] {impl}, new Impl[] {impl})) {
            MonitorHttp a = new MonitorHttp(s.server(0, 0));
            JsonNode g = a.json("/gatewayz?accs=1");
            assertEquals("A", g.get("name").asText());
            assertEquals(s.gatewayPort(0, 0), g.get("port").asInt());
            JsonNode out = g.get("outbound_gateways").get("B");
            assertTrue(out.get("configured").asBoolean(), g.toPrettyString());
            assertEquals("Gateway", out.get("connection").get("kind").asText());
            assertEquals(s.gatewayPort(1, 0), out.get("connection").get("port").asInt());
            assertTrue(out.get("connection").get("out_msgs").asLong() > 0, "the probe messages went out on it");
            assertEquals("Interest-Only", mode(out, "$G"), out.toPrettyString());
            JsonNode in = g.get("inbound_gateways").get("B");
            assertEquals(1, in.size());
            assertTrue(in.get(0).get("connection").get("in_msgs").asLong() > 0, "the probe messages came in on it");
            assertEquals("Interest-Only", mode(in.get(0), "$G"));

            JsonNode one = a.json("/gatewayz?acc_name=$G");
            assertEquals(1, one.get("outbound_gateways").get("B").get("accounts").size());
            JsonNode plain = a.json("/gatewayz");
            assertTrue(plain.get("outbound_gateways").get("B").get("accounts") == null, "accounts only when asked");
            JsonNode none = a.json("/gatewayz?gw_name=C");
            assertEquals(0, none.get("inbound_gateways").size());
            assertTrue(none.get("outbound_gateways").isNull(), none.toPrettyString());

            JsonNode varz = a.json("/varz").get("gateway");
            assertEquals("A", varz.get("name").asText());
            assertEquals(s.gatewayPort(0, 0), varz.get("port").asInt());
            assertEquals("B", varz.get("gateways").get(0).get("name").asText());
            assertEquals("127.0.0.1:" + s.gatewayPort(1, 0), varz.get("gateways").get(0).get("urls").get(0).asText());
        }
    }

    private static String mode(JsonNode remote, String account) {
        for (JsonNode a : remote.get("accounts")) if (a.get("name").asText().equals(account)) return a.get("interest_mode").asText();
        return null;
    }
}
