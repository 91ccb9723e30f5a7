package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.cluster.RouteStats;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestCluster;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Route pooling and pinned accounts, as upstream 2.10 has them: {@code pool_size} connections
 * per peer with each account's interest and messages on the one its name hashes to, a route of
 * its own for each pinned account (and the system account), and a single route to a peer
 * without pooling. Upstream 2.9.10, the only upstream installed, predates pooling; the mixed
 * clusters of {@link ClusterInteropTest} show a pooling jnatsd still joins it on one route.
 */
class RoutePoolTest {
    /** Accounts A..F hash to pool indexes 0,0,1,0,1,1 of 3; $G to 2. */
    private static final List<String> ACCOUNTS = List.of("A", "B", "C", "D", "E", "F");

    private static String accountsConfig() {
        StringBuilder b = new StringBuilder("accounts {\n");
        for (String a : ACCOUNTS) b.append("  ").append(a).append(" { users: [ {user: u").append(a).append(", password: p} ] }\n");
        // TestCluster's mesh probes connect without credentials
        return b.append("}\nno_auth_user: uA\n").toString();
    }

    private static Connection connect(TestCluster c, int node, String account) throws Exception {
        return Nats.connect(new Options.Builder().server(c.node(node).url()).userInfo("u" + account, "p").noRandomize()
                .ignoreDiscoveredServers().build());
    }

    private static Cluster cluster(TestCluster c, int node) {
        return c.node(node).embedded().cluster();
    }

    @Test
    void twoServersFormAPoolOfThreeAndAPinnedRouteForTheSystemAccount() throws Exception {
        try (TestCluster c = TestCluster.start(Impl.JNATSD, Impl.JNATSD)) {
            for (int n = 0; n < 2; n++) {
                Cluster cl = cluster(c, n);
                TestServer.await(10_000, () -> cl.routeCount() == 4);
                List<RouteStats> routes = cl.routes();
                assertEquals(List.of(0, 1, 2), routes.stream().filter(r -> r.account() == null)
                        .map(RouteStats::poolIdx).sorted().toList(), "node " + n);
                assertEquals(List.of("$SYS"), routes.stream().map(RouteStats::account).filter(a -> a != null).toList());
                assertEquals(1, cl.peerCount());
                assertEquals(3, cl.poolSize());
            }
            // Each connection exactly once on each side: no duplicate keeps flapping.
            Thread.sleep(1200); // longer than a reconnect pause
            assertEquals(4, cluster(c, 0).routeCount());
            assertEquals(4, cluster(c, 1).routeCount());
        }
    }

    @Test
    void eachAccountTravelsOnThePoolConnectionItsNameHashesTo() throws Exception {
        try (TestCluster c = TestCluster.start("", accountsConfig(), Impl.JNATSD, Impl.JNATSD)) {
            TestServer.await(10_000, () -> cluster(c, 0).routeCount() == 4 && cluster(c, 1).routeCount() == 4);
            Map<String, Connection> subs = new java.util.HashMap<>();
            Map<String, Subscription> subscriptions = new java.util.HashMap<>();
            try {
                for (String a : ACCOUNTS) {
                    Connection s = connect(c, 1, a);
                    subs.put(a, s);
                    subscriptions.put(a, s.subscribe("acct." + a));
                    s.flush(Duration.ofSeconds(2));
                }
                for (String a : ACCOUNTS) {
                    try (Connection p = connect(c, 0, a)) {
                        TestCluster.awaitInterest(p, subs.get(a));
                        p.publish("acct." + a, a.getBytes(StandardCharsets.UTF_8));
                        p.flush(Duration.ofSeconds(2));
                    }
                    Message m = subscriptions.get(a).nextMessage(Duration.ofSeconds(5));
                    assertNotNull(m, a);
                    assertEquals(a, new String(m.getData(), StandardCharsets.UTF_8));
                }
                // Node 0 holds node 1's interest on the route at each account's index, and only there.
                Map<Integer, List<String>> byIndex = cluster(c, 0).routes().stream().filter(r -> r.account() == null)
                        .collect(Collectors.toMap(RouteStats::poolIdx,
                                r -> r.subjects().stream().filter(s -> s.startsWith("acct.")).sorted().toList()));
                assertEquals(List.of("acct.A", "acct.B", "acct.D"), byIndex.get(0));
                assertEquals(List.of("acct.C", "acct.E", "acct.F"), byIndex.get(1));
                assertEquals(List.of(), byIndex.get(2));
            } finally {
                for (Connection s : subs.values()) s.close();
            }
        }
    }

    @Test
    void aPinnedAccountGetsARouteOfItsOwn() throws Exception {
        try (TestCluster c = TestCluster.start("accounts: [C]", accountsConfig(), Impl.JNATSD, Impl.JNATSD)) {
            TestServer.await(10_000, () -> cluster(c, 0).routeCount() == 5 && cluster(c, 1).routeCount() == 5);
            try (Connection s = connect(c, 1, "C"); Connection p = connect(c, 0, "C")) {
                Subscription sub = s.subscribe("pinned.>");
                s.flush(Duration.ofSeconds(2));
                TestCluster.awaitInterest(p, s);
                for (int i = 0; i < 10; i++) p.publish("pinned." + i, new byte[] {(byte) i});
                p.flush(Duration.ofSeconds(2));
                for (int i = 0; i < 10; i++) {
                    Message m = sub.nextMessage(Duration.ofSeconds(5));
                    assertNotNull(m, "message " + i);
                    assertEquals("pinned." + i, m.getSubject());
                }
                RouteStats pinned = cluster(c, 0).routes().stream().filter(r -> "C".equals(r.account())).findFirst().orElseThrow();
                assertTrue(pinned.subjects().contains("pinned.>"), pinned.subjects().toString());
                assertTrue(pinned.outMsgs() >= 10, "messages went on the pinned route: " + pinned.outMsgs());
                for (RouteStats r : cluster(c, 0).routes()) {
                    if (!"C".equals(r.account())) assertTrue(!r.subjects().contains("pinned.>"), "only the pinned route has C's interest");
                }
            }
        }
    }

    @Test
    void aServerWithPoolingOffGetsOneRoute() throws Exception {
        try (TestCluster c = TestCluster.start(i -> i == 1 ? "pool_size: -1" : "", i -> accountsConfig(),
                Impl.JNATSD, Impl.JNATSD)) {
            Thread.sleep(1200); // a pooling server would have dialled more by now
            assertEquals(1, cluster(c, 0).routeCount());
            assertEquals(1, cluster(c, 1).routeCount());
            for (String a : List.of("A", "C", "F")) {
                try (Connection s = connect(c, 1, a); Connection p = connect(c, 0, a)) {
                    Subscription sub = s.subscribe("one");
                    s.flush(Duration.ofSeconds(2));
                    TestCluster.awaitInterest(p, s);
                    p.publish("one", a.getBytes(StandardCharsets.UTF_8));
                    Message m = sub.nextMessage(Duration.ofSeconds(5));
                    assertNotNull(m, a);
                    assertEquals(a, new String(m.getData(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void aPoolConnectionThatDropsIsDialledAgain() throws Exception {
        try (TestCluster c = TestCluster.start("", accountsConfig(), Impl.JNATSD, Impl.JNATSD, Impl.JNATSD)) {
            for (int n = 0; n < 3; n++) {
                Cluster cl = cluster(c, n);
                TestServer.await(10_000, () -> cl.routeCount() == 8);
            }
            // Node 1 goes and comes back: every pool and pinned route to it is rebuilt.
            c.stop(1);
            TestServer.await(10_000, () -> cluster(c, 0).routeCount() == 4 && cluster(c, 2).routeCount() == 4);
            c.restart(1, Impl.JNATSD);
            for (int n = 0; n < 3; n++) {
                Cluster cl = cluster(c, n);
                TestServer.await(15_000, () -> cl.routeCount() == 8);
            }
            c.awaitMesh(Duration.ofSeconds(10));
            for (String a : ACCOUNTS) {
                try (Connection s = connect(c, 1, a); Connection p = connect(c, 2, a)) {
                    Subscription sub = s.subscribe("back");
                    s.flush(Duration.ofSeconds(2));
                    TestCluster.awaitInterest(p, s);
                    p.publish("back", a.getBytes(StandardCharsets.UTF_8));
                    assertNotNull(sub.nextMessage(Duration.ofSeconds(5)), a);
                }
            }
        }
    }

    // ---- a raw peer on the route port: exact lines ----

    private static final String PEER_CONNECT = "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,"
            + "\"tls_required\":false,\"name\":\"NFAKEPEER\",\"headers\":true,\"cluster\":\"c1\",\"dynamic\":false}\r\n";

    private static String peerInfo(String poolFields) {
        return "INFO {\"server_id\":\"NFAKEPEER\",\"server_name\":\"fake\",\"version\":\"2.10.0\",\"proto\":1,"
                + "\"host\":\"127.0.0.1\",\"port\":1,\"headers\":true,\"cluster\":\"c1\"" + poolFields + "}\r\n";
    }

    private static TestServer startWithRoutePort(int routePort, String clusterExtra) throws Exception {
        return TestServer.start(Impl.JNATSD, accountsConfig() + "cluster {\n name: c1\n listen: \"127.0.0.1:" + routePort
                + "\"\n" + clusterExtra + "\n}\n");
    }

    @Test
    void onARoutePinnedToAnAccountNoLineNamesTheAccount() throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = startWithRoutePort(routePort, "accounts: [C]");
             Connection client = Nats.connect(new Options.Builder().server(s.url()).userInfo("uC", "p").build());
             RawClient peer = new RawClient(routePort)) {
            assertTrue(peer.info().contains("\"route_pool_size\":3"), peer.info());
            assertTrue(peer.info().contains("\"compression\":\"off\""), peer.info());
            Subscription sub = client.subscribe("to.client");
            client.flush(Duration.ofSeconds(2));
            peer.send(PEER_CONNECT + peerInfo(",\"route_pool_size\":3,\"route_account\":\"C\""));
            assertEquals("RS+ to.client", peer.readLine());
            peer.send("RS+ to.peer\r\nRMSG to.client 2\r\nhi\r\nPING\r\n");
            Message m = sub.nextMessage(Duration.ofSeconds(5));
            assertNotNull(m);
            assertEquals("hi", new String(m.getData(), StandardCharsets.UTF_8));
            assertEquals("PONG", peer.readLine());
            client.publish("to.peer", "reply.1", "yo".getBytes(StandardCharsets.UTF_8));
            client.flush(Duration.ofSeconds(2));
            assertEquals("RMSG to.peer reply.1 2", peer.readLine());
            assertEquals("yo", peer.readLine());
        }
    }

    @Test
    void aRouteForAnAccountThatIsNotPinnedHereIsRefused() throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = startWithRoutePort(routePort, "accounts: [C]"); RawClient peer = new RawClient(routePort)) {
            peer.send(PEER_CONNECT + peerInfo(",\"route_pool_size\":3,\"route_account\":\"B\""));
            assertEquals("-ERR 'No route for account \"B\"'", peer.readLine());
            assertTrue(peer.closedWithin(2000));
        }
    }

    @Test
    void aPoolIndexOutsideThePoolIsRefused() throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = startWithRoutePort(routePort, ""); RawClient peer = new RawClient(routePort)) {
            peer.send(PEER_CONNECT + peerInfo(",\"route_pool_size\":3,\"route_pool_idx\":7"));
            assertEquals("-ERR 'Invalid route pool index: 7 - pool size is 3'", peer.readLine());
            assertTrue(peer.closedWithin(2000));
        }
    }

    @Test
    void aPinnedRouteFromAServerWithoutPoolingIsRefused() throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = startWithRoutePort(routePort, "accounts: [C]"); RawClient peer = new RawClient(routePort)) {
            peer.send(PEER_CONNECT + peerInfo(",\"route_account\":\"C\""));
            assertEquals("-ERR 'Not possible to have a dedicated route for account \"C\" between those servers'", peer.readLine());
            assertTrue(peer.closedWithin(2000));
        }
    }
}
