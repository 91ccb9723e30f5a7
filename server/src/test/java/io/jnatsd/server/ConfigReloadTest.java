package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Configuration reload, the same steps against jnatsd (through the entry point SIGHUP uses) and
 * upstream 2.9.10 (SIGHUP to its process): what changes for open connections, what new ones
 * meet, and what is refused with the running configuration kept.
 */
class ConfigReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String USERS = """
            authorization { users: [
              {user: a, password: a},
              {user: b, password: b},
              {user: c, password: c, permissions: {subscribe: ["foo", "bar.>", "baz"], publish: "x"}}
            ] }
            """;
    private static final String USERS_CHANGED = """
            authorization { users: [
              {user: a, password: a2},
              {user: c, password: c, permissions: {subscribe: ["bar.>", "baz q"], publish: "y"}}
            ] }
            """;

    private static RawClient connected(TestServer s, String user, String pass) throws IOException {
        RawClient c = s.raw();
        String reply = c.untilPong("CONNECT {\"verbose\":false,\"user\":\"" + user + "\",\"pass\":\"" + pass + "\"}\r\n");
        assertEquals("", reply, "connect as " + user);
        return c;
    }

    private static String connectReply(TestServer s, String user, String pass) throws IOException {
        try (RawClient c = s.raw()) {
            return c.untilPong("CONNECT {\"verbose\":false,\"user\":\"" + user + "\",\"pass\":\"" + pass + "\"}\r\n");
        }
    }

    private static JsonNode info(RawClient c) throws IOException {
        return JSON.readTree(c.info().substring(5));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void changedPasswordClosesTheClientWithAuthorizationViolationAndOnlyTheNewOneIsAccepted(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, USERS); RawClient a = connected(s, "a", "a")) {
            assertNull(s.reload(USERS_CHANGED));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", a.linesUntilClosed(3000));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", connectReply(s, "a", "a"));
            assertEquals("", connectReply(s, "a", "a2"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aRemovedUserIsClosedWithoutAWord(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, USERS); RawClient b = connected(s, "b", "b")) {
            assertNull(s.reload(USERS_CHANGED));
            assertEquals("<closed>", b.linesUntilClosed(3000));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", connectReply(s, "b", "b"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void newPermissionsApplyToOpenConnectionsAndRemoveSubscriptionsNoLongerAllowed(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, USERS); RawClient c = connected(s, "c", "c");
             RawClient a = connected(s, "a", "a")) {
            assertEquals("", c.untilPong("SUB foo 1\r\nSUB bar.* 2\r\nSUB baz q 3\r\n"));
            assertNull(s.reload(USERS_CHANGED.replace("a2", "a")));
            assertEquals("-ERR 'Permissions Violation for Subscription to \"foo\" (sid \"1\")'", c.untilPong());
            assertEquals("-ERR 'Permissions Violation for Publish to \"x\"'", c.untilPong("PUB x 0\r\n\r\n"));
            assertEquals("", c.untilPong("PUB y 0\r\n\r\n"));
            // foo's subscription is gone; bar.* and the queue subscription on baz stay
            assertEquals("", a.untilPong("PUB foo 1\r\nf\r\nPUB bar.x 1\r\nb\r\nPUB baz 1\r\nz\r\n"));
            assertEquals("MSG bar.x 2 1\nb\nMSG baz 3 1\nz", c.untilPong());
            assertEquals("<open>", a.linesUntilClosed(200), "an unchanged user stays connected");
        }
    }

    /** nkey clients are authorized again by the nonce they signed; one whose nkey is gone is closed without a word. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void nkeyUsersAreCheckedAgainByTheirSignedNonce(Impl impl) throws Exception {
        io.nats.client.NKey kept = io.nats.client.NKey.createUser(new java.security.SecureRandom());
        io.nats.client.NKey dropped = io.nats.client.NKey.createUser(new java.security.SecureRandom());
        String k = new String(kept.getPublicKey());
        String d = new String(dropped.getPublicKey());
        String both = "authorization { users: [ {nkey: " + k + "}, {nkey: " + d + "} ] }";
        try (TestServer s = TestServer.start(impl, both); RawClient ck = nkeyClient(s, kept); RawClient cd = nkeyClient(s, dropped)) {
            assertNull(s.reload("authorization { users: [ {nkey: " + k + ", permissions: {publish: \"p\"}} ] }"));
            assertEquals("<closed>", cd.linesUntilClosed(3000));
            assertEquals("-ERR 'Permissions Violation for Publish to \"q\"'", ck.untilPong("PUB q 0\r\n\r\n"));
        }
    }

    private static RawClient nkeyClient(TestServer s, io.nats.client.NKey key) throws Exception {
        RawClient c = s.raw();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"nonce\":\"([A-Za-z0-9_-]+)\"").matcher(c.info());
        assertTrue(m.find(), c.info());
        String sig = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(key.sign(m.group(1).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertEquals("", c.untilPong("CONNECT {\"verbose\":false,\"nkey\":\"" + new String(key.getPublicKey())
                + "\",\"sig\":\"" + sig + "\"}\r\n"));
        return c;
    }

    /** WebSocket clients are authorized again like the others (their own transport, the same users). */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void webSocketClientsAreAuthorizedAgainToo(Impl impl) throws Exception {
        int wsPort = TestServer.freePort();
        String ws = "websocket { listen: \"127.0.0.1:" + wsPort + "\", no_tls: true }\n";
        try (TestServer s = TestServer.start(impl, ws + USERS)) {
            java.util.List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            io.nats.client.Options o = new io.nats.client.Options.Builder().server("ws://127.0.0.1:" + wsPort)
                    .userInfo("a", "a").maxReconnects(0).connectionTimeout(java.time.Duration.ofSeconds(5))
                    .errorListener(new io.nats.client.ErrorListener() {
                        @Override
                        public void errorOccurred(io.nats.client.Connection conn, String error) {
                            errors.add(error);
                        }
                    }).build();
            try (io.nats.client.Connection c = io.nats.client.Nats.connect(o)) {
                assertNull(s.reload(ws + USERS_CHANGED));
                TestServer.await(5000, () -> c.getStatus() == io.nats.client.Connection.Status.CLOSED);
                assertTrue(errors.stream().anyMatch(e -> e.contains("Authorization Violation")), errors.toString());
            }
        }
    }

    /** A client that became no_auth_user presents that user from then on, as upstream copies it into its CONNECT. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void noAuthUserClientsAreCheckedAsThatUser(Impl impl) throws Exception {
        String users = "authorization { users: [ {user: a, password: %s}, {user: b, password: b} ] }";
        try (TestServer s = TestServer.start(impl, "no_auth_user: a\n" + users.formatted("a"));
             RawClient c = s.raw()) {
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false}\r\n"));
            assertNull(s.reload("no_auth_user: a\n" + users.formatted("a2")));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", c.linesUntilClosed(3000));
        }
        String without = "authorization { users: [ {user: b, password: b} ] }";
        try (TestServer s = TestServer.start(impl, "no_auth_user: a\n" + users.formatted("a"));
             RawClient c = s.raw()) {
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false}\r\n"));
            assertNull(s.reload(without), "no_auth_user may go together with its user");
            assertEquals("<closed>", c.linesUntilClosed(3000));
        }
    }

    /** A user moved to another account is closed without a word; it reconnects into the new one. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aUserMovedToAnotherAccountIsClosed(Impl impl) throws Exception {
        String conf = "accounts { A: { users: [ %s ] }, B: { users: [ %s ] } }";
        String user = "{user: u, password: u}";
        try (TestServer s = TestServer.start(impl, conf.formatted(user, "")); RawClient c = connected(s, "u", "u")) {
            assertNull(s.reload(conf.formatted("", user)));
            assertEquals("<closed>", c.linesUntilClosed(3000));
            assertEquals("", connectReply(s, "u", "u"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aChangedTokenClosesItsClients(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { token: t1 }"); RawClient c = s.raw()) {
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false,\"auth_token\":\"t1\"}\r\n"));
            assertNull(s.reload("authorization { token: t2 }"));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", c.linesUntilClosed(3000));
            try (RawClient n = s.raw()) {
                assertEquals("", n.untilPong("CONNECT {\"verbose\":false,\"auth_token\":\"t2\"}\r\n"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anUnchangedTokenKeepsItsClients(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "authorization { token: t1 }"); RawClient c = s.raw()) {
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false,\"auth_token\":\"t1\"}\r\n"));
            assertNull(s.reload("authorization { token: t1 }\nmax_payload: 2000"));
            assertEquals("", c.untilPong());
        }
    }

    /** Upstream quirk kept: a single user is not a configured user, so its clients go on any reload. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aSingleUsersClientsAreClosedOnEveryReload(Impl impl) throws Exception {
        String conf = "authorization { user: u, password: p }";
        try (TestServer s = TestServer.start(impl, conf); RawClient c = connected(s, "u", "p")) {
            assertNull(s.reload(conf));
            assertEquals("<closed>", c.linesUntilClosed(3000));
            assertEquals("", connectReply(s, "u", "p"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void maxPayloadShowsInTheNextInfoAndBindsOpenConnections(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "max_payload: 100"); RawClient c = s.raw()) {
            assertEquals(100, info(c).get("max_payload").asInt());
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false}\r\n"));
            assertNull(s.reload("max_payload: 10"));
            try (RawClient n = s.raw()) {
                assertEquals(10, info(n).get("max_payload").asInt());
            }
            assertEquals("-ERR 'Maximum Payload Violation'\n<closed>", c.untilPong("PUB x 20\r\n01234567890123456789\r\n"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pingSettingsReachOpenConnectionsFromTheirNextPing(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "ping_interval: \"2m\""); RawClient c = s.raw()) {
            assertEquals("", c.untilPong("CONNECT {\"verbose\":false}\r\n"));
            assertNull(s.reload("ping_interval: \"1s\"\nping_max: 1"));
            // the early first PING (~2 s) goes unanswered; the next, 1 s later, finds the client stale
            assertEquals("-ERR 'Stale Connection'\n<closed>", c.linesUntilClosed(8000));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void lowerMaxConnectionsClosesTheClientsOverIt(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "max_connections: 10"); RawClient c1 = s.raw(); RawClient c2 = s.raw()) {
            assertEquals("", c1.untilPong("CONNECT {\"verbose\":false}\r\n"));
            assertEquals("", c2.untilPong("CONNECT {\"verbose\":false}\r\n"));
            assertNull(s.reload("max_connections: 1"));
            String r1 = c1.linesUntilClosed(500);
            String r2 = c2.linesUntilClosed(500);
            String closed = r1.endsWith("<closed>") ? r1 : r2;
            String open = closed == r1 ? r2 : r1;
            assertEquals("-ERR 'maximum connections exceeded'\n<closed>", closed);
            assertEquals("<open>", open);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aChangeThatCannotBeReloadedIsRefusedAndNothingElseApplies(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "server_name: a\nmax_payload: 100")) {
            assertEquals("config reload not supported for ServerName: old=a, new=b",
                    s.reload("server_name: b\nmax_payload: 10"));
            try (RawClient n = s.raw()) {
                assertEquals(100, info(n).get("max_payload").asInt());
                assertEquals("a", info(n).get("server_name").asText());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void refusedOptionsNameUpstreamsField(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, "max_payload: 100")) {
            assertEquals("config reload not supported for MaxSubs: old=0, new=4", s.reload("max_subscriptions: 4"));
            assertEquals("config reload not supported for MaxPending: old=67108864, new=1000", s.reload("max_pending: 1000"));
            assertEquals("config reload not supported for LameDuckDuration: old=2m0s, new=1m0s",
                    s.reload("lame_duck_duration: \"1m\""));
            assertEquals("config reload not supported for NoAuthUser: old=, new=a",
                    s.reload("no_auth_user: a\nauthorization { users: [ {user: a, password: a} ] }"));
            assertEquals("config reload not supported for ServerName: old=, new=x",
                    s.reload("max_subscriptions: 4\nserver_name: x"), "the first refusal in upstream's order");
            assertNull(s.reload("max_payload: 100"));
        }
    }

    /** A deliberate difference: upstream 2.9.10 starts or stops JetStream on a reload; jnatsd refuses. */
    @org.junit.jupiter.api.Test
    void jnatsdRefusesTurningJetStreamOnOrOff(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (TestServer s = TestServer.start(Impl.JNATSD, "max_payload: 100")) {
            assertEquals("config reload not supported for JetStream: old=false, new=true",
                    s.reload("jetstream { store_dir: \"" + dir + "\" }"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void jetStreamLimitsAndStoreCannotChangeWhileItRuns(Impl impl, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String js = "jetstream { store_dir: \"%s\", max_memory_store: %s, max_file_store: 1GB }";
        String store = dir.resolve("js").toString();
        try (TestServer s = TestServer.start(impl, js.formatted(store, "1GB"))) {
            assertEquals("config reload not supported for jetstream max memory and store",
                    s.reload(js.formatted(store, "2GB")));
            assertEquals("config reload not supported for jetstream storage directory",
                    s.reload(js.formatted(dir.resolve("other"), "1GB")));
            assertNull(s.reload(js.formatted(store, "1GB") + "\nmax_payload: 1000"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theClusterListenerCannotMove(Impl impl) throws Exception {
        int port = TestServer.freePort();
        int other = TestServer.freePort();
        try (TestServer s = TestServer.start(impl, "cluster { listen: \"127.0.0.1:" + port + "\" }")) {
            assertEquals("config reload not supported for cluster port: old=" + port + ", new=" + other,
                    s.reload("cluster { listen: \"127.0.0.1:" + other + "\" }"));
            assertEquals("config reload not supported for cluster host: old=127.0.0.1, new=0.0.0.0",
                    s.reload("cluster { listen: \"0.0.0.0:" + port + "\" }"));
            assertNull(s.reload("cluster { listen: \"127.0.0.1:" + port + "\", name: renamed }"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aFileThatDoesNotParseIsRefusedAndConfigLoadTimeMovesOnlyOnSuccess(Impl impl) throws Exception {
        try (TestServer s = TestServer.startMonitored(impl, "max_payload: 100", null)) {
            MonitorHttp http = new MonitorHttp(s);
            String loaded = http.json("/varz").get("config_load_time").asText();
            String failure = s.reload("max_payload: 10\nauthorization { user: u, password: p \n");
            assertTrue(failure != null && !failure.isEmpty(), "refused");
            if (impl == Impl.JNATSD) {
                assertTrue(failure.matches(".*server\\.conf:\\d+:\\d+: .*"), failure);
            }
            assertEquals(loaded, http.json("/varz").get("config_load_time").asText());
            try (RawClient n = s.raw()) {
                assertEquals(100, info(n).get("max_payload").asInt());
            }
            Thread.sleep(5); // config_load_time has sub-millisecond digits, but both clocks must move
            assertNull(s.reload("max_payload: 10"));
            JsonNode varz = http.json("/varz");
            assertNotEquals(loaded, varz.get("config_load_time").asText());
            assertEquals(10, varz.get("max_payload").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void importsAndExportsFollowTheAccountsBlock(Impl impl) throws Exception {
        String before = """
                accounts {
                  A: { users: [ {user: a, password: a} ], exports: [ {stream: "news.>"} ] }
                  B: { users: [ {user: b, password: b} ] }
                }
                """;
        String after = """
                accounts {
                  A: { users: [ {user: a, password: a} ], exports: [ {stream: "news.>"} ] }
                  B: { users: [ {user: b, password: b} ], imports: [ {stream: {account: A, subject: "news.>"}} ] }
                }
                """;
        try (TestServer s = TestServer.start(impl, before); RawClient a = connected(s, "a", "a")) {
            assertNull(s.reload(after));
            try (RawClient b = connected(s, "b", "b")) {
                assertEquals("", b.untilPong("SUB news.> 1\r\n"));
                TestServer.await(3000, () -> {
                    try {
                        a.untilPong("PUB news.x 2\r\nhi\r\n");
                        return b.untilPong().contains("MSG news.x 1 2");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertNull(s.reload(before));
            }
            try (RawClient b = connected(s, "b", "b")) {
                assertEquals("", b.untilPong("SUB news.> 1\r\n"));
                assertEquals("", a.untilPong("PUB news.x 2\r\nhi\r\n"));
                assertEquals("", b.untilPong(), "the import is gone");
            }
        }
    }
}
