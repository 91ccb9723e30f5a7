package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reloading the cluster block, against jnatsd and upstream 2.9.10: seed routes added and
 * removed, and the route authorization changed under a connected peer.
 */
class ClusterReloadTest {
    private static String cluster(int port, String more) {
        return "cluster { name: c, listen: \"127.0.0.1:" + port + "\"" + more + " }";
    }

    private static int routes(MonitorHttp http) throws Exception {
        return http.json("/routez").get("num_routes").asInt();
    }

    /** Route connections to one peer: jnatsd pools them as upstream 2.10 does (3, and the system account's). */
    private static int routesToOnePeer(Impl impl) {
        return impl == Impl.JNATSD ? 4 : 1;
    }

    private static void awaitRoutes(MonitorHttp http, int n) throws Exception {
        http.await("/routez", j -> j.get("num_routes").asInt() == n);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void seedRoutesAddedAreDialledAndRemovedOnesClosedForGood(Impl impl) throws Exception {
        int pa = TestServer.freePort();
        int pb = TestServer.freePort();
        try (TestServer b = TestServer.start(impl, cluster(pb, ""));
             TestServer a = TestServer.startMonitored(impl, cluster(pa, ""), null)) {
            MonitorHttp http = new MonitorHttp(a);
            assertEquals(0, routes(http));
            assertNull(a.reload(cluster(pa, ", routes: [\"nats-route://127.0.0.1:" + pb + "\"]")));
            awaitRoutes(http, routesToOnePeer(impl));
            try (Connection ca = connect(a); Connection cb = connect(b)) {
                Subscription sub = cb.subscribe("over");
                cb.flush(Duration.ofSeconds(2));
                TestServer.await(5000, () -> {
                    ca.publish("over", new byte[0]);
                    try {
                        return sub.nextMessage(Duration.ofMillis(100)) != null;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            assertNull(a.reload(cluster(pa, "")));
            awaitRoutes(http, 0);
            Thread.sleep(1500); // past the 1 s redial pause: a removed seed is not dialled again
            assertEquals(0, routes(http));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPeerWhoseRouteCredentialsNoLongerHoldIsCutOff(Impl impl) throws Exception {
        int pa = TestServer.freePort();
        int pb = TestServer.freePort();
        String auth = ", authorization { user: r, password: %s }";
        try (TestServer a = TestServer.startMonitored(impl, cluster(pa, auth.formatted("p1")), null);
             TestServer b = TestServer.start(impl, cluster(pb, ", routes: [\"nats-route://r:p1@127.0.0.1:" + pa + "\"]"))) {
            MonitorHttp http = new MonitorHttp(a);
            awaitRoutes(http, routesToOnePeer(impl));
            assertNull(a.reload(cluster(pa, auth.formatted("p2"))));
            awaitRoutes(http, 0);
            Thread.sleep(1500); // the peer dials again (its seed) and is refused
            assertEquals(0, routes(http));
            assertNull(a.reload(cluster(pa, auth.formatted("p1"))));
            awaitRoutes(http, routesToOnePeer(impl));
        }
    }

    /** Import permissions widened by a reload: the interest they now let through is announced to the peer. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void widenedImportPermissionsAnnounceTheInterestTheyLetThrough(Impl impl) throws Exception {
        int pa = TestServer.freePort();
        int pb = TestServer.freePort();
        String perms = ", routes: [\"nats-route://127.0.0.1:" + pb + "\"], permissions { import: %s }";
        try (TestServer b = TestServer.start(impl, cluster(pb, ""));
             TestServer a = TestServer.startMonitored(impl, cluster(pa, perms.formatted("[\"a.>\"]")), null)) {
            awaitRoutes(new MonitorHttp(a), routesToOnePeer(impl));
            widenedImports(a, b, perms, pa);
        }
    }

    private static Connection connect(TestServer s) throws Exception {
        return Nats.connect(new io.nats.client.Options.Builder().server(s.url()).connectionTimeout(Duration.ofSeconds(10))
                .build());
    }

    private static void widenedImports(TestServer a, TestServer b, String perms, int pa) throws Exception {
        try (Connection ca = connect(a); Connection cb = connect(b)) {
            Subscription sub = ca.subscribe("b.x");
            Subscription probe = ca.subscribe("a.x");
            ca.flush(Duration.ofSeconds(2));
            TestServer.await(5000, () -> {
                cb.publish("a.x", new byte[0]);
                return next(probe) != null;
            });
            cb.publish("b.x", new byte[0]);
            cb.flush(Duration.ofSeconds(2));
            assertNull(sub.nextMessage(Duration.ofMillis(300)), "b.x is not imported yet");
            assertNull(a.reload(cluster(pa, perms.formatted("[\"a.>\", \"b.>\"]"))));
            TestServer.await(5000, () -> {
                cb.publish("b.x", new byte[0]);
                return next(sub) != null;
            });
        }
    }

    private static Message next(Subscription s) {
        try {
            return s.nextMessage(Duration.ofMillis(100));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** jnatsd sets its route pools up at start (upstream 2.10+ would rebuild its routes). */
    @org.junit.jupiter.api.Test
    void poolSizeAndPinnedAccountsCannotChangeAtRunTime() throws Exception {
        int pa = TestServer.freePort();
        try (TestServer a = TestServer.startMonitored(Impl.JNATSD, cluster(pa, ""), null)) {
            assertEquals("config reload not supported for cluster pool_size: old=3, new=5",
                    a.reload(cluster(pa, ", pool_size: 5")));
            assertEquals("config reload not supported for cluster accounts: old=[], new=[A]",
                    a.reload("accounts { A {} }\n" + cluster(pa, ", accounts: [A]")));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aNewClusterNameIsTakenAtOnce(Impl impl) throws Exception {
        int pa = TestServer.freePort();
        try (TestServer a = TestServer.startMonitored(impl, cluster(pa, ""), null)) {
            assertNull(a.reload(cluster(pa, "").replace("name: c", "name: d")));
            try (var raw = a.raw()) {
                assertEquals("d", new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw.info().substring(5))
                        .get("cluster").asText());
            }
        }
    }
}
