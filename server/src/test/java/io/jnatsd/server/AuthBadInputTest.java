package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hostile CONNECTs against a server that requires credentials: malformed or oversized JSON,
 * huge user names, hundreds of wrong attempts. Each is refused on its own connection; the server
 * stays up and a client already connected keeps working. Same replies as upstream.
 */
class AuthBadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONF = "authorization { users: [ {user: alice, password: s3cret} ] }";
    private static final String VIOLATION = "-ERR 'Authorization Violation'\n<closed>";

    @ParameterizedTest
    @EnumSource(Impl.class)
    void malformedConnectJsonClosesTheConnection(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, CONF)) {
            String[] bad = {
                "CONNECT {\"user\":\"alice\",\"pass\":\r\n",
                "CONNECT {\"user\": 5, \"pass\": \"s3cret\"}\r\n",
                "CONNECT {\"user\": [\"alice\"], \"pass\": \"s3cret\"}\r\n",
                "CONNECT not json at all\r\n",
                "CONNECT " + "[".repeat(2000) + "\r\n",
                "CONNECT {\"user\":\"al\u0000ice\",\"pass\":\"\u00ff\u00fe\"}\r\n",
            };
            for (String input : bad) {
                try (RawClient c = s.raw()) {
                    assertEquals("<closed>", c.untilPong(input), input); // closed, and no -ERR
                }
            }
            stillServes(s);
        }
    }

    /** Upstream looks at the first byte: anything but a CONNECT first is an authorization violation. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void anOperationBeforeConnectIsAnAuthorizationViolation(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, CONF)) {
            for (String input : new String[] {"FOO\r\n", "-ERR 'x'\r\n", "+OK\r\n", "PING\r\n", "SUB x 1\r\n", "INFO {}\r\n"}) {
                try (RawClient c = s.raw()) {
                    assertEquals(VIOLATION, c.untilPong(input), input);
                }
            }
            try (RawClient c = s.raw()) {
                assertEquals("-ERR 'Unknown Protocol Operation'\n<closed>", c.untilPong("CX\r\n"), "C passes the check");
            }
            stillServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connectLongerThanMaxControlLineIsRefused(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, CONF)) {
            String huge = "x".repeat(100_000);
            try (RawClient c = s.raw()) {
                assertEquals("-ERR 'maximum control line exceeded'\n<closed>",
                        c.untilPong("CONNECT {\"verbose\":false,\"user\":\"" + huge + "\",\"pass\":\"p\"}\r\n"));
            }
            // a long name within the limit is simply a wrong user
            try (RawClient c = s.raw()) {
                assertEquals(VIOLATION,
                        c.untilPong("CONNECT {\"verbose\":false,\"user\":\"" + "u".repeat(3500) + "\",\"pass\":\"p\"}\r\n"));
            }
            stillServes(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void manyWrongAttemptsLeaveOtherClientsAlone(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, CONF);
             Connection good = Nats.connect(new Options.Builder().server(s.url()).userInfo("alice", "s3cret").build())) {
            Subscription sub = good.subscribe("probe");
            good.flush(WAIT);
            for (int i = 0; i < 500; i++) {
                try (RawClient c = s.raw()) {
                    String user = i % 2 == 0 ? "alice" : "mallory" + i;
                    assertEquals(VIOLATION, c.untilPong("CONNECT {\"verbose\":false,\"user\":\"" + user
                            + "\",\"pass\":\"guess" + i + "\"}\r\n"), "attempt " + i);
                }
                if (i % 100 == 0) {
                    good.publish("probe", new byte[] {(byte) i});
                    assertNotNull(sub.nextMessage(WAIT), "the connected client is unaffected");
                }
            }
            stillServes(s);
        }
    }

    /**
     * jnatsd only (it is about our event loops): slow bcrypt checks run off the loops, so a burst
     * of them does not hold up a client that is already connected.
     */
    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD")
    void bcryptChecksDoNotStallTheEventLoops(Impl impl) throws Exception {
        String hash = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(11, "right".toCharArray());
        try (TestServer s = TestServer.start(impl, "authorization { users: [ {user: alice, password: \"" + hash + "\"} ] }")) {
            java.util.List<RawClient> attackers = new java.util.ArrayList<>();
            try (RawClient good = s.raw()) {
                good.setTimeout(20_000);
                assertEquals("", good.untilPong("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"right\"}\r\n"));
                for (int i = 0; i < 6; i++) {
                    RawClient a = s.raw();
                    attackers.add(a);
                    a.send("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"wrong" + i + "\"}\r\n");
                }
                long worst = 0;
                for (int i = 0; i < 10; i++) {
                    long t = System.nanoTime();
                    assertEquals("", good.untilPong());
                    worst = Math.max(worst, System.nanoTime() - t);
                }
                // each check takes a few hundred ms of CPU; the connected client's PINGs do not wait for them
                org.junit.jupiter.api.Assertions.assertTrue(worst < 400_000_000L, "slowest PONG " + worst / 1_000_000 + " ms");
                for (RawClient a : attackers) {
                    a.setTimeout(20_000);
                    assertEquals("-ERR 'Authorization Violation'", a.readLine());
                }
            } finally {
                for (RawClient a : attackers) a.close();
            }
        }
    }

    private static void stillServes(TestServer s) throws Exception {
        try (RawClient c = s.raw()) {
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"s3cret\"}\r\n"));
        }
    }
}
