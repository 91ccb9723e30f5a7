package io.jnatsd.server;

import static io.jnatsd.server.testing.JwtKit.perm;
import static io.jnatsd.server.testing.JwtKit.pub;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.JwtKit;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.OperatorFixture;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.NKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scoped signing keys (their template replaces the user's permissions, with {@code {{...}}}
 * filled in), the operator's signing keys, and how /connz shows JWT users; against jnatsd and
 * upstream.
 */
class JwtScopesTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static TestServer start(Impl impl, String conf, boolean monitored) throws Exception {
        if (impl == Impl.UPSTREAM) Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        return monitored ? TestServer.startMonitored(impl, conf, null) : TestServer.start(impl, conf);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aScopedSigningKeyGivesItsUsersTheTemplate(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey scoped = JwtKit.accountKey();
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("pub", perm(List.of("user.{{name()}}.>", "acct.{{account-name()}}"), null));
        template.put("sub", perm(List.of("user.{{subject()}}.>", "tagged.{{tag(team)}}"), null));
        template.put("subs", -1);
        template.put("data", -1);
        template.put("payload", -1);
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("kind", "user_scope");
        scope.put("key", pub(scoped));
        scope.put("role", "dev");
        scope.put("template", template);
        scope.put("description", "");
        NKey a = op.addAccount("A", c -> c.nats("signing_keys", List.of(scope)));
        try (TestServer s = start(impl, op.memoryConfig(), false)) {
            OperatorFixture.User u = op.user(scoped, c -> new JwtKit.Claims("user", pub(JwtKit.userKey()), "x")
                    .nats("issuer_account", pub(a)));
            // The fixture's user claims carry limits; a scoped user must carry none, so build it bare.
            NKey key = JwtKit.userKey();
            String jwt = new JwtKit.Claims("user", pub(key), "bob").nats("issuer_account", pub(a))
                    .nats("tags", List.of("team:red", "team:blue")).sign(scoped);
            OperatorFixture.User bob = new OperatorFixture.User(key, jwt, JwtKit.writeCreds(op.dir, "bob", jwt, key));
            assertEquals("-ERR 'Permissions Violation for Publish to \"user.alice.x\"'\n"
                            + "-ERR 'Permissions Violation for Subscription to \"tagged.green\"'",
                    bob.rawConnect(s, "PUB user.bob.x 0\r\n\r\nPUB acct.A 0\r\n\r\nPUB user.alice.x 0\r\n\r\n"
                            + "SUB user." + pub(key) + ".> 1\r\nSUB tagged.red 2\r\nSUB tagged.blue 3\r\nSUB tagged.green 4\r\n"));
            // A user with its own permissions may not be signed by a scoped key.
            OperatorFixture.User withPerms = op.user(scoped, c -> c.nats("issuer_account", pub(a)));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", withPerms.rawConnect(s, null));
            assertEquals("-ERR 'Authorization Violation'\n<closed>", u.rawConnect(s, null), "a user JWT with another subject key");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountsSignedByAnOperatorSigningKeyAreTrusted(Impl impl) throws Exception {
        NKey opSigning = JwtKit.operatorKey();
        OperatorFixture op = new OperatorFixture(c -> c.nats("signing_keys", List.of(pub(opSigning))));
        NKey a = JwtKit.accountKey();
        op.accounts.put(pub(a), JwtKit.account(a, "A").sign(opSigning));
        try (TestServer s = start(impl, op.memoryConfig(), false); Connection nc = op.user(a).connect(s)) {
            nc.flush(WAIT);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anExportRequiringATokenIsImportedOnlyWithAnActivation(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        Map<String, Object> export = JwtKit.export("stream", "private.>");
        export.put("token_req", true);
        NKey exporter = op.addAccount("E", c -> c.nats("exports", List.of(export)));
        NKey withToken = JwtKit.accountKey();
        String activation = new JwtKit.Claims("activation", pub(withToken), "act").nats("subject", "private.>")
                .nats("kind", "stream").sign(exporter);
        Map<String, Object> imp = JwtKit.importOf("stream", pub(exporter), "private.>", null);
        imp.put("token", activation);
        op.accounts.put(pub(withToken), JwtKit.account(withToken, "T").nats("imports", List.of(imp)).sign(op.operator));
        NKey without = op.addAccount("W", c -> c.nats("imports", List.of(JwtKit.importOf("stream", pub(exporter), "private.>", null))));
        try (TestServer s = start(impl, op.memoryConfig(), false);
             Connection e = op.user(exporter).connect(s);
             Connection t = op.user(withToken).connect(s);
             Connection w = op.user(without).connect(s)) {
            var st = t.subscribe("private.>");
            var sw = w.subscribe("private.>");
            t.flush(WAIT);
            w.flush(WAIT);
            e.publish("private.x", "m".getBytes());
            e.flush(WAIT);
            org.junit.jupiter.api.Assertions.assertNotNull(st.nextMessage(WAIT));
            org.junit.jupiter.api.Assertions.assertNull(sw.nextMessage(Duration.ofMillis(300)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connzShowsTheJwtUser(Impl impl) throws Exception {
        OperatorFixture op = new OperatorFixture();
        NKey a = op.addAccount("A");
        try (TestServer s = start(impl, op.memoryConfig(), true)) {
            OperatorFixture.User u = op.user(a, c -> c.nats("tags", List.of("k:v")));
            try (Connection nc = u.connect(s)) {
                nc.flush(WAIT);
                JsonNode conn = new MonitorHttp(s).json("/connz?auth=true").path("connections").path(0);
                assertEquals(u.pub(), conn.path("authorized_user").asText());
                assertEquals(pub(a), conn.path("account").asText());
                assertEquals(u.jwt(), conn.path("jwt").asText());
                assertEquals(pub(a), conn.path("issuer_key").asText());
                assertEquals("user1", conn.path("name_tag").asText());
                assertEquals("[\"k:v\"]", conn.path("tags").toString());
            }
        }
    }
}
