package io.jnatsd.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a gateway port says to peers that are not well-behaved gateways, byte for byte as
 * upstream says it (each test runs against both): garbage before and after CONNECT, wrong
 * credentials, a client, a gateway that is not configured where unknown ones are refused, a
 * gateway sending interest where only messages may come; and a gateway pointed at a client or
 * route port. The server stays up and keeps serving its clients.
 */
class GatewayBadInputTest {
    private static final String GW_CONNECT = "CONNECT {\"verbose\":false,\"gateway\":\"Z\",\"name\":\"NFAKEGW\"%s}\r\n"
            + "INFO {\"server_id\":\"NFAKEGW\",\"server_name\":\"z1\",\"gateway\":\"Z\"}\r\n";

    private static TestServer gateway(Impl impl, int gwPort, String more) throws Exception {
        return TestServer.startMonitored(impl, "server_name: a1\ngateway { name: A, listen: \"127.0.0.1:" + gwPort + "\"\n"
                + more + "}\n", null);
    }

    private static String connect(String extra) {
        return String.format(GW_CONNECT, extra);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theInfoOfTheGatewayPortNamesTheGatewayAndItsUrl(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, ""); RawClient raw = new RawClient(gwPort)) {
            String info = raw.info();
            for (String field : new String[] {"\"gateway\":\"A\"", "\"gateway_url\":\"127.0.0.1:" + gwPort + "\"",
                    "\"gateway_urls\":[\"127.0.0.1:" + gwPort + "\"]", "\"gateway_nrp\":true", "\"gateway_iom\":true",
                    "\"headers\":true", "\"port\":" + gwPort}) {
                assertTrue(info.contains(field), field + " in " + info);
            }
            assertTrue(info.endsWith("}"), "no blank before the line end: " + info);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anythingButConnectFirstIsAnAuthorizationViolation(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, "")) {
            try (RawClient raw = new RawClient(gwPort)) {
                assertEquals("-ERR 'Authorization Violation'\n<closed>", raw.untilPong("XYZZY\r\n"));
            }
            try (RawClient raw = new RawClient(gwPort)) {
                assertEquals("-ERR 'Authorization Violation'\n<closed>", raw.untilPong("RMSG $G foo 2\r\nhi\r\n"));
            }
            assertServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void garbageAfterConnectIsAnUnknownOperation(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, "")) {
            try (RawClient raw = new RawClient(gwPort)) {
                raw.send(connect(""));
                assertEquals("-ERR 'Unknown Protocol Operation'\n<closed>", withoutInterest(raw.untilPong("XYZZY\r\n")));
            }
            assertServes(s);
        }
    }

    /** A message for an account this cluster does not have: A-, so that the peer stops sending it. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aMessageForAnUnknownAccountIsAnsweredWithAccountNoInterest(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, ""); RawClient raw = new RawClient(gwPort)) {
            raw.send(connect(""));
            String got = withoutInterest(raw.untilPong("RMSG NOACC foo 2\r\nhi\r\nRMSG NOACC foo 2\r\nhi\r\n"));
            assertEquals("A- NOACC", got);
            assertServes(s);
        }
    }

    /** A gateway peer with this server's name is closed without a word, as upstream (names must be unique). */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aPeerWithThisServersNameIsClosed(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, ""); RawClient raw = new RawClient(gwPort)) {
            raw.send("CONNECT {\"verbose\":false,\"gateway\":\"Z\",\"name\":\"NFAKEGW\"}\r\n"
                    + "INFO {\"server_id\":\"NFAKEGW\",\"server_name\":\"a1\",\"gateway\":\"Z\"}\r\n");
            String got = raw.linesUntilClosed(5000);
            assertTrue(got.endsWith("<closed>"), got);
            assertServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void wrongCredentialsAreAnAuthorizationViolation(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, "authorization { user: gw, password: secret }\n")) {
            try (RawClient raw = new RawClient(gwPort)) {
                assertTrue(raw.info().contains("\"auth_required\":true"));
                assertEquals("-ERR 'Authorization Violation'\n<closed>",
                        raw.untilPong(connect(",\"user\":\"gw\",\"pass\":\"wrong\"")));
            }
            try (RawClient raw = new RawClient(gwPort)) {
                assertEquals("", withoutInterest(raw.untilPong(connect(",\"user\":\"gw\",\"pass\":\"secret\""))));
            }
            assertServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aClientOnTheGatewayPortIsToldSo(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, ""); RawClient raw = new RawClient(gwPort)) {
            String got = raw.untilPong("CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"java\",\"version\":\"2.20\"}\r\n");
            assertEquals("-ERR 'attempted to connect to gateway port'\n<closed>", got);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anUnknownGatewayIsRefusedWhereUnknownOnesAreRejected(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, "reject_unknown_cluster: true\n"); RawClient raw = new RawClient(gwPort)) {
            assertEquals("-ERR 'Connection to gateway \"A\" rejected'\n<closed>", raw.untilPong(connect("")));
            assertServes(s);
        }
    }

    /** Interest goes from the accepting side to the dialling side only: RS+ on an inbound connection is a violation. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void interestFromTheDiallingSideClosesTheConnection(Impl impl) throws Exception {
        int gwPort = TestServer.freePort();
        try (TestServer s = gateway(impl, gwPort, ""); RawClient raw = new RawClient(gwPort)) {
            raw.send(connect(""));
            assertEquals("<closed>", withoutInterest(raw.untilPong("RS+ $G foo\r\n")));
            assertServes(s);
        }
    }

    /** A gateway dialling a client port reads a client INFO (no gateway name) and gives up on that URL; both stay up. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aGatewayPointedAtAClientPortIsNotRegistered(Impl impl) throws Exception {
        try (TestServer target = TestServer.startMonitored(Impl.JNATSD, "", null);
             TestServer s = TestServer.startMonitored(impl, "gateway { name: A, listen: \"127.0.0.1:" + TestServer.freePort()
                     + "\", gateways: [ {name: B, url: \"nats://127.0.0.1:" + target.port() + "\"} ] }", null)) {
            new MonitorHttp(target).await("/varz", v -> v.get("total_connections").asInt() >= 2);
            assertEquals(0, new MonitorHttp(s).json("/gatewayz").get("outbound_gateways").size());
            assertServes(s);
            assertServes(target);
        }
    }

    /** Lines the server sends on its own after CONNECT and INFO (its INFO, interest, the mode commands) left out. */
    private static String withoutInterest(String got) {
        return got.lines().filter(l -> !l.startsWith("INFO ") && !l.startsWith("RS+ ") && !l.startsWith("PING"))
                .collect(Collectors.joining("\n"));
    }

    private static void assertServes(TestServer s) throws Exception {
        try (Connection c = Nats.connect(new io.nats.client.Options.Builder().server(s.url()).noReconnect().build())) {
            var sub = c.subscribe("alive");
            c.publish("alive", new byte[] {'y'});
            assertNotNull(sub.nextMessage(Duration.ofSeconds(2)), "the server still serves clients");
        }
    }
}
