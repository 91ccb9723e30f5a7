package io.jnatsd.server;

import static io.jnatsd.server.testing.JwtKit.limits;
import static io.jnatsd.server.testing.JwtKit.pub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.JwtKit;
import io.jnatsd.server.testing.OperatorFixture;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.NKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The full directory resolver: account JWTs in {@code <dir>/<account key>.jwt}, preloaded or
 * put there beforehand, and changed at run time by operator-signed claim updates sent to
 * {@code $SYS.REQ.CLAIMS.UPDATE} by a system account user; lookups, lists and deletes. Each
 * case gets fresh servers (jnatsd and upstream) with the same config.
 */
class JwtResolverTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestServer start(Impl impl, String conf) throws Exception {
        if (impl == Impl.UPSTREAM) {
            org.junit.jupiter.api.Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        }
        return TestServer.start(impl, conf);
    }

    private static String request(Connection sys, String subject, String body) throws Exception {
        Message m = sys.request(subject, body.getBytes(StandardCharsets.UTF_8), WAIT);
        return m == null ? null : new String(m.getData(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void preloadedAccountsAreStoredAsFilesNamedByTheirKey(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        Path dir = op.dir.resolve("jwt");
        try (TestServer s = start(impl, op.fullConfig(dir, true, null))) {
            assertEquals(op.accounts.get(pub(a)), Files.readString(dir.resolve(pub(a) + ".jwt")).trim());
            assertTrue(Files.exists(dir.resolve(pub(op.system) + ".jwt")));
            try (Connection nc = op.user(a).connect(s)) {
                nc.flush(WAIT);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountFilesInTheDirectoryAreUsed(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        Path dir = Files.createDirectories(op.dir.resolve("jwt"));
        for (Map.Entry<String, String> e : op.accounts.entrySet()) Files.writeString(dir.resolve(e.getKey() + ".jwt"), e.getValue());
        try (TestServer s = start(impl, op.fullConfig(dir, false, null)); Connection nc = op.user(a).connect(s)) {
            nc.flush(WAIT);
            assertEquals("-ERR 'Authorization Violation'\n<closed>", op.user(JwtKit.accountKey()).rawConnect(s, null));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aClaimsUpdateAddsAnAccountAndChangesLimitsForNewConnections(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        Path dir = op.dir.resolve("jwt");
        try (TestServer s = start(impl, op.fullConfig(dir, true, null)); Connection sys = op.systemUser().connect(s)) {
            NKey a = JwtKit.accountKey();
            assertEquals("-ERR 'Authorization Violation'\n<closed>", op.user(a).rawConnect(s, null), "not known yet");
            String first = JwtKit.account(a, "A").sign(op.operator);
            String reply = request(sys, "$SYS.REQ.CLAIMS.UPDATE", first);
            assertTrue(reply.startsWith("{\"data\":{\"account\":\"" + pub(a) + "\",\"code\":200,\"message\":\"jwt updated\"},"
                    + "\"server\":{"), reply);
            assertEquals(first, Files.readString(dir.resolve(pub(a) + ".jwt")));
            try (Connection c1 = op.user(a).connect(s); Connection c2 = op.user(a).connect(s)) {
                c1.flush(WAIT);
                c2.flush(WAIT);
            }
            try (Connection c1 = op.user(a).connect(s)) {
                String limited = JwtKit.account(a, "A").nats("limits", limits("conn", 1)).sign(op.operator);
                reply = request(sys, "$SYS.REQ.ACCOUNT." + pub(a) + ".CLAIMS.UPDATE", limited);
                assertTrue(reply.contains("\"message\":\"jwt updated\""), reply);
                assertEquals(limited, Files.readString(dir.resolve(pub(a) + ".jwt")));
                c1.flush(WAIT);
                assertEquals("-ERR 'maximum account active connections exceeded'\n<closed>", op.user(a).rawConnect(s, null));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anUpdateRevokingAConnectedUserDisconnectsIt(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        try (TestServer s = start(impl, op.fullConfig(op.dir.resolve("jwt"), true, null));
             Connection sys = op.systemUser().connect(s)) {
            OperatorFixture.User u = op.user(a);
            try (RawClient c = s.raw()) {
                assertEquals("", c.untilPong(u.connectLine(c, null)));
                String revoking = JwtKit.account(a, "A")
                        .nats("revocations", Map.of(u.pub(), System.currentTimeMillis() / 1000 + 5)).sign(op.operator);
                assertTrue(request(sys, "$SYS.REQ.CLAIMS.UPDATE", revoking).contains("jwt updated"));
                assertEquals("-ERR 'User Authentication Revoked'", c.readLine());
                assertNull(c.readLine());
            }
            assertEquals("-ERR 'Authorization Violation'\n<closed>", u.rawConnect(s, null));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anUpdateLoweringTheSubscriptionLimitClosesClientsOverIt(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        try (TestServer s = start(impl, op.fullConfig(op.dir.resolve("jwt"), true, null));
             Connection sys = op.systemUser().connect(s)) {
            OperatorFixture.User u = op.user(a);
            try (RawClient busy = s.raw(); RawClient idle = s.raw()) {
                assertEquals("", busy.untilPong(u.connectLine(busy, null) + "SUB x 1\r\nSUB y 2\r\n"));
                assertEquals("", idle.untilPong(u.connectLine(idle, null)));
                String lower = JwtKit.account(a, "A").nats("limits", limits("subs", 1)).sign(op.operator);
                assertTrue(request(sys, "$SYS.REQ.CLAIMS.UPDATE", lower).contains("jwt updated"));
                assertEquals("-ERR 'maximum subscriptions exceeded'", busy.readLine());
                assertNull(busy.readLine());
                assertEquals("", idle.untilPong("SUB z 1\r\n"));
                assertEquals("-ERR 'maximum subscriptions exceeded'", idle.untilPong("SUB w 2\r\n"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void clientsAreToldWhenTheirAccountJwtExpiresAndNewOnesAreRefused(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A", c -> c.claim("exp", System.currentTimeMillis() / 1000 + 2));
        try (TestServer s = start(impl, op.memoryConfig())) {
            OperatorFixture.User u = op.user(a);
            try (RawClient c = s.raw()) {
                assertEquals("", c.untilPong(u.connectLine(c, null)));
                c.setTimeout(6000);
                String line = c.readLine();
                while ("PING".equals(line)) line = c.readLine(); // the server's first PING may come before
                assertEquals("-ERR 'Account Authentication Expired'", line);
                assertNull(c.readLine());
            }
            assertEquals("-ERR 'Authorization Violation'\n<closed>", u.rawConnect(s, null));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void lookupAndListAnswerFromTheDirectory(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        try (TestServer s = start(impl, op.fullConfig(op.dir.resolve("jwt"), true, null));
             Connection sys = op.systemUser().connect(s)) {
            assertEquals(op.accounts.get(pub(a)), request(sys, "$SYS.REQ.ACCOUNT." + pub(a) + ".CLAIMS.LOOKUP", ""));
            String list = request(sys, "$SYS.REQ.CLAIMS.LIST", "");
            assertTrue(list.startsWith("{\"data\":["), list);
            assertTrue(list.contains("\"" + pub(a) + "\"") && list.contains("\"" + pub(op.system) + "\""), list);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anOperatorSignedDeleteRemovesAnAccount(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        Path dir = op.dir.resolve("jwt");
        try (TestServer s = start(impl, op.fullConfig(dir, true, "allow_delete: true"));
             Connection sys = op.systemUser().connect(s)) {
            OperatorFixture.User u = op.user(a);
            try (RawClient c = s.raw()) {
                assertEquals("", c.untilPong(u.connectLine(c, null)));
                String del = new JwtKit.Claims("generic", pub(op.operator), "delete").nats("accounts", List.of(pub(a))).sign(op.operator);
                String reply = request(sys, "$SYS.REQ.CLAIMS.DELETE", del);
                assertTrue(reply.startsWith("{\"data\":{\"code\":200,\"message\":\"deleted 1 accounts\"}"), reply);
                assertEquals("-ERR 'Account Authentication Expired'", c.readLine());
            }
            assertFalse(Files.exists(dir.resolve(pub(a) + ".jwt")));
            assertTrue(Files.exists(dir.resolve(pub(a) + ".jwt.deleted")));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void deletesNeedAllowDelete(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        try (TestServer s = start(impl, op.fullConfig(op.dir.resolve("jwt"), true, null));
             Connection sys = op.systemUser().connect(s)) {
            String del = new JwtKit.Claims("generic", pub(op.operator), "delete").nats("accounts", List.of(pub(a))).sign(op.operator);
            String reply = request(sys, "$SYS.REQ.CLAIMS.DELETE", del);
            assertTrue(reply.startsWith("{\"error\":{\"code\":500,\"description\":\"delete accounts request by " + pub(op.operator)
                    + " failed - delete must be enabled in server config\"}"), reply);
        }
    }

    /** jnatsd refuses to store an update no trusted key signed (upstream stores it, then refuses to apply it). */
    @org.junit.jupiter.api.Test
    void anUpdateFromAnUntrustedSignerIsRefused() throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        Path dir = op.dir.resolve("jwt");
        try (TestServer s = start(Impl.JNATSD, op.fullConfig(dir, true, null)); Connection sys = op.systemUser().connect(s)) {
            String rogue = JwtKit.account(a, "A").nats("limits", limits("conn", 0)).sign(JwtKit.operatorKey());
            String reply = request(sys, "$SYS.REQ.CLAIMS.UPDATE", rogue);
            assertTrue(reply.startsWith("{\"error\":{\"account\":\"" + pub(a) + "\",\"code\":500,"
                    + "\"description\":\"jwt update resulted in error - not trusted\"}"), reply);
            assertEquals(op.accounts.get(pub(a)), Files.readString(dir.resolve(pub(a) + ".jwt")));
        }
    }
}
