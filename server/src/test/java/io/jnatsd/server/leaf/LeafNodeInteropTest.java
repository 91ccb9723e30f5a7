package io.jnatsd.server.leaf;

import static io.jnatsd.server.testing.TestCluster.awaitInterest;
import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
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
}
