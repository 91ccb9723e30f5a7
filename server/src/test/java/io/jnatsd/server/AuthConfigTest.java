package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.conf.ConfParser;
import io.jnatsd.server.config.ConfigLoader;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Security configuration errors, reported as upstream words them (checked against
 * nats-server 2.9.10's own messages), and the log lines of refused clients.
 */
class AuthConfigTest {
    private static ServerOptions options(String text) throws Exception {
        ServerOptions o = new ServerOptions();
        ConfigLoader.apply(ConfParser.parse(text, null, "t.conf"), o);
        o.host = "127.0.0.1";
        o.port = 0;
        return o;
    }

    private static String error(String text) throws Exception {
        ServerOptions o = options(text);
        return assertThrows(IllegalArgumentException.class, () -> NatsServer.validate(o)).getMessage();
    }

    @Test
    void upstreamsErrorTexts() throws Exception {
        assertTrue(error("authorization { users: [ {user: a, password: b}, {user: a, password: c} ] }")
                .endsWith("Duplicate user \"a\" detected"));
        assertTrue(error("authorization { users: [ {nkey: UABC} ] }").endsWith("Not a valid public nkey for a user"));
        assertTrue(error("authorization { users: [ {user: a, allowed_connection_types: [\"FOO\"]} ] }")
                .endsWith("invalid connection types [\"FOO\"]"));
        assertTrue(error("accounts { $G: {} }").endsWith("\"$G\" is a Reserved Account"));
        assertTrue(error("authorization { token: x }\naccounts { A: { users: [ {user: a} ] } }")
                .endsWith("Can not have a token and accounts"));
        assertEquals("no_auth_user: \"z\" not present as user in authorization block or account configuration",
                error("authorization { users: [ {user: a, password: b} ] }\nno_auth_user: z"));
        assertEquals("no_auth_user: \"z\" present, but users are not defined", error("no_auth_user: z"));
        assertTrue(error("authorization { users: [ {password: x} ] }").endsWith("User entry requires a user"));
        assertTrue(error("authorization { users: [ {nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4, password: x} ] }")
                .endsWith("Nkey users do not take usernames or passwords"));
        assertTrue(error("accounts { A: { users: [ {user: a} ] }, B: { users: [ {user: a} ] } }")
                .endsWith("Duplicate user \"a\" detected"));
    }

    @Test
    void tlsBlockErrorsAtLoad() {
        assertThrows(Exception.class, () -> options("tls { foo: 1 }"));
        assertThrows(Exception.class, () -> options("tls { cipher_suites: [\"BAD\"] }"));
        assertThrows(Exception.class, () -> options("tls { cert_file: a.pem }"));
        assertThrows(Exception.class, () -> options("tls { min_version: \"1.1\" }"));
    }

    @Test
    void tlsBlockIsParsed() throws Exception {
        ServerOptions o = options("""
                tls {
                  cert_file: c.pem
                  key_file: k.pem
                  ca_file: ca.pem
                  verify_and_map: true
                  timeout: 0.5
                  cipher_suites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"]
                  curve_preferences: ["CurveP256"]
                  min_version: "1.3"
                  handshake_first: "300ms"
                }
                """);
        var t = o.effectiveTls();
        assertNotNull(t);
        assertEquals("c.pem", t.certFile);
        assertTrue(t.verify, "verify_and_map implies verify");
        assertTrue(t.verifyAndMap);
        assertEquals(Duration.ofMillis(500), t.timeout);
        assertEquals(2, t.cipherSuites.size());
        assertEquals("1.3", t.minVersion);
        assertTrue(t.handshakeFirst);
        assertEquals(Duration.ofMillis(300), t.handshakeFirstFallback);
        assertEquals(Duration.ofMillis(1500), o.effectiveAuthTimeout(), "TLS timeout + 1 s");
        ServerOptions explicit = options("tls { cert_file: c.pem, key_file: k.pem }\nauthorization { token: t, timeout: 3 }");
        assertEquals(Duration.ofSeconds(3), explicit.effectiveAuthTimeout());
        assertEquals(Duration.ofSeconds(2), options("port: 1").effectiveAuthTimeout());
    }

    @Test
    void refusedClientsAreLoggedAtErrorLevelWithoutSecrets() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ServerLog log = new ServerLog(new PrintStream(buf, true, StandardCharsets.UTF_8), false, false, true, true);
        ServerOptions o = options("authorization { users: [ {user: alice, password: s3cret} ] }");
        try (NatsServer s = new NatsServer(o, log).start(); RawClient c = new RawClient(s.port())) {
            c.untilPong("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"guess\"}\r\n");
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("[WRN] Plaintext passwords detected, use nkeys or bcrypt"), out);
        assertTrue(out.matches("(?s).*\\[ERR\\] 127\\.0\\.0\\.1:\\d+ - cid:\\d+ - authentication error - User \"alice\"\n.*"), out);
        assertTrue(out.contains("\"pass\":\"[REDACTED]\""), out);
        assertFalse(out.contains("guess"), out);
    }

    @Test
    void nkeyFailuresNameTheNkey() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ServerLog log = new ServerLog(new PrintStream(buf, true, StandardCharsets.UTF_8), false, false, false, false);
        ServerOptions o = options("authorization { users: [ {nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4} ] }");
        try (NatsServer s = new NatsServer(o, log).start(); RawClient c = new RawClient(s.port())) {
            c.untilPong("CONNECT {\"verbose\":false,\"nkey\":\"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\",\"sig\":\"AAAA\"}\r\n");
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("authentication error - Nkey \"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\""), out);
    }
}
