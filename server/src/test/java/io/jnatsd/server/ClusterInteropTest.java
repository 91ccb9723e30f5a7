package io.jnatsd.server;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestCluster;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clusters that mix jnatsd and upstream nats-server 2.9.10 nodes: the route protocol is
 * upstream's, so pub/sub, headers, queue groups and request/reply work both ways. Skipped
 * when nats-server is not installed.
 */
class ClusterInteropTest {
    static Stream<Arguments> mixes() {
        return Stream.of(
                Arguments.of((Object) new Impl[] {Impl.JNATSD, Impl.UPSTREAM}),
                Arguments.of((Object) new Impl[] {Impl.UPSTREAM, Impl.JNATSD, Impl.JNATSD}),
                Arguments.of((Object) new Impl[] {Impl.JNATSD, Impl.UPSTREAM, Impl.JNATSD}));
    }

    @ParameterizedTest
    @MethodSource("mixes")
    void messagesHeadersQueuesAndRequestsCrossAMixedCluster(Impl[] kinds) throws Exception {
        Assumptions.assumeTrue(io.jnatsd.server.testing.TestServer.upstreamBinary() != null, "nats-server not installed");
        try (TestCluster c = TestCluster.start(kinds)) {
            for (int from = 0; from < c.size(); from++) {
                for (int to = 0; to < c.size(); to++) {
                    if (from != to) pubSubWithHeaders(c, from, to);
                }
            }
            queueGroupOverEveryNode(c);
            requestReply(c, 0, c.size() - 1);
            requestReply(c, c.size() - 1, 0);
        }
    }

    /**
     * /varz counts messages routes carry, as upstream does: a message published on one server and
     * delivered on another is out on the first (to its route) and in on the second (from it).
     */
    @ParameterizedTest
    @MethodSource("lameDuckPairs")
    void varzCountsRoutedMessages(Impl publishing, Impl receiving) throws Exception {
        if (publishing == Impl.UPSTREAM || receiving == Impl.UPSTREAM) {
            Assumptions.assumeTrue(io.jnatsd.server.testing.TestServer.upstreamBinary() != null, "nats-server not installed");
        }
        int[] http = {io.jnatsd.server.testing.TestServer.freePort(), io.jnatsd.server.testing.TestServer.freePort()};
        try (TestCluster c = TestCluster.start("", i -> "http: \"127.0.0.1:" + http[i] + "\"", publishing, receiving);
             Connection pub = c.connect(0); Connection sub = c.connect(1)) {
            var onPublishing = new io.jnatsd.server.testing.MonitorHttp("http://127.0.0.1:" + http[0]);
            var onReceiving = new io.jnatsd.server.testing.MonitorHttp("http://127.0.0.1:" + http[1]);
            Subscription s = sub.subscribe("counted");
            sub.flush(Duration.ofSeconds(2));
            awaitInterest(pub, sub);
            long outBefore = onPublishing.json("/varz").path("out_msgs").asLong();
            long inBefore = onReceiving.json("/varz").path("in_msgs").asLong();
            for (int i = 0; i < 20; i++) pub.publish("counted", new byte[] {(byte) i});
            for (int i = 0; i < 20; i++) assertNotNull(s.nextMessage(Duration.ofSeconds(5)));
            assertTrue(onPublishing.json("/varz").path("out_msgs").asLong() - outBefore >= 20, "routed out");
            // The receiving server counts each once in (from its route) and once out (to its client).
            long in = onReceiving.await("/varz", v -> v.path("in_msgs").asLong() - inBefore >= 20).path("in_msgs").asLong();
            assertTrue(in - inBefore >= 20 && in - inBefore < 40, "routed in: " + (in - inBefore));
        }
    }

    /**
     * Routes carry each server's WebSocket URLs ({@code ws_connect_urls}), and a WebSocket client
     * is told the cluster's WebSocket URLs, not the NATS ones, as upstream does.
     */
    @ParameterizedTest
    @MethodSource("lameDuckPairs")
    void webSocketClientsAreToldTheClustersWebSocketUrls(Impl other, Impl serving) throws Exception {
        if (other == Impl.UPSTREAM || serving == Impl.UPSTREAM) {
            Assumptions.assumeTrue(io.jnatsd.server.testing.TestServer.upstreamBinary() != null, "nats-server not installed");
        }
        int[] ws = {io.jnatsd.server.testing.TestServer.freePort(), io.jnatsd.server.testing.TestServer.freePort()};
        try (TestCluster c = TestCluster.start("", i -> "websocket {\n listen: \"127.0.0.1:" + ws[i] + "\"\n no_tls: true\n}", other, serving)) {
            String otherWs = "127.0.0.1:" + ws[0];
            String servingWs = "127.0.0.1:" + ws[1];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String info;
            do {
                try (var client = io.jnatsd.server.testing.WsClient.open(ws[1]).upgrade("")) {
                    info = client.readFrame().text();
                }
            } while (!info.contains(otherWs) && System.nanoTime() < deadline);
            assertTrue(info.contains(otherWs) && info.contains(servingWs), info);
            assertTrue(!info.contains(":" + c.node(0).port() + "\""), "no NATS URL for a WebSocket client: " + info);
        }
    }

    static Stream<Arguments> lameDuckPairs() {
        return Stream.of(
                Arguments.of(Impl.JNATSD, Impl.JNATSD),
                Arguments.of(Impl.UPSTREAM, Impl.JNATSD),
                Arguments.of(Impl.JNATSD, Impl.UPSTREAM));
    }

    /**
     * A server entering lame duck mode tells its clients ({@code ldm}, with only the other
     * servers' URLs) and its routes, whose servers then stop giving its URL to their clients.
     */
    @ParameterizedTest
    @MethodSource("lameDuckPairs")
    void aServerInLameDuckModeIsDroppedFromTheClientUrls(Impl leaving, Impl staying) throws Exception {
        if (leaving == Impl.UPSTREAM || staying == Impl.UPSTREAM) {
            Assumptions.assumeTrue(io.jnatsd.server.testing.TestServer.upstreamBinary() != null, "nats-server not installed");
        }
        try (TestCluster c = TestCluster.start("", "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"10s\"", leaving, staying);
             RawClient onLeaving = c.node(0).raw(); RawClient onStaying = c.node(1).raw()) {
            String leavingUrl = "127.0.0.1:" + c.node(0).port();
            String stayingUrl = "127.0.0.1:" + c.node(1).port();
            for (RawClient r : new RawClient[] {onLeaving, onStaying}) {
                r.setTimeout(10_000);
                r.connect("\"protocol\":1");
                r.untilPong();
            }
            // The staying server's clients know of the leaving one until now.
            assertTrue(onStaying.info().contains(leavingUrl), onStaying.info());
            c.node(0).enterLameDuckMode();
            String ldm = nextInfo(onLeaving, i -> i.contains("\"ldm\":true"));
            assertTrue(ldm.contains(stayingUrl) && !ldm.contains(leavingUrl), ldm);
            String after = nextInfo(onStaying, i -> !i.contains(leavingUrl));
            assertTrue(!after.contains("\"ldm\""), after);
        }
    }

    /** The next INFO line the server sends that {@code wanted} accepts (answering PINGs meanwhile), or null at a timeout. */
    private static String nextInfo(RawClient r, java.util.function.Predicate<String> wanted) throws Exception {
        if (wanted.test(r.info())) return r.info();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String line;
            try {
                line = r.readLine();
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
            if (line == null) return null;
            if (line.equals("PING")) r.send("PONG\r\n");
            if (line.startsWith("INFO ") && wanted.test(line)) return line;
        }
        return null;
    }

    /** Routes over TLS with certificates verified both ways, between every mix of the two servers. */
    @ParameterizedTest
    @MethodSource("tlsPairs")
    void routesOverVerifiedTls(Impl[] kinds) throws Exception {
        for (Impl k : kinds) {
            if (k == Impl.UPSTREAM) {
                Assumptions.assumeTrue(io.jnatsd.server.testing.TestServer.upstreamBinary() != null, "nats-server not installed");
            }
        }
        var certs = io.jnatsd.server.testing.TestCerts.get();
        try (TestCluster c = TestCluster.start(certs.tlsBlock("verify: true\ntimeout: 3"), "", kinds)) {
            pubSubWithHeaders(c, 0, 1);
            pubSubWithHeaders(c, 1, 0);
        }
    }

    static Stream<Arguments> tlsPairs() {
        return Stream.of(
                Arguments.of((Object) new Impl[] {Impl.JNATSD, Impl.JNATSD}),
                Arguments.of((Object) new Impl[] {Impl.UPSTREAM, Impl.UPSTREAM}),
                Arguments.of((Object) new Impl[] {Impl.JNATSD, Impl.UPSTREAM}),
                Arguments.of((Object) new Impl[] {Impl.UPSTREAM, Impl.JNATSD}));
    }

    /** A peer whose certificate the cluster's CA did not sign never gets a route. */
    @org.junit.jupiter.api.Test
    void aRoutePeerWithAnUntrustedCertificateIsRefused() throws Exception {
        var certs = io.jnatsd.server.testing.TestCerts.get();
        int routePort = io.jnatsd.server.testing.TestServer.freePort();
        try (var server = io.jnatsd.server.testing.TestServer.start(Impl.JNATSD, "cluster {\n name: c1\n listen: \"127.0.0.1:"
                + routePort + "\"\n" + certs.tlsBlock("verify: true") + "}\n")) {
            javax.net.ssl.SSLContext rogue = certs.clientContext(certs.rogueCert, certs.rogueKey);
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) rogue.getSocketFactory().createSocket("127.0.0.1", routePort)) {
                s.setSoTimeout(3000);
                Exception failed = null;
                try {
                    s.startHandshake();
                    s.getInputStream().read();
                } catch (java.io.IOException e) {
                    failed = e;
                }
                assertNotNull(failed, "the handshake or the first read fails");
            }
            assertEquals(0, server.embedded().cluster().peerCount());
        }
    }

    private static void pubSubWithHeaders(TestCluster c, int from, int to) throws Exception {
        try (Connection pub = c.connect(from); Connection sub = c.connect(to)) {
            String subject = "x." + from + "." + to;
            Subscription s = sub.subscribe("x.>");
            sub.flush(Duration.ofSeconds(2));
            awaitInterest(pub, sub);
            pub.publish(NatsMessage.builder().subject(subject).headers(new Headers().add("K", "v" + from))
                    .data(bytes("hello")).build());
            pub.publish(subject, bytes("plain"));
            pub.flush(Duration.ofSeconds(2));
            Message m = s.nextMessage(Duration.ofSeconds(2));
            assertNotNull(m, "node " + from + " -> node " + to);
            assertEquals(subject, m.getSubject());
            assertEquals("hello", text(m));
            assertEquals("v" + from, m.getHeaders().getFirst("K"));
            Message plain = s.nextMessage(Duration.ofSeconds(2));
            assertEquals("plain", text(plain));
            assertTrue(plain.getHeaders() == null || plain.getHeaders().isEmpty());
        }
    }

    private static void queueGroupOverEveryNode(TestCluster c) throws Exception {
        int n = c.size();
        Connection[] conns = new Connection[n];
        Subscription[] members = new Subscription[n];
        try {
            for (int i = 0; i < n; i++) {
                conns[i] = c.connect(i);
                members[i] = conns[i].subscribe("work", "q");
                conns[i].flush(Duration.ofSeconds(2));
            }
            for (int p = 0; p < n; p++) {
                for (int i = 0; i < n; i++) if (i != p) awaitInterest(conns[p], conns[i]);
            }
            int total = 300;
            for (int p = 0; p < n; p++) {
                for (int i = 0; i < total / n; i++) conns[p].publish("work", bytes(p + "-" + i));
                conns[p].flush(Duration.ofSeconds(2));
            }
            Set<String> seen = new HashSet<>();
            int[] got = new int[n];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.size() < total && System.nanoTime() < deadline) {
                for (int i = 0; i < n; i++) {
                    Message m;
                    while ((m = members[i].nextMessage(Duration.ofMillis(20))) != null) {
                        assertTrue(seen.add(text(m)), "twice: " + text(m));
                        got[i]++;
                    }
                }
            }
            assertEquals(total, seen.size(), "every message served once");
            for (int i = 0; i < n; i++) assertTrue(got[i] > 0, "the member on node " + i + " got some");
        } finally {
            for (Connection x : conns) if (x != null) x.close();
        }
    }

    private static void requestReply(TestCluster c, int requesterNode, int responderNode) throws Exception {
        try (Connection req = c.connect(requesterNode); Connection resp = c.connect(responderNode)) {
            var d = resp.createDispatcher(m -> resp.publish(m.getReplyTo(), m.getHeaders() == null ? null
                    : new Headers().add("Echo", m.getHeaders().getFirst("Ask")), bytes("re:" + text(m))));
            d.subscribe("svc");
            resp.flush(Duration.ofSeconds(2));
            awaitInterest(req, resp);
            Message reply = req.request(NatsMessage.builder().subject("svc").headers(new Headers().add("Ask", "yes"))
                    .data(bytes("q")).build(), Duration.ofSeconds(3));
            assertNotNull(reply, "request from node " + requesterNode + " to node " + responderNode);
            assertEquals("re:q", text(reply));
            assertEquals("yes", reply.getHeaders().getFirst("Echo"));
        }
    }
}
