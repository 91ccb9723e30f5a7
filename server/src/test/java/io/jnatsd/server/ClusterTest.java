package io.jnatsd.server;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestCluster;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three servers joined by routes, each seeded with the first only (gossip completes the mesh):
 * what a client sees on one server keeps working across the cluster. Each test runs on a
 * jnatsd cluster and on an upstream one, so the expectations are upstream's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {
    private final Map<Impl, TestCluster> clusters = new HashMap<>();

    private TestCluster cluster(Impl impl) throws Exception {
        TestCluster c = clusters.get(impl);
        if (c == null) {
            c = TestCluster.start(impl, impl, impl);
            clusters.put(impl, c);
        }
        return c;
    }

    @AfterAll
    void stopClusters() throws Exception {
        for (TestCluster c : clusters.values()) c.close();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void messagesWithHeadersAndWildcardsCrossTheCluster(Impl impl) throws Exception {
        TestCluster c = cluster(impl);
        try (Connection a = c.connect(0); Connection b = c.connect(1); Connection cc = c.connect(2)) {
            Subscription exact = b.subscribe("orders.new");
            Subscription star = cc.subscribe("orders.*");
            Subscription full = cc.subscribe("orders.>");
            b.flush(Duration.ofSeconds(2));
            cc.flush(Duration.ofSeconds(2));
            awaitInterest(a, b, cc);
            Headers h = new Headers().add("X-Trace", "abc");
            a.publish(NatsMessage.builder().subject("orders.new").headers(h).data(bytes("one")).build());
            a.flush(Duration.ofSeconds(2));
            Message m = exact.nextMessage(Duration.ofSeconds(2));
            assertNotNull(m);
            assertEquals("one", text(m));
            assertEquals("abc", m.getHeaders().getFirst("X-Trace"));
            assertEquals("one", text(star.nextMessage(Duration.ofSeconds(2))));
            assertEquals("one", text(full.nextMessage(Duration.ofSeconds(2))));
            // One copy per subscription, however many of a server's subscriptions match.
            assertNull(star.nextMessage(Duration.ofMillis(200)));
            assertNull(full.nextMessage(Duration.ofMillis(50)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aQueueGroupSpreadOverThreeServersGetsEachMessageExactlyOnce(Impl impl) throws Exception {
        TestCluster c = cluster(impl);
        Connection[] conns = {c.connect(0), c.connect(1), c.connect(2)};
        try {
            Subscription[] members = new Subscription[3];
            for (int i = 0; i < 3; i++) {
                members[i] = conns[i].subscribe("jobs", "workers");
                conns[i].flush(Duration.ofSeconds(2));
            }
            awaitInterest(conns[0], conns[1], conns[2]);
            int total = 600;
            for (int i = 0; i < total; i++) conns[0].publish("jobs", bytes(Integer.toString(i)));
            conns[0].flush(Duration.ofSeconds(2));
            int[] got = new int[3];
            java.util.Set<String> seen = new java.util.HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.size() < total && System.nanoTime() < deadline) {
                for (int i = 0; i < 3; i++) {
                    Message m;
                    while ((m = members[i].nextMessage(Duration.ofMillis(20))) != null) {
                        assertTrue(seen.add(text(m)), "delivered twice: " + text(m));
                        got[i]++;
                    }
                }
            }
            assertEquals(total, seen.size());
            for (int i = 0; i < 3; i++) assertTrue(got[i] > total / 10, "member on server " + i + " got " + got[i]);
        } finally {
            for (Connection x : conns) x.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void requestReplyCrossesServersAndNoRespondersOnlyWhenNobodyListensAnywhere(Impl impl) throws Exception {
        TestCluster c = cluster(impl);
        try (Connection requester = c.connect(0); Connection responder = c.connect(2)) {
            var d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), bytes("re:" + text(m))));
            d.subscribe("svc.echo");
            responder.flush(Duration.ofSeconds(2));
            awaitInterest(requester, responder);
            Message reply = requester.request("svc.echo", bytes("hi"), Duration.ofSeconds(2));
            assertNotNull(reply);
            assertEquals("re:hi", text(reply));
            Exception none = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> requester.request("svc.nobody", bytes("x")).get(2, TimeUnit.SECONDS));
            assertTrue(!(none instanceof java.util.concurrent.TimeoutException), "a 503 answers at once");
            responder.closeDispatcher(d);
            responder.flush(Duration.ofSeconds(2));
            // Once the last responder is gone everywhere, the requester's server says so.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean noResponders = false;
            while (!noResponders && System.nanoTime() < deadline) {
                CompletableFuture<Message> f = requester.request("svc.echo", bytes("again"));
                try {
                    f.get(500, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    noResponders = true;
                } catch (java.util.concurrent.TimeoutException e) {
                    f.cancel(true);
                }
            }
            assertTrue(noResponders, "the departed responder's interest was withdrawn cluster-wide");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountsStayIsolatedAcrossTheCluster(Impl impl) throws Exception {
        try (TestCluster c = TestCluster.start("", """
                no_auth_user: a
                accounts {
                  A { users [ {user: a, password: a} ] }
                  B { users [ {user: b, password: b} ] }
                }
                """, impl, impl)) {
            Connection a1 = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                    .server("nats://a:a@127.0.0.1:" + c.node(1).port()).build());
            Connection b1 = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                    .server("nats://b:b@127.0.0.1:" + c.node(1).port()).build());
            Connection a0 = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                    .server("nats://a:a@127.0.0.1:" + c.node(0).port()).build());
            Connection b0 = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                    .server("nats://b:b@127.0.0.1:" + c.node(0).port()).build());
            try (a1; b1; a0; b0) {
                Subscription inA = a1.subscribe("shared.subject");
                Subscription inB = b1.subscribe("shared.subject");
                a1.flush(Duration.ofSeconds(2));
                b1.flush(Duration.ofSeconds(2));
                awaitInterest(a0, a1);
                awaitInterest(b0, b1);
                a0.publish("shared.subject", bytes("for A"));
                a0.flush(Duration.ofSeconds(2));
                assertEquals("for A", text(inA.nextMessage(Duration.ofSeconds(2))));
                assertNull(inB.nextMessage(Duration.ofMillis(300)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void everyServerAnswersTheSystemAccountsPingAndCountsTheOthers(Impl impl) throws Exception {
        try (TestCluster c = TestCluster.start("", """
                accounts {
                  SYS { users [ {user: sys, password: sys} ] }
                  APP { users [ {user: app, password: app} ] }
                }
                system_account: SYS
                no_auth_user: app
                """, impl, impl, impl);
             Connection sys = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                     .server("nats://sys:sys@127.0.0.1:" + c.node(0).port()).build())) {
            // Each server's system requests reach this one once its interest has spread.
            java.util.Set<String> ids = new java.util.HashSet<>();
            int activeServers = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ids.size() < 3 && System.nanoTime() < deadline) {
                ids.clear();
                String inbox = sys.createInbox();
                Subscription replies = sys.subscribe(inbox);
                sys.publish("$SYS.REQ.SERVER.PING", inbox, new byte[0]);
                Message m;
                while ((m = replies.nextMessage(Duration.ofMillis(500))) != null) {
                    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.getData());
                    ids.add(json.path("server").path("id").asText());
                    activeServers = Math.max(activeServers, json.path("statsz").path("active_servers").asInt());
                }
                replies.unsubscribe();
            }
            assertEquals(3, ids.size(), "one STATSZ from every server");
            assertEquals(3, activeServers);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void importsAndExportsWorkAcrossServersWithoutDuplicates(Impl impl) throws Exception {
        try (TestCluster c = TestCluster.start("", """
                no_auth_user: p
                accounts {
                  SVC {
                    users [ {user: s, password: s} ]
                    exports [ {service: "svc.>"}, {stream: "feed.>"} ]
                  }
                  APP {
                    users [ {user: a, password: a}, {user: p, password: p} ]
                    imports [ {service: {account: SVC, subject: "svc.>"}}, {stream: {account: SVC, subject: "feed.>"}} ]
                  }
                }
                """, impl, impl);
             Connection service = io.nats.client.Nats.connect("nats://s:s@127.0.0.1:" + c.node(0).port());
             Connection app = io.nats.client.Nats.connect("nats://a:a@127.0.0.1:" + c.node(1).port());
             Connection appLocal = io.nats.client.Nats.connect("nats://a:a@127.0.0.1:" + c.node(0).port())) {
            var d = service.createDispatcher(m -> service.publish(m.getReplyTo(), bytes("served " + m.getSubject())));
            d.subscribe("svc.time");
            service.flush(Duration.ofSeconds(2));
            Subscription feed = app.subscribe("feed.>");
            app.flush(Duration.ofSeconds(2));
            awaitInterest(appLocal, app);
            // A service import used from another server than the exporter's responder.
            Message reply = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reply == null && System.nanoTime() < deadline) {
                try {
                    reply = app.request("svc.time", bytes("?"), Duration.ofMillis(500));
                } catch (Exception e) {
                    // interest still spreading
                }
            }
            assertNotNull(reply);
            assertEquals("served svc.time", text(reply));
            // A stream import: published in SVC on node 0, received in APP on node 1 exactly once.
            for (int i = 0; i < 20; i++) service.publish("feed.news", bytes("n" + i));
            service.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 20; i++) {
                Message m = feed.nextMessage(Duration.ofSeconds(2));
                assertNotNull(m, "message " + i);
                assertEquals("n" + i, text(m));
            }
            assertNull(feed.nextMessage(Duration.ofMillis(300)), "each message once, not once per server");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void echoOffKeepsOwnMessagesFromTheSameConnectionOnly(Impl impl) throws Exception {
        TestCluster c = cluster(impl);
        try (Connection noEcho = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                .server(c.node(0).url()).noEcho().build());
             Connection other = c.connect(1)) {
            Subscription own = noEcho.subscribe("echo.test");
            Subscription remote = other.subscribe("echo.test");
            noEcho.flush(Duration.ofSeconds(2));
            other.flush(Duration.ofSeconds(2));
            awaitInterest(noEcho, other);
            noEcho.publish("echo.test", bytes("mine"));
            noEcho.flush(Duration.ofSeconds(2));
            assertEquals("mine", text(remote.nextMessage(Duration.ofSeconds(2))));
            assertNull(own.nextMessage(Duration.ofMillis(300)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void clusterImportPermissionsLimitWhatCrossesTheRoutes(Impl impl) throws Exception {
        try (TestCluster c = TestCluster.start("permissions { import: [\"allowed.>\", \"mesh.>\", \"probe.>\"] }", "",
                impl, impl);
             Connection pub = c.connect(0); Connection sub = c.connect(1)) {
            Subscription secret = sub.subscribe("secret");
            Subscription allowed = sub.subscribe("allowed.x");
            sub.flush(Duration.ofSeconds(2));
            awaitInterest(pub, sub);
            pub.publish("secret", bytes("no"));
            pub.publish("allowed.x", bytes("yes"));
            pub.flush(Duration.ofSeconds(2));
            assertEquals("yes", text(allowed.nextMessage(Duration.ofSeconds(2))));
            assertNull(secret.nextMessage(Duration.ofMillis(300)), "interest outside import is not announced");
        }
    }

    /**
     * JetStream on one server, its client on another: stored messages reach a push consumer's
     * client under the subject they were published on, and its acks find their way back.
     * The JetStream server's routes name only itself, so its meta group is itself alone; the API
     * answers once that group has elected it (a second or two), as a clustered upstream's does.
     * (jnatsd only: upstream waits for more JetStream servers than its routes name.)
     */
    @Test
    void aPushConsumerOnAnotherServerSeesTheStoredSubjectAndAcksBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (TestCluster c = TestCluster.start("", i -> i == 0 ? "jetstream { store_dir: \"" + dir + "\" }" : "",
                Impl.JNATSD, Impl.JNATSD);
             Connection remote = c.connect(1)) {
            var jsm = remote.jetStreamManagement();
            var quick = remote.jetStreamManagement(io.nats.client.JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(1)).build());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try {
                    quick.addStream(io.nats.client.api.StreamConfiguration.builder().name("ORD").subjects("orders.>").build());
                    break;
                } catch (java.io.IOException noAnswerYet) {
                    if (System.nanoTime() > deadline) throw noAnswerYet;
                }
            }
            var js = remote.jetStream();
            js.publish("orders.new", bytes("first"));
            Subscription sub = js.subscribe("orders.>", io.nats.client.PushSubscribeOptions.builder()
                    .durable("d1").build());
            Message m = sub.nextMessage(Duration.ofSeconds(3));
            assertNotNull(m);
            assertEquals("orders.new", m.getSubject());
            assertEquals("first", text(m));
            m.ackSync(Duration.ofSeconds(3));
            io.jnatsd.server.testing.TestServer.await(3000,
                    () -> io.jnatsd.server.testing.TestServer.consumerInfo(jsm, "ORD", "d1").getAckFloor().getConsumerSequence() == 1);
        }
    }

    @Test
    void gossipFromOneSeedGivesEveryJnatsdServerARouteToEveryOther() throws Exception {
        TestCluster c = cluster(Impl.JNATSD);
        for (int i = 0; i < 3; i++) {
            var cl = c.node(i).embedded().cluster();
            io.jnatsd.server.testing.TestServer.await(5000, () -> cl.peerCount() == 2);
        }
    }

    /** The embedding API: a cluster of three servers in one JVM, configured in code. */
    @Test
    void threeServersEmbeddedWithTheBuilderFormACluster() throws Exception {
        int seed = io.jnatsd.server.testing.TestServer.freePort();
        NatsServer[] servers = new NatsServer[3];
        try {
            for (int i = 0; i < 3; i++) {
                int routePort = i == 0 ? seed : 0;
                servers[i] = NatsServer.builder().host("127.0.0.1").port(0).serverName("e" + i).options(o -> {
                    o.cluster.name = "embedded";
                    o.cluster.host = "127.0.0.1";
                    o.cluster.port = routePort == 0 ? -1 : routePort;
                    o.cluster.routes = java.util.List.of(java.net.URI.create("nats-route://127.0.0.1:" + seed));
                }).start();
            }
            for (NatsServer s : servers) io.jnatsd.server.testing.TestServer.await(10_000, () -> s.cluster().peerCount() == 2);
            try (Connection a = io.nats.client.Nats.connect(servers[0].clientUrl());
                 Connection c = io.nats.client.Nats.connect(servers[2].clientUrl())) {
                Subscription s = c.subscribe("embedded.hello");
                c.flush(Duration.ofSeconds(2));
                awaitInterest(a, c);
                a.publish("embedded.hello", bytes("hi"));
                assertEquals("hi", text(s.nextMessage(Duration.ofSeconds(2))));
            }
        } finally {
            for (NatsServer s : servers) if (s != null) s.close();
        }
    }

    @Test
    void serversThatAllSeedEachOtherAtOnceEndWithOneRouteEach() throws Exception {
        try (TestCluster c = TestCluster.startFullySeeded(Impl.JNATSD, Impl.JNATSD, Impl.JNATSD)) {
            for (int i = 0; i < 3; i++) {
                var cl = c.node(i).embedded().cluster();
                io.jnatsd.server.testing.TestServer.await(10_000, () -> cl.peerCount() == 2);
            }
            Thread.sleep(1500); // longer than a reconnect pause: no route keeps flapping
            for (int i = 0; i < 3; i++) {
                assertEquals(2, c.node(i).embedded().cluster().peerCount(), "node " + i);
                // Per peer: the default pool of 3 plus the system account's pinned route
                int node = i;
                io.jnatsd.server.testing.TestServer.await(10_000, () -> c.node(node).embedded().cluster().routes().size() == 8);
            }
            c.awaitMesh(Duration.ofSeconds(5));
        }
    }

    @Test
    void aKilledServerRejoinsWhenItComesBack() throws Exception {
        try (TestCluster c = TestCluster.start(Impl.JNATSD, Impl.JNATSD, Impl.JNATSD)) {
            c.stop(1);
            io.jnatsd.server.testing.TestServer.await(5000, () -> c.node(0).embedded().cluster().peerCount() == 1);
            try (Connection a = c.connect(0); Connection cc = c.connect(2)) {
                Subscription s = cc.subscribe("still.there");
                cc.flush(Duration.ofSeconds(2));
                awaitInterest(a, cc);
                a.publish("still.there", bytes("x"));
                assertNotNull(s.nextMessage(Duration.ofSeconds(2)), "the survivors keep their route");
            }
            c.restart(1, Impl.JNATSD);
            c.awaitMesh(Duration.ofSeconds(20));
            for (int i = 0; i < 3; i++) {
                var cl = c.node(i).embedded().cluster();
                io.jnatsd.server.testing.TestServer.await(5000, () -> cl.peerCount() == 2);
            }
        }
    }
}
