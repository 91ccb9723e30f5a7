package io.jnatsd.server.leaf;

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
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A leaf node that authenticates as a user of the hub's own authorization is held to that
 * user's permissions, seen from the leaf: it may publish only what {@code publish} allows and
 * receive only what {@code subscribe} allows, both ways enforced as upstream does (the hub
 * filters, and tells the leaf its permissions in INFO). Each mix of jnatsd and upstream
 * nats-server 2.9.10. ({@code leafnodes.authorization.users} take no permissions in 2.9.10:
 * an unknown field, see LeafNodeConfigTest.)
 */
class LeafPermissionsTest {
    private static final String HUB_AUTH = """
            authorization { users [
              { user: admin, password: pw }
              { user: leaf, password: pw, permissions: { publish: "up.>", subscribe: "down.>" } }
            ] }
            """;

    static Stream<Arguments> mixes() {
        return LeafNodeInteropTest.mixes();
    }

    @ParameterizedTest
    @MethodSource("mixes")
    void theLeafPublishesAndReceivesOnlyWhatItsUserMay(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, HUB_AUTH, "", "leaf:pw@", "");
             Connection hub = LeafPair.connect(p.hub, "admin:pw");
             Connection leaf = p.leafClient()) {
            Subscription atHub = hub.subscribe(">");
            hub.flush(Duration.ofSeconds(2));
            awaitCrossing(leaf, atHub, "up.probe");
            leaf.publish("other.a", bytes("denied"));
            leaf.publish("up.a", bytes("allowed"));
            leaf.flush(Duration.ofSeconds(2));
            Message m = atHub.nextMessage(Duration.ofSeconds(5));
            assertNotNull(m);
            assertEquals("up.a", m.getSubject(), "only what the leaf's user may publish crosses");
            atHub.unsubscribe();

            Subscription atLeaf = leaf.subscribe(">");
            leaf.flush(Duration.ofSeconds(2));
            awaitCrossing(hub, atLeaf, "down.probe");
            hub.publish("other.b", bytes("denied"));
            hub.publish("up.b", bytes("denied"));
            hub.publish("down.b", bytes("allowed"));
            hub.flush(Duration.ofSeconds(2));
            Message d = atLeaf.nextMessage(Duration.ofSeconds(5));
            assertNotNull(d);
            assertEquals("down.b", d.getSubject(), "only what the leaf's user may subscribe to reaches it");
            assertEquals("allowed", text(d));
            assertNull(atLeaf.nextMessage(Duration.ofMillis(100)));
        }
    }

    /** A leaf's subscription the user may not have brings nothing from the hub. */
    @ParameterizedTest
    @MethodSource("mixes")
    void aDeniedSubjectNeverReachesTheLeaf(Impl hubImpl, Impl leafImpl) throws Exception {
        try (LeafPair p = LeafPair.start(hubImpl, leafImpl, HUB_AUTH, "", "leaf:pw@", "");
             Connection hub = LeafPair.connect(p.hub, "admin:pw");
             Connection leaf = p.leafClient()) {
            Subscription other = leaf.subscribe("other.c");
            Subscription down = leaf.subscribe("down.c");
            leaf.flush(Duration.ofSeconds(2));
            awaitCrossing(hub, down, "down.c");
            hub.publish("other.c", bytes("denied"));
            hub.publish("down.c", bytes("allowed"));
            hub.flush(Duration.ofSeconds(2));
            assertNotNull(down.nextMessage(Duration.ofSeconds(5)));
            assertNull(other.nextMessage(Duration.ofMillis(200)), "other.c is not the leaf user's to receive");
        }
    }

    /** Publishes {@code subject} until {@code s} gets it (interest crossed), then drains the probes. */
    private static void awaitCrossing(Connection from, Subscription s, String subject) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            from.publish(subject, bytes("probe"));
            from.flush(Duration.ofSeconds(2));
            if (s.nextMessage(Duration.ofMillis(50)) != null) break;
            if (System.nanoTime() > deadline) throw new AssertionError("interest did not cross for " + subject);
        }
        from.flush(Duration.ofSeconds(2));
        TestServer.await(2000, () -> {
            try {
                return s.nextMessage(Duration.ofMillis(100)) == null;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
