package io.jnatsd.server.gateway;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.SuperCluster;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two clusters joined by gateways (A of two servers, B of one): messages, queue groups and
 * request/reply cross in both directions, each message once, with every mix of jnatsd and
 * upstream nats-server 2.9.10 on either side (the mixes skip when nats-server is absent).
 */
class GatewayTest {
    private static final Impl J = Impl.JNATSD;
    private static final Impl U = Impl.UPSTREAM;

    /** jnatsd alone; upstream in B; and a cluster A mixing both (the upstream server names B, jnatsd learns it by gossip). */
    static Stream<Arguments> topologies() {
        return Stream.of(
                Arguments.of(new Impl[] {J, J}, new Impl[] {J}),
                Arguments.of(new Impl[] {J, J}, new Impl[] {U}),
                Arguments.of(new Impl[] {U, J}, new Impl[] {J}));
    }

    @ParameterizedTest
    @MethodSource("topologies")
    void messagesQueuesAndRequestsCrossTheGatewayOnce(Impl[] a, Impl[] b) throws Exception {
        boolean upstream = Stream.concat(Stream.of(a), Stream.of(b)).anyMatch(k -> k == U);
        if (upstream) Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "nats-server not installed");
        try (SuperCluster s = SuperCluster.start(a, b)) {
            pubSubOnce(s, 0, 0, 1, 0);
            pubSubOnce(s, 0, 1, 1, 0);
            pubSubOnce(s, 1, 0, 0, 1);
            fanOutToEveryServerOfTheOtherCluster(s);
            queueGroupServedLocallyFirst(s);
            requestReply(s, 0, 1, 1, 0);
            requestReply(s, 1, 0, 0, 1);
        }
    }

    static Stream<Arguments> accountMixes() {
        return Stream.of(Arguments.of(J, J), Arguments.of(J, U), Arguments.of(U, J));
    }

    private static final String ACCOUNTS = "accounts {\n  SYS { users [ {user: sys, password: sys} ] }\n"
            + "  APP { users [ {user: app, password: app} ] }\n  OTHER { users [ {user: other, password: other} ] }\n}\n"
            + "system_account: SYS\nno_auth_user: other\n";

    /**
     * Accounts other than the global one cross as themselves, and the system account spans the
     * super-cluster: a client connecting in A is announced to a system subscriber in B, and B's
     * system account can ping every server (A's answer too).
     */
    @ParameterizedTest
    @MethodSource("accountMixes")
    void accountsAndTheSystemAccountSpanTheClusters(Impl a, Impl b) throws Exception {
        if (a == U || b == U) Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "nats-server not installed");
        try (SuperCluster s = SuperCluster.start(ACCOUNTS, new Impl[] {a}, new Impl[] {b});
             Connection sys = s.connect(1, 0, "sys", "sys");
             Connection appB = s.connect(1, 0, "app", "app")) {
            Subscription events = sys.subscribe("$SYS.ACCOUNT.APP.CONNECT");
            Subscription appSub = appB.subscribe("app.data");
            sys.flush(Duration.ofSeconds(2));
            appB.flush(Duration.ofSeconds(2));
            try (Connection probe = s.connect(0, 0, "sys", "sys")) {
                SuperCluster.awaitInterest(Duration.ofSeconds(10), probe, sys);
            }
            try (Connection appA = s.connect(0, 0, "app", "app")) {
                // appB's own connect event (from B0) may still be on its way: the one from A0 is awaited
                Message connect = events.nextMessage(Duration.ofSeconds(5));
                if (connect != null && text(connect).contains("\"name\":\"B0\"")) connect = events.nextMessage(Duration.ofSeconds(5));
                assertNotNull(connect, "the connect event of a client in A reached B's system account");
                assertTrue(text(connect).contains("\"name\":\"A0\""), text(connect));
                SuperCluster.awaitInterest(Duration.ofSeconds(10), appA, appB);
                appA.publish("app.data", bytes("in APP"));
                appA.flush(Duration.ofSeconds(2));
                Message m = appSub.nextMessage(Duration.ofSeconds(5));
                assertNotNull(m);
                assertEquals("in APP", text(m));
            }
            try (Connection otherA = s.connect(0, 0)) {
                otherA.publish("app.data", bytes("in OTHER"));
                otherA.flush(Duration.ofSeconds(2));
                assertNull(appSub.nextMessage(Duration.ofMillis(300)), "another account's message stayed out of APP");
            }
            var inbox = sys.createInbox();
            Subscription pongs = sys.subscribe(inbox);
            sys.publish("$SYS.REQ.SERVER.PING", inbox, new byte[0]);
            sys.flush(Duration.ofSeconds(2));
            java.util.Set<String> servers = new java.util.HashSet<>();
            for (Message p = pongs.nextMessage(Duration.ofSeconds(3)); p != null && servers.size() < 2;
                 p = pongs.nextMessage(Duration.ofSeconds(2))) {
                var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(p.getData());
                String name = json.path("server").path("name").asText();
                servers.add(name);
                var gateways = json.path("statsz").path("gateways");
                assertEquals(1, gateways.size(), "statsz lists the outbound gateway: " + json);
                assertEquals(name.startsWith("A") ? "B" : "A", gateways.get(0).path("name").asText());
                assertEquals(1, gateways.get(0).path("inbound_connections").asInt());
            }
            assertEquals(java.util.Set.of("A0", "B0"), servers, "a server ping in B is answered by both clusters");
        }
    }

    static Stream<Arguments> tlsMixes() {
        return Stream.of(Arguments.of(J, J), Arguments.of(J, U));
    }

    /**
     * Gateways with TLS both ways (the handshake first, each side verifying the other's
     * certificate): jnatsd dials and accepts, with jnatsd and with upstream; and a gateway
     * with credentials in the remote's URL.
     */
    @ParameterizedTest
    @MethodSource("tlsMixes")
    void tlsAndCredentialsOnTheGateway(Impl a, Impl b) throws Exception {
        if (a == U || b == U) Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "nats-server not installed");
        var certs = io.jnatsd.server.testing.TestCerts.get();
        String gateway = certs.tlsBlock("verify: true\ntimeout: 3") + "\nauthorization { user: gw, password: gw }\n";
        try (SuperCluster s = SuperCluster.start("", gateway, new Impl[] {a}, new Impl[] {b})) {
            pubSubOnce(s, 0, 0, 1, 0);
            pubSubOnce(s, 1, 0, 0, 0);
        }
    }

    /** {@code pinned_certs} naming the peers' key: the gateways connect and carry messages, as upstream. */
    @ParameterizedTest
    @MethodSource("tlsMixes")
    void pinnedCertsOnTheGatewayLetThePinnedPeerIn(Impl a, Impl b) throws Exception {
        if (a == U || b == U) Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "nats-server not installed");
        var certs = io.jnatsd.server.testing.TestCerts.get();
        String gateway = certs.tlsBlock("verify: true\ntimeout: 3\npinned_certs: [\"" + spkiSha256(certs.serverCert) + "\"]");
        try (SuperCluster s = SuperCluster.start("", gateway, new Impl[] {a}, new Impl[] {b})) {
            pubSubOnce(s, 0, 0, 1, 0);
            pubSubOnce(s, 1, 0, 0, 0);
        }
    }

    /** Pinned to another key, the peer's certificate is refused in the handshake: no gateway forms. */
    @org.junit.jupiter.api.Test
    void pinnedCertsOnTheGatewayKeepOtherPeersOut() throws Exception {
        var certs = io.jnatsd.server.testing.TestCerts.get();
        int portA = TestServer.freePort();
        int portB = TestServer.freePort();
        String tls = certs.tlsBlock("verify: true\ntimeout: 3\npinned_certs: [\"" + spkiSha256(certs.aliceCert) + "\"]");
        try (TestServer ga = TestServer.startMonitored(J, "server_name: a0\ngateway { name: A, listen: \"127.0.0.1:" + portA
                + "\"\n" + tls + " gateways: [ { name: B, url: \"nats://127.0.0.1:" + portB + "\" } ] }\n", null);
             TestServer gb = TestServer.startMonitored(J, "server_name: b0\ngateway { name: B, listen: \"127.0.0.1:" + portB
                     + "\"\n" + tls + " gateways: [ { name: A, url: \"nats://127.0.0.1:" + portA + "\" } ] }\n", null)) {
            var monitor = new io.jnatsd.server.testing.MonitorHttp(ga);
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                var gz = monitor.json("/gatewayz");
                assertEquals(0, gz.path("outbound_gateways").size() + gz.path("inbound_gateways").size(), gz.toString());
                Thread.sleep(100);
            }
        }
    }

    private static String spkiSha256(java.nio.file.Path cert) throws Exception {
        try (var in = java.nio.file.Files.newInputStream(cert)) {
            var c = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded()));
        }
    }

    /** Each message published in one cluster reaches a subscriber in the other exactly once, in order. */
    private static void pubSubOnce(SuperCluster s, int pc, int pi, int sc, int si) throws Exception {
        try (Connection pub = s.connect(pc, pi); Connection sub = s.connect(sc, si)) {
            Subscription subscription = sub.subscribe("gw.once");
            sub.flush(Duration.ofSeconds(2));
            SuperCluster.awaitInterest(Duration.ofSeconds(10), pub, sub);
            for (int n = 0; n < 20; n++) pub.publish("gw.once", bytes("m" + n));
            pub.flush(Duration.ofSeconds(2));
            for (int n = 0; n < 20; n++) {
                Message m = subscription.nextMessage(Duration.ofSeconds(5));
                assertNotNull(m, "message " + n + " from " + SuperCluster.name(pc) + pi);
                assertEquals("m" + n, text(m));
            }
            assertNull(subscription.nextMessage(Duration.ofMillis(200)), "a message crossed twice");
        }
    }

    /** A message published in B reaches subscribers on both servers of A, once each (one gateway hop, then the route). */
    private static void fanOutToEveryServerOfTheOtherCluster(SuperCluster s) throws Exception {
        try (Connection pub = s.connect(1, 0); Connection a0 = s.connect(0, 0); Connection a1 = s.connect(0, 1)) {
            Subscription s0 = a0.subscribe("gw.fan");
            Subscription s1 = a1.subscribe("gw.fan");
            a0.flush(Duration.ofSeconds(2));
            a1.flush(Duration.ofSeconds(2));
            SuperCluster.awaitInterest(Duration.ofSeconds(10), pub, a0);
            SuperCluster.awaitInterest(Duration.ofSeconds(10), pub, a1);
            pub.publish("gw.fan", bytes("x"));
            pub.flush(Duration.ofSeconds(2));
            assertNotNull(s0.nextMessage(Duration.ofSeconds(5)));
            assertNotNull(s1.nextMessage(Duration.ofSeconds(5)));
            assertNull(s0.nextMessage(Duration.ofMillis(200)));
            assertNull(s1.nextMessage(Duration.ofMillis(100)));
        }
    }

    /**
     * A queue group with members in both clusters: what A publishes goes to A's member; once A has
     * none, to B's. Each message to exactly one member.
     */
    private static void queueGroupServedLocallyFirst(SuperCluster s) throws Exception {
        try (Connection pub = s.connect(0, 0); Connection local = s.connect(0, 1); Connection remote = s.connect(1, 0)) {
            Subscription q1 = local.subscribe("gw.q", "workers");
            Subscription q2 = remote.subscribe("gw.q", "workers");
            local.flush(Duration.ofSeconds(2));
            remote.flush(Duration.ofSeconds(2));
            SuperCluster.awaitInterest(Duration.ofSeconds(10), pub, local);
            SuperCluster.awaitInterest(Duration.ofSeconds(10), pub, remote);
            for (int n = 0; n < 10; n++) pub.publish("gw.q", bytes("l" + n));
            pub.flush(Duration.ofSeconds(2));
            for (int n = 0; n < 10; n++) assertNotNull(q1.nextMessage(Duration.ofSeconds(5)), "local member, message " + n);
            assertNull(q2.nextMessage(Duration.ofMillis(200)), "the remote cluster's member got a message A could serve");
            q1.unsubscribe();
            local.flush(Duration.ofSeconds(2));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Message m = null;
            while (m == null && System.nanoTime() < deadline) {
                pub.publish("gw.q", bytes("r"));
                pub.flush(Duration.ofSeconds(2));
                m = q2.nextMessage(Duration.ofMillis(100));
            }
            assertNotNull(m, "with no member left in A, B's member serves the group");
        }
    }

    /**
     * A responder in one cluster answers a requester in the other, with a fresh connection (its
     * inbox just subscribed, so the reply is mapped to come back directly); the responder is shown
     * the plain reply subject, as upstream shows it.
     */
    private static void requestReply(SuperCluster s, int rc, int ri, int qc, int qi) throws Exception {
        java.util.List<String> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Connection responder = s.connect(rc, ri)) {
            responder.createDispatcher(m -> {
                replies.add(m.getReplyTo());
                responder.publish(m.getReplyTo(), bytes("re:" + text(m)));
            }).subscribe("gw.svc");
            responder.flush(Duration.ofSeconds(2));
            try (Connection probe = s.connect(qc, qi)) {
                SuperCluster.awaitInterest(Duration.ofSeconds(10), probe, responder);
            }
            for (int n = 0; n < 3; n++) {
                try (Connection requester = s.connect(qc, qi)) {
                    Message reply = requester.request("gw.svc", bytes("q" + n), Duration.ofSeconds(5));
                    assertNotNull(reply, "request " + n);
                    assertEquals("re:q" + n, text(reply));
                    assertTrue(reply.getSubject().startsWith("_INBOX."), reply.getSubject());
                }
            }
            for (String r : replies) assertTrue(r.startsWith("_INBOX."), "the responder sees the plain reply: " + r);
        }
    }
}
