package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Leaf nodes beyond one connection: a hub that goes away and comes back, a leaf that is a
 * cluster of two, a loop of two servers each the other's leaf, and /leafz. The hub is jnatsd or
 * upstream where that shows interoperability; the leaf side under test is jnatsd.
 */
class LeafNodeTest {

    /** While the hub is down the leaf serves its own clients; when it returns the leaf rejoins. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafKeepsServingWhileItsHubIsDownAndRejoinsWhenItReturns(Impl hubImpl) throws Exception {
        int leafPort = TestServer.freePort();
        TestServer hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, "", "");
        try (TestServer leaf = TestServer.startMonitored(Impl.JNATSD, LeafPair.leafConfig(leafPort, "", "", ""), null);
             Connection local = LeafPair.connect(leaf, null)) {
            try (Connection h = LeafPair.connect(hub, null)) {
                awaitInterest(h, local);
                awaitInterest(local, h);
            }
            hub.close();
            Subscription s = local.subscribe("local.only");
            local.publish("local.only", bytes("during outage"));
            local.flush(Duration.ofSeconds(2));
            Message m = s.nextMessage(Duration.ofSeconds(2));
            assertNotNull(m, "local traffic flows while the hub is down");
            assertEquals("during outage", text(m));

            hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, "", "");
            try (Connection h = LeafPair.connect(hub, null)) {
                awaitInterest(h, local);
                awaitInterest(local, h);
                Subscription fromHub = local.subscribe("after.return");
                local.flush(Duration.ofSeconds(2));
                LeafNodeInteropTest.awaitSubject(h, local, fromHub, "after.return");
                h.publish("after.return", bytes("back"));
                h.flush(Duration.ofSeconds(2));
                assertEquals("back", text(fromHub.nextMessage(Duration.ofSeconds(5))));
            }
        } finally {
            hub.close();
        }
    }

    /**
     * A leaf that is a cluster of two jnatsd servers, each with its own connection to the hub:
     * every message reaches each subscriber once, whichever server it was published on, and a
     * queue group spanning the leaf cluster and the hub serves each message once.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafThatIsAClusterDeliversEachMessageOnce(Impl hubImpl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(hubImpl, leafPort, "", "");
             Cluster2 leafs = Cluster2.leafs(leafPort, leafPort);
             Connection h = LeafPair.connect(hub, null);
             Connection c1 = LeafPair.connect(leafs.first(), null);
             Connection c2 = LeafPair.connect(leafs.second(), null)) {
            new MonitorHttp(hub).await("/leafz", v -> v.get("leafnodes").asInt() == 2);
            awaitInterest(c1, c2);
            awaitInterest(c2, c1);
            awaitInterest(h, c1, c2);
            awaitInterest(c1, h);
            awaitInterest(c2, h);

            Subscription onHub = h.subscribe("fan");
            Subscription on1 = c1.subscribe("fan");
            Subscription on2 = c2.subscribe("fan");
            for (Connection c : List.of(h, c1, c2)) c.flush(Duration.ofSeconds(2));
            awaitInterest(h, c1, c2);
            awaitInterest(c1, h, c2);
            awaitInterest(c2, h, c1);
            // the probes above travel on other subjects; "fan" interest spreads with them
            for (Connection from : List.of(h, c1, c2)) {
                from.publish("fan", bytes("x"));
                from.flush(Duration.ofSeconds(2));
            }
            assertEquals(3, count(onHub), "the hub's subscriber gets each of the three once");
            assertEquals(3, count(on1), "leaf server 1's subscriber gets each once");
            assertEquals(3, count(on2), "leaf server 2's subscriber gets each once");

            Subscription q1 = c1.subscribe("jobs", "workers");
            Subscription q2 = c2.subscribe("jobs", "workers");
            Subscription qh = h.subscribe("jobs", "workers");
            for (Connection c : List.of(h, c1, c2)) c.flush(Duration.ofSeconds(2));
            awaitInterest(h, c1, c2);
            awaitInterest(c1, h, c2);
            for (int i = 0; i < 30; i++) (i % 3 == 0 ? h : i % 3 == 1 ? c1 : c2).publish("jobs", bytes("j" + i));
            for (Connection c : List.of(h, c1, c2)) c.flush(Duration.ofSeconds(2));
            assertEquals(30, count(q1) + count(q2) + count(qh), "each job served once across the leaf cluster and hub");
        }
    }

    private static int count(Subscription s) throws Exception {
        int n = 0;
        while (s.nextMessage(Duration.ofMillis(200)) != null) n++;
        return n;
    }

    /**
     * Two servers, each the other's leaf: the interest of each comes back to it over the other
     * connection, and the loop detection subject shows it; one connection is closed, so each
     * server keeps a single leaf connection instead of two.
     */
    @Test
    void twoServersThatAreEachOthersLeafBreakTheLoop() throws Exception {
        int portA = TestServer.freePort();
        int portB = TestServer.freePort();
        String a = "leafnodes { listen: \"127.0.0.1:" + portA + "\", reconnect: 1, remotes: [ { url: \"nats-leaf://127.0.0.1:" + portB + "\" } ] }\n";
        String b = "leafnodes { listen: \"127.0.0.1:" + portB + "\", reconnect: 1, remotes: [ { url: \"nats-leaf://127.0.0.1:" + portA + "\" } ] }\n";
        try (TestServer sa = TestServer.startMonitored(Impl.JNATSD, a, null);
             TestServer sb = TestServer.startMonitored(Impl.JNATSD, b, null)) {
            MonitorHttp ma = new MonitorHttp(sa);
            MonitorHttp mb = new MonitorHttp(sb);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int stable = 0;
            while (stable < 10) {
                int na = ma.json("/leafz").get("leafnodes").asInt();
                int nb = mb.json("/leafz").get("leafnodes").asInt();
                // A loop is both connections up (two on each side). Broken: at most one each; when both
                // sides detected it at once, none until their 30 s pause ends, as upstream waits too.
                stable = na <= 1 && nb <= 1 ? stable + 1 : 0;
                assertTrue(System.nanoTime() < deadline, "the loop was not broken: " + na + " and " + nb + " leaf connections");
            }
        }
    }

    /** /leafz lists each leaf connection with upstream's fields and counts its traffic. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void leafzListsTheConnectionWithUpstreamsFields(Impl hubImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, Impl.JNATSD);
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            Subscription s = hub.subscribe("counted");
            hub.flush(Duration.ofSeconds(2));
            LeafNodeInteropTest.awaitSubject(leaf, hub, s, "counted");
            for (int i = 0; i < 3; i++) leaf.publish("counted", bytes("12345"));
            leaf.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 3; i++) assertNotNull(s.nextMessage(Duration.ofSeconds(2)));
            assertNull(s.nextMessage(Duration.ofMillis(100)));

            for (TestServer side : List.of(p.hub, p.leaf)) {
                JsonNode z = new MonitorHttp(side).json("/leafz?subs=1");
                assertEquals(1, z.get("leafnodes").asInt(), side.impl() + " " + z);
                JsonNode l = z.get("leafs").get(0);
                assertEquals(Set.of("account", "ip", "port", "rtt", "in_msgs", "out_msgs", "in_bytes", "out_bytes",
                        "subscriptions", "subscriptions_list"), fields(l), z.toString());
                assertEquals("$G", l.get("account").asText());
                assertEquals("127.0.0.1", l.get("ip").asText());
                assertTrue(l.get("subscriptions").asInt() > 0);
            }
            JsonNode hubLeaf = new MonitorHttp(p.hub).json("/leafz").get("leafs").get(0);
            assertTrue(hubLeaf.get("in_msgs").asLong() >= 3, hubLeaf.toString());
            assertTrue(hubLeaf.get("in_bytes").asLong() >= 15, hubLeaf.toString());
            JsonNode leafSide = new MonitorHttp(p.leaf).json("/leafz").get("leafs").get(0);
            assertTrue(leafSide.get("out_msgs").asLong() >= 3, leafSide.toString());
            List<String> subs = new ArrayList<>();
            new MonitorHttp(p.hub).json("/leafz?subs=1").get("leafs").get(0).get("subscriptions_list").forEach(n -> subs.add(n.asText()));
            assertTrue(subs.stream().anyMatch(x -> x.startsWith("$LDS.")), subs.toString());
            JsonNode accounts = new MonitorHttp(p.hub).json("/accstatz").get("account_statz");
            JsonNode global = null;
            for (JsonNode acc : accounts) if (acc.get("acc").asText().equals("$G")) global = acc;
            assertNotNull(global, accounts.toString());
            assertEquals(1, global.get("leafnodes").asInt(), global.toString());
            JsonNode varz = new MonitorHttp(p.hub).json("/varz");
            assertEquals(1, varz.get("leafnodes").asInt());
            assertEquals(p.leafPort, varz.get("leaf").get("port").asInt());
            JsonNode leafVarz = new MonitorHttp(p.leaf).json("/varz").get("leaf").get("remotes").get(0);
            assertEquals("$G", leafVarz.get("local_account").asText());
            assertEquals("127.0.0.1:" + p.leafPort, leafVarz.get("urls").get(0).asText());
        }
    }

    private static Set<String> fields(JsonNode n) {
        Set<String> out = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    /**
     * A hub that is a cluster of two (jnatsd with upstream or jnatsd): the leaf's interest
     * reaches the hub server it is not connected to over the route, and that server's clients'
     * interest reaches the leaf, so messages cross route and leaf connection both ways, once.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafOfAClusteredHubReachesTheOtherServer(Impl otherHubImpl) throws Exception {
        int leafPort = TestServer.freePort();
        int r1 = TestServer.freePort();
        try (TestServer hub1 = LeafPair.hubWithLeafPort(Impl.JNATSD, leafPort,
                "cluster { name: hubs, listen: \"127.0.0.1:" + r1 + "\" }\n", "");
             TestServer hub2 = TestServer.startMonitored(otherHubImpl,
                     "cluster { name: hubs, listen: \"127.0.0.1:-1\", routes: [\"nats-route://127.0.0.1:" + r1 + "\"] }\n", null);
             TestServer leaf = TestServer.startMonitored(Impl.JNATSD, LeafPair.leafConfig(leafPort, "", "", ""), null);
             Connection h2 = LeafPair.connect(hub2, null);
             Connection l = LeafPair.connect(leaf, null)) {
            Subscription onLeaf = l.subscribe("over.route");
            Subscription onHub2 = h2.subscribe("from.leaf");
            l.flush(Duration.ofSeconds(2));
            h2.flush(Duration.ofSeconds(2));
            LeafNodeInteropTest.awaitSubject(h2, l, onLeaf, "over.route");
            LeafNodeInteropTest.awaitSubject(l, h2, onHub2, "from.leaf");
            h2.publish("over.route", bytes("to leaf"));
            l.publish("from.leaf", bytes("to hub2"));
            h2.flush(Duration.ofSeconds(2));
            l.flush(Duration.ofSeconds(2));
            assertEquals("to leaf", text(onLeaf.nextMessage(Duration.ofSeconds(5))));
            assertEquals("to hub2", text(onHub2.nextMessage(Duration.ofSeconds(5))));
            assertNull(onLeaf.nextMessage(Duration.ofMillis(200)), "once");
            assertNull(onHub2.nextMessage(Duration.ofMillis(200)), "once");
        }
    }

    /**
     * A leaf cluster attached to a hub cluster at two points (each leaf server to another hub
     * server): a message from the leaf cluster that crosses the hub's route carries its origin
     * cluster (LMSG), so the hub never sends it back into the leaf cluster, and every subscriber
     * gets it once.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafClusterOnTwoHubServersGetsEachMessageOnce(Impl secondHubImpl) throws Exception {
        // Each port is picked right before the server that binds it starts (a port picked early
        // could be handed to another server meanwhile); the second of each pair seeds the first.
        int lp1 = TestServer.freePort();
        int h1 = TestServer.freePort();
        try (TestServer hub1 = LeafPair.hubWithLeafPort(Impl.JNATSD, lp1,
                "cluster { name: hubs, listen: \"127.0.0.1:" + h1 + "\" }\n", "");
             TestServer hub2 = LeafPair.hubWithLeafPort(secondHubImpl, TestServer.freePort(),
                     "cluster { name: hubs, listen: \"127.0.0.1:-1\", routes: [\"nats-route://127.0.0.1:" + h1 + "\"] }\n", "");
             Cluster2 edge = Cluster2.leafs(lp1, hubLeafPort(hub2));
             Connection c1 = LeafPair.connect(edge.first(), null);
             Connection c2 = LeafPair.connect(edge.second(), null);
             Connection ch2 = LeafPair.connect(hub2, null)) {
            Subscription onE2 = c2.subscribe("once");
            Subscription onHub2 = ch2.subscribe("once");
            c2.flush(Duration.ofSeconds(2));
            ch2.flush(Duration.ofSeconds(2));
            awaitInterest(c1, c2, ch2);
            awaitInterest(ch2, c1, c2);
            for (int i = 0; i < 10; i++) c1.publish("once", bytes("m" + i));
            c1.flush(Duration.ofSeconds(2));
            assertEquals(10, count(onE2), "the other leaf server's subscriber gets each message once");
            assertEquals(10, count(onHub2), "the other hub server's subscriber gets each message once");
        }
    }

    /** The leaf node port of a hub started by {@link LeafPair#hubWithLeafPort}, from its /varz. */
    private static int hubLeafPort(TestServer hub) throws Exception {
        return new MonitorHttp(hub).json("/varz").get("leaf").get("port").asInt();
    }

    /** Two jnatsd servers clustered as "edge", each a leaf of its own hub port; the second seeds the first. */
    private record Cluster2(TestServer first, TestServer second) implements AutoCloseable {
        static Cluster2 leafs(int firstHubLeafPort, int secondHubLeafPort) throws Exception {
            int r1 = TestServer.freePort();
            TestServer a = TestServer.startMonitored(Impl.JNATSD, LeafPair.leafConfig(firstHubLeafPort, "", "",
                    "cluster { name: edge, listen: \"127.0.0.1:" + r1 + "\" }\n"), null);
            try {
                TestServer b = TestServer.startMonitored(Impl.JNATSD, LeafPair.leafConfig(secondHubLeafPort, "", "",
                        "cluster { name: edge, listen: \"127.0.0.1:-1\", routes: [\"nats-route://127.0.0.1:" + r1 + "\"] }\n"),
                        null);
                return new Cluster2(a, b);
            } catch (Exception e) {
                a.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                second.close();
            } finally {
                first.close();
            }
        }
    }

    /** The {@code leaf} section of /varz is upstream's, field for field, for a hub with remotes. */
    @Test
    void varzLeafSectionIsUpstreams() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "nats-server not installed");
        List<JsonNode> sections = new ArrayList<>();
        for (Impl impl : Impl.values()) {
            int port = TestServer.freePort();
            String conf = "leafnodes { listen: \"127.0.0.1:" + port + "\", reconnect: 1\n"
                    + "  remotes: [ { url: \"nats-leaf://127.0.0.1:1\", deny_imports: [\"a.>\"], deny_exports: [\"b\"] } ] }\n";
            try (TestServer s = TestServer.startMonitored(impl, conf, null)) {
                JsonNode leaf = new MonitorHttp(s).json("/varz").get("leaf");
                assertEquals(port, leaf.get("port").asInt(), impl + " " + leaf);
                ((com.fasterxml.jackson.databind.node.ObjectNode) leaf).remove("port");
                sections.add(leaf);
            }
        }
        assertEquals(sections.get(1), sections.get(0), "jnatsd's leaf section against upstream's");
    }

    /**
     * A hub cluster tells its leaf nodes every server's leaf node URL (gossiped in route INFO),
     * so a leaf configured with one hub server fails over to another when that one goes away.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafFailsOverToAnotherServerOfItsHubCluster(Impl secondHubImpl) throws Exception {
        int lp1 = TestServer.freePort();
        int h1 = TestServer.freePort();
        TestServer hub1 = LeafPair.hubWithLeafPort(Impl.JNATSD, lp1, "cluster { name: hubs, listen: \"127.0.0.1:" + h1 + "\" }\n", "");
        try (TestServer hub2 = LeafPair.hubWithLeafPort(secondHubImpl, TestServer.freePort(),
                     "cluster { name: hubs, listen: \"127.0.0.1:-1\", routes: [\"nats-route://127.0.0.1:" + h1 + "\"] }\n", "");
             TestServer leaf = TestServer.startMonitored(Impl.JNATSD, LeafPair.leafConfig(lp1, "", "", ""), null);
             Connection l = LeafPair.connect(leaf, null);
             Connection c2 = LeafPair.connect(hub2, null)) {
            awaitInterest(c2, l);
            hub1.close();
            Subscription s = l.subscribe("failover");
            l.flush(Duration.ofSeconds(2));
            LeafNodeInteropTest.awaitSubject(c2, l, s, "failover");
            assertEquals(1, new MonitorHttp(hub2).json("/leafz").get("leafnodes").asInt(), "the leaf moved to hub 2");
        } finally {
            hub1.close();
        }
    }
}
