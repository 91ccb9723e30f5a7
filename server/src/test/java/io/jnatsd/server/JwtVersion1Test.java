package io.jnatsd.server;

import static io.jnatsd.server.testing.JwtKit.export;
import static io.jnatsd.server.testing.JwtKit.importOf;
import static io.jnatsd.server.testing.JwtKit.list;
import static io.jnatsd.server.testing.JwtKit.perm;
import static io.jnatsd.server.testing.JwtKit.pub;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.JwtKit;
import io.jnatsd.server.testing.OperatorFixture;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.NKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Operator, account, user and activation JWTs as the first (version 1) tooling wrote them:
 * upstream accepts and migrates them, and so must jnatsd. A v1 user's absent limits are
 * unlimited, its permissions apply, and a v1 activation token lets a v1 account import.
 */
class JwtVersion1Test {

    @ParameterizedTest
    @EnumSource(Impl.class)
    void version1ClaimsAreAcceptedEverywhere(Impl impl) throws Exception {
        NKey operator = JwtKit.operatorKey();
        NKey system = JwtKit.accountKey();
        NKey exporter = JwtKit.accountKey();
        NKey importer = JwtKit.accountKey();
        String activation = new JwtKit.Claims("activation", pub(importer), "act")
                .nats("subject", "private.>").nats("kind", "stream").v1().sign(exporter);
        Map<String, String> accounts = new LinkedHashMap<>();
        accounts.put(pub(system), JwtKit.account(system, "SYS").v1().sign(operator));
        Map<String, Object> privateExport = export("stream", "private.>");
        privateExport.put("token_req", true);
        accounts.put(pub(exporter), JwtKit.account(exporter, "E").nats("exports", list(privateExport)).v1().sign(operator));
        Map<String, Object> imp = importOf("stream", pub(exporter), "private.>", null);
        imp.put("token", activation);
        accounts.put(pub(importer), JwtKit.account(importer, "I").nats("imports", list(imp)).v1().sign(operator));

        StringBuilder conf = new StringBuilder()
                .append("operator: \"").append(JwtKit.operator(operator, "O").nats("system_account", pub(system)).v1().sign(operator))
                .append("\"\nsystem_account: ").append(pub(system)).append("\nresolver: MEMORY\nresolver_preload: {\n");
        accounts.forEach((k, v) -> conf.append("  ").append(k).append(": \"").append(v).append("\"\n"));
        conf.append("}\n");

        Path dir = Files.createTempDirectory("jnatsd-jwt-v1");
        try (TestServer s = TestServer.start(impl, conf.toString())) {
            // a v1 user without limits: v1 means unlimited, so the subscriptions are allowed
            OperatorFixture.User reader = v1User(dir, "reader", importer, new JwtKit.Claims("user", "", "reader")
                    .nats("sub", perm(List.of("private.>", "v1.>"), null)).nats("pub", perm(List.of("v1.>"), null)));
            OperatorFixture.User writer = v1User(dir, "writer", exporter, new JwtKit.Claims("user", "", "writer"));
            try (RawClient r = s.raw(); RawClient w = s.raw()) {
                assertEquals("", r.untilPong(reader.connectLine(r, null) + "SUB private.> 1\r\nSUB v1.> 2\r\n"));
                assertEquals("", w.untilPong(writer.connectLine(w, null) + "PUB private.x 2\r\nhi\r\n"));
                assertEquals("MSG private.x 1 2", r.readLine(), "through the import the v1 activation allows");
                assertEquals("hi", r.readLine());
                assertEquals("MSG v1.y 2 3\nhey\n-ERR 'Permissions Violation for Publish to \"other\"'",
                        r.untilPong("PUB v1.y 3\r\nhey\r\nPUB other 0\r\n\r\n"));
            }
        }
    }

    /** A v1 user JWT (subject set here) of {@code account}, with its creds file. */
    private static OperatorFixture.User v1User(Path dir, String name, NKey account, JwtKit.Claims claims) throws Exception {
        NKey key = JwtKit.userKey();
        String jwt = claims.claim("sub", pub(key)).v1().sign(account);
        return new OperatorFixture.User(key, jwt, JwtKit.writeCreds(dir, name, jwt, key));
    }
}
