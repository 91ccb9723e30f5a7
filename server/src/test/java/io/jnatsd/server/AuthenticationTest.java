package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.AuthHandler;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every authentication mode with the official Java client, each with its failing case, against
 * jnatsd and upstream alike. Where jnatsd is embedded, the test also looks at who the
 * connection became (user name, account, permissions).
 */
class AuthenticationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String VIOLATION = "-ERR 'Authorization Violation'\n<closed>";

    private static Options.Builder opts(TestServer s) {
        return new Options.Builder().server(s.url()).noReconnect().connectionTimeout(Duration.ofSeconds(2))
                .errorListener(new TlsTest.QuietErrors());
    }

    private static void connects(Options o) throws Exception {
        try (Connection nc = Nats.connect(o)) {
            nc.flush(WAIT);
        }
    }

    /**
     * The connection is refused with the server's Authorization Violation. (jnats waits out its
     * connection timeout before reporting the -ERR it got, hence a short one.)
     */
    private static void refused(Options.Builder o) {
        Options quick = o.connectionTimeout(Duration.ofMillis(500)).build();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> Nats.connect(quick).close());
        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
    }

    private static String bcrypt(String secret) {
        return BCrypt.withDefaults().hashToString(4, secret.toCharArray());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void token(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { token: \"s3cr3t-t0k3n\" }")) {
            connects(opts(s).token("s3cr3t-t0k3n".toCharArray()).build());
            refused(opts(s).token("wrong".toCharArray()));
            refused(opts(s));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void bcryptedToken(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { token: \"" + bcrypt("tok") + "\" }")) {
            connects(opts(s).token("tok".toCharArray()).build());
            refused(opts(s).token("tok2".toCharArray()));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void singleUserAndPassword(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { user: alice, password: \"p@ss w0rd\" }")) {
            connects(opts(s).userInfo("alice", "p@ss w0rd").build());
            refused(opts(s).userInfo("alice", "p@ss"));
            refused(opts(s).userInfo("bob", "p@ss w0rd"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void usersWithPlainAndBcryptPasswords(Impl impl) throws Exception {
        String conf = "authorization {\n  users: [\n"
                + "    {user: alice, password: plain1}\n"
                + "    {user: bob, password: \"" + bcrypt("b0b-secret") + "\", permissions: {publish: [\"bob.>\"], subscribe: {deny: \"secret.>\"}}}\n"
                + "  ]\n}\n";
        try (TestServer s = TestServer.start(impl, conf)) {
            connects(opts(s).userInfo("alice", "plain1").build());
            try (Connection nc = Nats.connect(opts(s).userInfo("bob", "b0b-secret").build())) {
                nc.flush(WAIT);
                if (impl == Impl.JNATSD) {
                    User bob = TlsTest.userNamed(s.embedded(), "bob");
                    assertEquals(User.GLOBAL_ACCOUNT, bob.account());
                    assertEquals(List.of("bob.>"), bob.permissions().publish().allow());
                    assertNull(bob.permissions().subscribe().allow());
                    assertEquals(List.of("secret.>"), bob.permissions().subscribe().deny());
                }
            }
            refused(opts(s).userInfo("bob", "b0b-secreT"));
            refused(opts(s).userInfo("alice", "plain2"));
            refused(opts(s).userInfo("carol", "plain1"));
            refused(opts(s));
        }
    }

    /** A bcrypt check runs off the event loop; what the client sent after CONNECT waits for it, in order. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void operationsPipelinedAfterABcryptConnectRunInOrder(Impl impl) throws Exception {
        String conf = "authorization { users: [ {user: bob, password: \"" + bcrypt("pw") + "\"} ] }";
        try (TestServer s = TestServer.start(impl, conf)) {
            try (RawClient c = s.raw()) {
                assertEquals("MSG a 1 2\nhi", c.untilPong("CONNECT {\"verbose\":false,\"user\":\"bob\",\"pass\":\"pw\"}\r\n"
                        + "SUB a 1\r\nPUB a 2\r\nhi\r\n"));
            }
            try (RawClient c = s.raw()) {
                assertEquals(VIOLATION, c.untilPong("CONNECT {\"verbose\":false,\"user\":\"bob\",\"pass\":\"px\"}\r\n"
                        + "SUB a 1\r\nPUB a 2\r\nhi\r\n"));
            }
            try (RawClient c = s.raw()) {
                // verbose: +OK for CONNECT, SUB and PUB, then the message
                assertEquals("+OK\n+OK\n+OK\nMSG a 1 2\nhi", c.untilPong("CONNECT {\"verbose\":true,\"pedantic\":false,\"user\":\"bob\",\"pass\":\"pw\"}\r\n"
                        + "SUB a 1\r\nPUB a 2\r\nhi\r\n"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void usersAndPermissionsFromVariables(Impl impl) throws Exception {
        String conf = """
                ADMIN_PASS: "adm1n"
                SVC_PERMS = { publish: ["svc.>"], subscribe: "_INBOX.>" }
                ALICE = { user: alice, password: "al1ce" }
                authorization {
                  users: [
                    $ALICE
                    { user: admin, password: $ADMIN_PASS }
                    { user: svc, password: s, permissions: $SVC_PERMS }
                  ]
                }
                """;
        try (TestServer s = TestServer.start(impl, conf)) {
            connects(opts(s).userInfo("alice", "al1ce").build());
            connects(opts(s).userInfo("admin", "adm1n").build());
            try (Connection nc = Nats.connect(opts(s).userInfo("svc", "s").build())) {
                nc.flush(WAIT);
                if (impl == Impl.JNATSD) {
                    assertEquals(List.of("svc.>"), TlsTest.userNamed(s.embedded(), "svc").permissions().publish().allow());
                }
            }
            refused(opts(s).userInfo("admin", "$ADMIN_PASS"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void defaultPermissionsApplyToUsersWithoutTheirOwn(Impl impl) throws Exception {
        String conf = """
                authorization {
                  default_permissions: { publish: "pub.>" }
                  users: [ {user: a, password: a}, {user: b, password: b, permissions: {publish: "b.>"}} ]
                }
                """;
        try (TestServer s = TestServer.start(impl, conf);
             Connection a = Nats.connect(opts(s).userInfo("a", "a").build());
             Connection b = Nats.connect(opts(s).userInfo("b", "b").build())) {
            a.flush(WAIT);
            b.flush(WAIT);
            if (impl == Impl.JNATSD) {
                assertEquals(List.of("pub.>"), TlsTest.userNamed(s.embedded(), "a").permissions().publish().allow());
                assertEquals(List.of("b.>"), TlsTest.userNamed(s.embedded(), "b").permissions().publish().allow());
            }
        }
    }

    /** Signs the server's nonce with {@code signer} while claiming to be {@code claimed}. */
    private static AuthHandler nkeyAuth(NKey signer, char[] claimed) {
        return new AuthHandler() {
            @Override
            public byte[] sign(byte[] nonce) {
                try {
                    return signer.sign(nonce);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public char[] getID() {
                return claimed;
            }

            @Override
            public char[] getJWT() {
                return null;
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void nkeyUsersSignTheNonce(Impl impl) throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        NKey other = NKey.createUser(new SecureRandom());
        String pub = new String(user.getPublicKey());
        String conf = "authorization { users: [ {nkey: " + pub + ", permissions: {subscribe: \"n.>\"}} ] }";
        try (TestServer s = TestServer.start(impl, conf)) {
            try (RawClient raw = s.raw()) {
                Matcher m = Pattern.compile("\"nonce\":\"([A-Za-z0-9_-]+)\"").matcher(raw.info());
                assertTrue(m.find(), raw.info());
                assertEquals(15, m.group(1).length());
                assertTrue(raw.info().contains("\"auth_required\":true"), raw.info());
                assertEquals(VIOLATION, raw.untilPong("CONNECT {\"verbose\":false,\"nkey\":\"" + pub + "\",\"sig\":\"AAAA\"}\r\n"));
            }
            try (Connection nc = Nats.connect(opts(s).authHandler(nkeyAuth(user, user.getPublicKey())).build())) {
                nc.flush(WAIT);
                if (impl == Impl.JNATSD) {
                    User u = TlsTest.userNamed(s.embedded(), pub);
                    assertEquals(List.of("n.>"), u.permissions().subscribe().allow());
                }
            }
            refused(opts(s).authHandler(nkeyAuth(other, user.getPublicKey()))); // bad signature
            refused(opts(s).authHandler(nkeyAuth(other, other.getPublicKey()))); // unknown nkey
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void noNonceWithoutNkeyUsers(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { users: [ {user: a, password: b} ] }");
             RawClient raw = s.raw()) {
            assertTrue(!raw.info().contains("nonce"), raw.info());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void noAuthUser(Impl impl) throws Exception {
        String conf = """
                authorization { users: [ {user: admin, password: adm1n}, {user: guest, password: guest} ] }
                no_auth_user: guest
                """;
        try (TestServer s = TestServer.start(impl, conf)) {
            try (Connection nc = Nats.connect(opts(s).build())) {
                nc.flush(WAIT);
                if (impl == Impl.JNATSD) assertNotNull(TlsTest.userNamed(s.embedded(), "guest"));
            }
            connects(opts(s).userInfo("admin", "adm1n").build());
            refused(opts(s).userInfo("admin", "wrong"));
            try (RawClient raw = s.raw()) {
                // any first operation is allowed; the client gets CONNECT's defaults (verbose)
                assertEquals("+OK", raw.untilPong("SUB foo 1\r\n"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void usersInsideAccountsAreBoundToThem(Impl impl) throws Exception {
        String conf = """
                accounts {
                  A: { users: [ {user: a, password: pa} ] }
                  B: { users: [ {user: b, password: pb, permissions: {publish: "b.>"}} ], default_permissions: {subscribe: "x"} }
                  C: {}
                }
                """;
        try (TestServer s = TestServer.start(impl, conf);
             Connection a = Nats.connect(opts(s).userInfo("a", "pa").build());
             Connection a2 = Nats.connect(opts(s).userInfo("a", "pa").build());
             Connection b = Nats.connect(opts(s).userInfo("b", "pb").build())) {
            Subscription inA = a2.subscribe("shared");
            Subscription inB = b.subscribe("shared");
            a2.flush(WAIT);
            b.flush(WAIT);
            a.publish("shared", new byte[] {1});
            a.flush(WAIT);
            Message m = inA.nextMessage(WAIT);
            assertNotNull(m, "same account delivers");
            assertNull(inB.nextMessage(Duration.ofMillis(200)), "accounts are isolated");
            if (impl == Impl.JNATSD) {
                assertEquals("A", TlsTest.userNamed(s.embedded(), "a").account());
                User ub = TlsTest.userNamed(s.embedded(), "b");
                assertEquals("B", ub.account());
                assertEquals(List.of("b.>"), ub.permissions().publish().allow());
                assertNotNull(s.embedded().accounts().get("C"));
            }
            refused(opts(s).userInfo("a", "pb"));
            refused(opts(s));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void allowedConnectionTypes(Impl impl) throws Exception {
        String conf = """
                authorization { users: [
                  {user: web, password: w, allowed_connection_types: ["WEBSOCKET"]}
                  {user: std, password: s, allowed_connection_types: ["standard", "mqtt"]}
                ] }
                """;
        try (TestServer s = TestServer.start(impl, conf)) {
            refused(opts(s).userInfo("web", "w"));
            connects(opts(s).userInfo("std", "s").build());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connectWithAnAccountFieldIsRefused(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl); RawClient raw = s.raw()) {
            assertEquals(VIOLATION, raw.untilPong("CONNECT {\"verbose\":false,\"account\":\"A\"}\r\n"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void credentialsAreCheckedBeforeTheProtocolVersion(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { token: t }"); RawClient raw = s.raw()) {
            assertEquals(VIOLATION, raw.untilPong("CONNECT {\"verbose\":false,\"protocol\":7,\"auth_token\":\"x\"}\r\n"));
        }
    }
}
