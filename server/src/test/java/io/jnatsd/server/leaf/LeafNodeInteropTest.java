package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.OperatorFixture;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hub and a leaf node, each jnatsd or upstream nats-server 2.9.10 (every mix, upstream with
 * upstream as the oracle): messages, headers, request/reply and queue groups cross the leaf
 * connection both ways, as upstream's leaf protocol carries them. Upstream mixes are skipped
 * when nats-server is not installed.
 */
class LeafNodeInteropTest {
    static Stream<Arguments> mixes() {
        return Stream.of(
                Arguments.of(Impl.JNATSD, Impl.JNATSD),
                Arguments.of(Impl.JNATSD, Impl.UPSTREAM),
                Arguments.of(Impl.UPSTREAM, Impl.JNATSD),
                Arguments.of(Impl.UPSTREAM, Impl.UPSTREAM));
    }

    @ParameterizedTest
    @MethodSource("mixes")
    void messagesHeadersAndRequestsCrossBothWays(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl);
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            pubSub(hub, leaf, "to.leaf");
            pubSub(leaf, hub, "to.hub");
            requestReply(hub, leaf);
            requestReply(leaf, hub);
        }
    }

    private static void pubSub(Connection from, Connection to, String subject) throws Exception {
        Subscription s = to.subscribe(subject);
        to.flush(Duration.ofSeconds(2));
        awaitInterest(from, to);
        awaitSubject(from, to, s, subject);
        Headers h = new Headers().add("X-Leaf", "yes");
        from.publish(NatsMessage.builder().subject(subject).headers(h).data(bytes("with headers")).build());
        from.publish(subject, bytes("plain"));
        from.flush(Duration.ofSeconds(2));
        Message m = s.nextMessage(Duration.ofSeconds(5));
        assertNotNull(m, "message with headers on " + subject);
        assertEquals("with headers", text(m));
        assertEquals("yes", m.getHeaders().getFirst("X-Leaf"));
        Message plain = s.nextMessage(Duration.ofSeconds(5));
        assertNotNull(plain);
        assertEquals("plain", text(plain));
        assertNull(s.nextMessage(Duration.ofMillis(100)), "each message once");
        s.unsubscribe();
    }

    /** Polls until {@code subject}'s subscription is known on the other side, draining the probes. */
    static void awaitSubject(Connection from, Connection to, Subscription s, String subject) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            from.publish(subject, bytes("probe"));
            from.flush(Duration.ofSeconds(2));
            Message m = s.nextMessage(Duration.ofMillis(50));
            if (m != null) break;
            if (System.nanoTime() > deadline) throw new AssertionError("interest in " + subject + " did not cross");
        }
        to.flush(Duration.ofSeconds(2));
        while (s.nextMessage(Duration.ofMillis(100)) != null) {
            // drain probes
        }
    }

    private static void requestReply(Connection requester, Connection responder) throws Exception {
        String subject = "svc." + io.nats.client.NUID.nextGlobal();
        var d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), bytes("re:" + text(m))));
        d.subscribe(subject);
        responder.flush(Duration.ofSeconds(2));
        Message reply = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reply == null && System.nanoTime() < deadline) {
            try {
                reply = requester.request(subject, bytes("q"), Duration.ofMillis(500));
            } catch (Exception e) {
                // no responders yet: interest has not crossed
            }
        }
        assertNotNull(reply, "reply crossed the leaf connection");
        assertEquals("re:q", text(reply));
        responder.closeDispatcher(d);
    }

    /**
     * Queue members on both sides: each side's publishers are served by its own members (as
     * upstream prefers them); with members only on the hub, a leaf's messages go there, each
     * exactly once.
     */
    @ParameterizedTest
    @MethodSource("mixes")
    void queueGroupsPreferLocalMembersAndCrossWhenThereAreNone(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl);
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            Subscription h1 = hub.subscribe("work", "q");
            Subscription h2 = hub.subscribe("work", "q");
            hub.flush(Duration.ofSeconds(2));
            awaitInterest(leaf, hub);
            awaitQueue(leaf, h1, h2);
            for (int i = 0; i < 20; i++) leaf.publish("work", bytes("m" + i));
            leaf.flush(Duration.ofSeconds(2));
            assertEquals(20, drain(h1) + drain(h2), "every message to one hub member");

            Subscription l1 = leaf.subscribe("work", "q");
            leaf.flush(Duration.ofSeconds(2));
            awaitInterest(hub, leaf);
            for (int i = 0; i < 20; i++) leaf.publish("work", bytes("l" + i));
            for (int i = 0; i < 20; i++) hub.publish("work", bytes("h" + i));
            leaf.flush(Duration.ofSeconds(2));
            hub.flush(Duration.ofSeconds(2));
            assertEquals(20, drain(l1), "the leaf's messages stay with its member");
            assertEquals(20, drain(h1) + drain(h2), "the hub's messages stay with its members");
        }
    }

    /** Publishes on the queue subject until a hub member gets one (the group's interest crossed), then drains. */
    private static void awaitQueue(Connection from, Subscription... members) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            from.publish("work", bytes("probe"));
            from.flush(Duration.ofSeconds(2));
            int got = 0;
            for (Subscription m : members) got += drain(m);
            if (got > 0) return;
            if (System.nanoTime() > deadline) throw new AssertionError("queue interest did not cross");
        }
    }

    private static int drain(Subscription s) throws Exception {
        int n = 0;
        while (s.nextMessage(Duration.ofMillis(150)) != null) n++;
        return n;
    }

    /** A leaf node user bound to account A: the leaf shares A's subjects, and never B's. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aLeafBoundToAnAccountSeesThatAccountOnly(Impl hubImpl, Impl leafImpl) throws Exception {
        String accounts = "accounts { A { users: [ { user: a, password: a } ] }, B { users: [ { user: b, password: b } ] } }\n";
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, accounts,
                "authorization { users: [ { user: la, password: lp, account: A } ] }\n", "la:lp@", "");
             Connection a = LeafPair.connect(p.hub, "a:a");
             Connection b = LeafPair.connect(p.hub, "b:b");
             Connection leaf = p.leafClient()) {
            Subscription inA = a.subscribe("acct.x");
            Subscription inB = b.subscribe("acct.x");
            a.flush(Duration.ofSeconds(2));
            b.flush(Duration.ofSeconds(2));
            awaitInterest(leaf, a);
            awaitSubject(leaf, a, inA, "acct.x");
            leaf.publish("acct.x", bytes("hello A"));
            leaf.flush(Duration.ofSeconds(2));
            Message m = inA.nextMessage(Duration.ofSeconds(5));
            assertNotNull(m);
            assertEquals("hello A", text(m));
            assertNull(inB.nextMessage(Duration.ofMillis(300)), "account B sees nothing of the leaf");

            Subscription onLeaf = leaf.subscribe("acct.y");
            leaf.flush(Duration.ofSeconds(2));
            awaitInterest(a, leaf);
            b.publish("acct.y", bytes("from B"));
            a.publish("acct.y", bytes("from A"));
            b.flush(Duration.ofSeconds(2));
            a.flush(Duration.ofSeconds(2));
            Message y = onLeaf.nextMessage(Duration.ofSeconds(5));
            assertNotNull(y);
            assertEquals("from A", text(y));
            assertNull(onLeaf.nextMessage(Duration.ofMillis(300)), "B's message stays in B");
        }
    }

    /** Operator mode hub: the leaf authenticates with a user's .creds file and binds to that user's account. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aLeafWithCredentialsBindsToItsUsersAccount(Impl hubImpl, Impl leafImpl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        var accA = op.addAccount("A");
        var accB = op.addAccount("B");
        var leafUser = op.user(accA);
        var userA = op.user(accA);
        var userB = op.user(accB);
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, op.memoryConfig(), "", "",
                "credentials: \"" + leafUser.creds() + "\"\n");
             Connection a = userA.connect(p.hub);
             Connection b = userB.connect(p.hub);
             Connection leaf = p.leafClient()) {
            Subscription inA = a.subscribe("creds.x");
            Subscription inB = b.subscribe("creds.x");
            a.flush(Duration.ofSeconds(2));
            b.flush(Duration.ofSeconds(2));
            awaitSubject(leaf, a, inA, "creds.x");
            leaf.publish("creds.x", bytes("signed"));
            leaf.flush(Duration.ofSeconds(2));
            Message m = inA.nextMessage(Duration.ofSeconds(5));
            assertNotNull(m);
            assertEquals("signed", text(m));
            assertNull(inB.nextMessage(Duration.ofMillis(300)));
        }
    }

    /** A leaf whose credentials the hub refuses never connects; both servers go on serving their clients. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aLeafWithWrongCredentialsIsRefused(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, "", "authorization { user: leaf, password: right }\n",
                "leaf:wrong@", "");
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            // The leaf redials every second; it must stay refused the whole time.
            long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(0, new MonitorHttp(p.hub).json("/leafz").get("leafnodes").asInt());
                assertEquals(0, new MonitorHttp(p.leaf).json("/leafz").get("leafnodes").asInt());
            }
            Subscription s = hub.subscribe("still.up");
            hub.publish("still.up", bytes("y"));
            assertNotNull(s.nextMessage(Duration.ofSeconds(2)));
            Subscription ls = leaf.subscribe("still.up");
            leaf.publish("still.up", bytes("y"));
            assertNotNull(ls.nextMessage(Duration.ofSeconds(2)));
        }
    }

    /**
     * Leaf connections over TLS, verified both ways: the hub's INFO goes out in plaintext with
     * {@code tls_required}, then the leaf starts the handshake, as upstream does.
     */
    @ParameterizedTest
    @MethodSource("mixes")
    void leafConnectionsOverVerifiedTls(Impl hubImpl, Impl leafImpl) throws Exception {
        var certs = io.jnatsd.server.testing.TestCerts.get();
        String clientTls = "tls { cert_file: \"" + certs.aliceCert + "\", key_file: \"" + certs.aliceKey
                + "\", ca_file: \"" + certs.caCert + "\" }\n";
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, "", certs.tlsBlock("verify: true\ntimeout: 3"), "", clientTls);
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            pubSub(hub, leaf, "tls.to.leaf");
            pubSub(leaf, hub, "tls.to.hub");
        }
    }

    /**
     * A remote's {@code deny_imports} keeps those subjects from coming in (even for a wider
     * subscription) and {@code deny_exports} keeps them from going out; other subjects cross.
     */
    @ParameterizedTest
    @MethodSource("mixes")
    void denyImportsAndExportsStopThoseSubjectsOnly(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, "", "", "",
                "deny_imports: [\"private.>\"]\ndeny_exports: [\"secret.>\"]\n");
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            Subscription all = leaf.subscribe(">");
            Subscription onHub = hub.subscribe("*.x");
            leaf.flush(Duration.ofSeconds(2));
            hub.flush(Duration.ofSeconds(2));
            awaitSubject(hub, leaf, all, "public.x");
            awaitSubject(leaf, hub, onHub, "open.x");
            hub.publish("private.x", bytes("no"));
            hub.publish("public.x", bytes("yes"));
            leaf.publish("secret.x", bytes("no"));
            leaf.publish("open.x", bytes("yes"));
            hub.flush(Duration.ofSeconds(2));
            leaf.flush(Duration.ofSeconds(2));
            List<String> atLeaf = subjects(all);
            List<String> atHub = subjects(onHub);
            assertTrue(atLeaf.contains("public.x") && !atLeaf.contains("private.x"), atLeaf.toString());
            assertTrue(atHub.contains("open.x") && !atHub.contains("secret.x"), atHub.toString());
        }
    }

    private static List<String> subjects(Subscription s) throws Exception {
        List<String> out = new ArrayList<>();
        Message m;
        while ((m = s.nextMessage(Duration.ofMillis(200))) != null) out.add(m.getSubject());
        return out;
    }

    /** Without JetStream domains each side's JetStream answers for itself: the API does not cross. */
    @ParameterizedTest
    @MethodSource("mixes")
    void theJetStreamApiDoesNotCross(Impl hubImpl, Impl leafImpl) throws Exception {
        java.nio.file.Path store = java.nio.file.Files.createTempDirectory("leaf-js");
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, "jetstream { store_dir: \"" + store + "\" }\n", "", "", "");
             Connection hub = p.hubClient();
             Connection leaf = p.leafClient()) {
            awaitInterest(leaf, hub);
            awaitInterest(hub, leaf);
            assertNotNull(hub.request("$JS.API.INFO", new byte[0], Duration.ofSeconds(2)), "the hub's JetStream answers there");
            var reply = leaf.request("$JS.API.INFO", new byte[0]);
            // jnats cancels a request that gets the no-responders status
            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CancellationException.class,
                    () -> reply.get(3, java.util.concurrent.TimeUnit.SECONDS), "nobody answers the leaf's JetStream API request");
        }
    }
}
