package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a server does with a peer that should not be one: garbage, another cluster, wrong
 * credentials, a client on the route port. Each answer is upstream's, and the server goes on
 * serving its clients.
 */
class ClusterBadInputTest {
    private static final String ROUTE_CONNECT =
            "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"name\":\"NFAKEPEER\","
                    + "\"headers\":true,\"cluster\":\"%s\",\"dynamic\":false,\"lnoc\":true%s}\r\n";

    private static TestServer start(Impl impl, int routePort, String auth) throws Exception {
        return TestServer.start(impl, "cluster {\n name: c1\n listen: \"127.0.0.1:" + routePort + "\"\n" + auth + "\n}\n");
    }

    /** A raw connection to the route port, once the server listens there (upstream opens it after the client port). */
    private static RawClient peer(int routePort) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return new RawClient(routePort);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(20);
            }
        }
    }

    /** The server still carries messages between clients. */
    private static void stillServes(TestServer s) throws Exception {
        try (Connection c = Nats.connect(s.url())) {
            Subscription sub = c.subscribe("alive");
            c.publish("alive", new byte[] {1});
            assertTrue(sub.nextMessage(Duration.ofSeconds(2)) != null, "clients unaffected");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void garbageOnTheRoutePortIsAnUnknownOperation(Impl impl) throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = start(impl, routePort, ""); RawClient peer = peer(routePort)) {
            assertTrue(peer.info().startsWith("INFO {"), peer.info());
            peer.send("XYZZY garbage\r\n");
            assertEquals("-ERR 'Unknown Protocol Operation'", peer.readLine());
            assertTrue(peer.closedWithin(2000));
            stillServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPeerOfAnotherClusterIsRejected(Impl impl) throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = start(impl, routePort, ""); RawClient peer = peer(routePort)) {
            peer.send(String.format(ROUTE_CONNECT, "other", ""));
            assertEquals("-ERR 'Rejecting connection, cluster name \"other\" does not match \"c1\"'", peer.readLine());
            assertTrue(peer.closedWithin(2000));
            stillServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPeerWithWrongCredentialsIsRejected(Impl impl) throws Exception {
        int routePort = TestServer.freePort();
        String auth = "authorization { user: ruser, password: rpass }";
        try (TestServer s = start(impl, routePort, auth); RawClient peer = peer(routePort)) {
            assertTrue(peer.info().contains("\"auth_required\":true"), peer.info());
            peer.send(String.format(ROUTE_CONNECT, "c1", ",\"user\":\"ruser\",\"pass\":\"wrong\""));
            assertEquals("-ERR 'Authorization Violation'", peer.readLine());
            assertTrue(peer.closedWithin(2000));
            stillServes(s);
        }
    }

    /** A peer with this server's own name is refused (names must be unique), as upstream: closed, no answer. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPeerWithThisServersNameIsClosed(Impl impl) throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = TestServer.start(impl, "server_name: same\ncluster {\n name: c1\n listen: \"127.0.0.1:" + routePort
                + "\"\n}\n"); RawClient peer = peer(routePort)) {
            peer.send(String.format(ROUTE_CONNECT, "c1", ""));
            peer.send("INFO {\"server_id\":\"NFAKEPEER\",\"server_name\":\"same\",\"cluster\":\"c1\",\"headers\":true,"
                    + "\"host\":\"127.0.0.1\",\"port\":1}\r\nPING\r\n");
            assertTrue(peer.closedWithin(5000), "closed");
            stillServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPeerWithTheRightCredentialsIsAccepted(Impl impl) throws Exception {
        int routePort = TestServer.freePort();
        String auth = "authorization { user: ruser, password: rpass }";
        try (TestServer s = start(impl, routePort, auth); RawClient peer = peer(routePort)) {
            peer.send(String.format(ROUTE_CONNECT, "c1", ",\"user\":\"ruser\",\"pass\":\"rpass\""));
            peer.send("INFO {\"server_id\":\"NFAKEPEER\",\"server_name\":\"fake\",\"cluster\":\"c1\",\"headers\":true,"
                    + "\"host\":\"127.0.0.1\",\"port\":1}\r\nPING\r\n");
            String line;
            do {
                line = peer.readLine();
            } while (line != null && !line.equals("PONG") && !line.startsWith("-ERR"));
            assertEquals("PONG", line);
            stillServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aClientOnTheRoutePortIsTurnedAway(Impl impl) throws Exception {
        int routePort = TestServer.freePort();
        try (TestServer s = start(impl, routePort, ""); RawClient client = peer(routePort)) {
            client.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"java\",\"version\":\"2.20\"}\r\n");
            assertEquals("-ERR 'attempted to connect to route port'", client.readLine());
            assertTrue(client.closedWithin(2000));
            stillServes(s);
        }
    }
}
