package io.jnatsd.server;

import static io.jnatsd.server.testing.JwtKit.pub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.conf.ConfParser;
import io.jnatsd.server.config.ConfigLoader;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.testing.JwtKit;
import io.jnatsd.server.testing.OperatorFixture;
import io.jnatsd.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Operator-mode configuration errors, in upstream's words: each config is also given to
 * upstream nats-server (when installed), which must refuse it with the same text.
 */
class JwtConfigTest {
    private static String jnatsdError(String text) throws Exception {
        ServerOptions o = new ServerOptions();
        ConfigLoader.apply(ConfParser.parse(text, null, "t.conf"), o);
        o.host = "127.0.0.1";
        o.port = 0;
        return assertThrows(IllegalArgumentException.class, () -> new NatsServer(o, ServerLog.silent()).close()).getMessage();
    }

    /** Upstream's complaint about the config (its output when it refuses to start), or null when not installed. */
    private static String upstreamError(String text) throws Exception {
        String bin = TestServer.upstreamBinary();
        if (bin == null) return null;
        Path dir = Files.createTempDirectory("jnatsd-conf");
        Path conf = dir.resolve("t.conf");
        Files.writeString(conf, "listen: \"127.0.0.1:" + TestServer.freePort() + "\"\n" + text);
        Process p = new ProcessBuilder(bin, "-c", conf.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor();
            return "(started)";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void sameError(String config, String expected) throws Exception {
        String ours = jnatsdError(config);
        assertTrue(ours.contains(expected), ours);
        String theirs = upstreamError(config);
        if (theirs != null) assertTrue(theirs.contains(expected), "upstream said: [" + theirs + "] for " + config);
    }

    @Test
    void operatorsRefuseUsersAccountsAndAMissingResolver() throws Exception {
        OperatorFixture op = new OperatorFixture();
        String operator = "operator: \"" + op.operatorJwt + "\"\nsystem_account: " + pub(op.system) + "\n";
        sameError(operator + "resolver: MEMORY\nauthorization { users: [ {user: a, password: b} ] }\n",
                "operators do not allow users to be configured directly");
        sameError(operator + "resolver: MEMORY\naccounts { A: {} }\n", "operators do not allow Accounts to be configured directly");
        // Upstream makes a URL resolver of an operator without account_server_url, which then fails
        // to fetch ("could not fetch <\"/accounts/\">"); jnatsd says what is missing.
        assertTrue(jnatsdError(operator).contains("operators require an account resolver to be configured"));
        sameError(operator + "resolver: MEMORY\ntrusted_keys: " + pub(JwtKit.operatorKey()) + "\n",
                "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
        sameError("operator: \"" + op.operatorJwt + "\"\nsystem_account: " + pub(JwtKit.accountKey()) + "\nresolver: MEMORY\n",
                "system_account in config and operator JWT must be identical");
    }

    @Test
    void badOperatorAndResolverSettings() throws Exception {
        sameError("operator: /nonexistent/op.jwt\nresolver: MEMORY\n",
                "error parsing operator JWT: open /nonexistent/op.jwt: no such file or directory");
        sameError("trusted_keys: [\"OBAD\"]\n", "trust key \"OBAD\" required to be a valid public operator nkey");
        sameError("trusted_keys: " + pub(JwtKit.operatorKey()) + "\nresolver: { type: full }\n",
                "dir has no value and needs to point to a directory");
        sameError("trusted_keys: " + pub(JwtKit.operatorKey()) + "\nresolver: MEMORY\nresolver_preload: { AABC: \"notajwt\" }\n",
                "invalid account JWT");
    }

    @Test
    void aMemoryResolverWithoutTheSystemAccountCannotStart() throws Exception {
        OperatorFixture op = new OperatorFixture();
        String config = "operator: \"" + op.operatorJwt + "\"\nresolver: MEMORY\n";
        sameError(config, "error resolving system account: account missing");
    }

    @Test
    void aFullResolverStartsWithoutTheSystemAccountJwt() throws Exception {
        OperatorFixture op = new OperatorFixture();
        Path dir = op.dir.resolve("jwt");
        ServerOptions o = new ServerOptions();
        ConfigLoader.apply(ConfParser.parse(op.fullConfig(dir, false, null), null, "t.conf"), o);
        o.host = "127.0.0.1";
        o.port = 0;
        try (NatsServer s = new NatsServer(o, ServerLog.silent()).start()) {
            assertEquals(pub(op.system), s.accounts().systemAccountName());
        }
        if (TestServer.upstreamBinary() != null) {
            try (TestServer upstream = TestServer.start(io.jnatsd.server.testing.Impl.UPSTREAM, op.fullConfig(op.dir.resolve("jwt2"), false, null))) {
                assertTrue(upstream.port() > 0);
            }
        }
    }
}
