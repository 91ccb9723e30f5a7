package io.jnatsd.server.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.LeafPair;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a hub's leaf node port says to peers that are not well-behaved leaf nodes, byte for
 * byte as upstream says it (each test runs against both): garbage, a NATS client, wrong
 * credentials, a loop; and a leaf node pointed at a client port. The server stays up and
 * keeps serving its clients.
 */
class LeafNodeBadInputTest {
    private static final String LEAF_CONNECT = "CONNECT {\"server_id\":\"NFAKELEAF\",\"name\":\"fake\",\"headers\":true}\r\n";

    @ParameterizedTest
    @EnumSource(Impl.class)
    void infoOfTheLeafNodePortNamesTheClientAndTheLeafUrls(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "", "");
             RawClient raw = new RawClient(leafPort)) {
            String info = raw.info();
            assertTrue(info.startsWith("INFO {"), info);
            for (String field : new String[] {"\"auth_required\":true", "\"client_id\":", "\"leafnode_urls\":[",
                    "\"info_on_connect\":true", "\"headers\":true", "\"nonce\":"}) {
                assertTrue(info.contains(field), field + " in " + info);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anythingButConnectFirstIsAnAuthorizationViolationAndTheServerStaysUp(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "", "")) {
            try (RawClient raw = new RawClient(leafPort)) {
                assertEquals("-ERR 'Authorization Violation'\n<closed>", raw.untilPong("XYZZY\r\n"));
            }
            try (RawClient raw = new RawClient(leafPort)) {
                assertEquals("-ERR 'Authorization Violation'\n<closed>", raw.untilPong("LS+ foo\r\n"));
            }
            try (RawClient raw = new RawClient(leafPort)) {
                raw.send(LEAF_CONNECT);
                assertEquals("-ERR 'Unknown Protocol Operation'\n<closed>",
                        raw.untilPong("XYZZY\r\n").lines().filter(l -> !l.startsWith("LS+ ") && !l.startsWith("INFO "))
                                .collect(java.util.stream.Collectors.joining("\n")));
            }
            assertServes(hub);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aClientOnTheLeafNodePortIsToldSo(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "", "");
             RawClient raw = new RawClient(leafPort)) {
            String got = raw.untilPong("CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"java\",\"version\":\"2.20\"}\r\n");
            assertEquals("-ERR 'attempted to connect to leaf node port'\n<closed>", got);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void wrongCredentialsAreAnAuthorizationViolation(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "",
                "authorization { user: leaf, password: secret }\n");
             RawClient raw = new RawClient(leafPort)) {
            String got = raw.untilPong("CONNECT {\"server_id\":\"NFAKELEAF\",\"name\":\"fake\",\"user\":\"leaf\",\"pass\":\"wrong\"}\r\n");
            assertEquals("-ERR 'Authorization Violation'\n<closed>", got);
            assertServes(hub);
        }
    }

    /**
     * A peer that announces the hub's own loop detection subject back is a loop of leaf
     * connections: -ERR with the account and the reconnect delay, and the connection closes.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void theHubsOwnLoopDetectionSubjectComingBackIsALoop(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "", "");
             RawClient raw = new RawClient(leafPort)) {
            raw.send(LEAF_CONNECT);
            String lds = null;
            boolean connectInfo = false;
            while (lds == null) {
                String line = raw.readLine();
                assertNotNull(line, "the hub hung up");
                if (line.startsWith("INFO ") && line.contains("\"connect_info\":true")) connectInfo = true;
                if (line.startsWith("LS+ $LDS.")) lds = line.substring(4).trim();
            }
            assertTrue(connectInfo, "the hub answered CONNECT with an INFO first");
            // The rest of the hub's interest may still be on its way (upstream sends it in map order).
            String got = raw.untilPong("LS+ " + lds + "\r\n").lines().filter(l -> !l.startsWith("LS+ "))
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertEquals("-ERR 'Loop detected for leafnode account=\"$G\". Delaying attempt to reconnect for 30s'\n<closed>",
                    got);
            assertServes(hub);
        }
    }

    /** A remote pointed at a client port is not registered as a leaf node; both servers go on serving. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aLeafNodePointedAtAClientPortIsRefused(Impl leafImpl) throws Exception {
        try (TestServer target = TestServer.startMonitored(Impl.JNATSD, "", null);
             TestServer leaf = TestServer.startMonitored(leafImpl,
                     "leafnodes { reconnect: 1, remotes: [ { url: \"nats-leaf://127.0.0.1:" + target.port() + "\" } ] }", null)) {
            // The leaf dials, reads a client INFO (no leafnode_urls), hangs up and dials again.
            new MonitorHttp(target).await("/varz", v -> v.get("total_connections").asInt() >= 2);
            assertEquals(0, new MonitorHttp(leaf).json("/leafz").get("leafnodes").asInt());
            assertEquals(0, new MonitorHttp(target).json("/varz").get("leafnodes").asInt());
            assertServes(leaf);
            assertServes(target);
        }
    }

    private static void assertServes(TestServer s) throws Exception {
        try (Connection c = LeafPair.connect(s, null)) {
            var sub = c.subscribe("alive");
            c.publish("alive", new byte[] {'y'});
            assertNotNull(sub.nextMessage(Duration.ofSeconds(2)), "the server still serves clients");
        }
    }

    /** A leaf node that never sends CONNECT is told so when the leaf authorization timeout expires. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aSilentPeerGetsAnAuthenticationTimeout(Impl impl) throws Exception {
        int leafPort = TestServer.freePort();
        try (TestServer hub = LeafPair.hubWithLeafPort(impl, leafPort, "", "authorization { timeout: 0.5 }\n");
             RawClient raw = new RawClient(leafPort)) {
            assertEquals("-ERR 'Authentication Timeout'", raw.readLine());
            assertTrue(raw.closedWithin(2000));
            assertServes(hub);
        }
    }
}
