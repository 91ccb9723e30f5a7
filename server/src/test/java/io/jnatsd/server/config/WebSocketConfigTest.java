package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jnatsd.server.config.ParsedCommandLine.Action;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code websocket {}} block onto {@link WebsocketOptions}, with upstream's keys, aliases and parse errors. */
class WebSocketConfigTest {
    @TempDir
    Path dir;

    Path write(String text) throws Exception {
        Path f = Files.createTempFile(dir, "ws", ".conf");
        Files.writeString(f, text);
        return f;
    }

    WebsocketOptions load(String text) throws Exception {
        ServerOptions o = ConfigLoader.load(write(text));
        assertEquals(List.of(), o.warnings, "the block is served: no warning");
        return o.websocket;
    }

    String refused(String text) throws Exception {
        Path f = write(text);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        return e.getMessage().replace(f.toString(), "f");
    }

    @Test
    void everyKey() throws Exception {
        WebsocketOptions w = load("""
                websocket {
                  host: "127.0.0.1"
                  port: 8443
                  advertise: "ws.example.com:443"
                  no_tls: true
                  same_origin: true
                  allowed_origins: ["http://a.example", "https://b.example:8443"]
                  compression: true
                  handshake_timeout: "2s"
                  authorization { user: u, password: p, timeout: 1.5 }
                  jwt_cookie: my_jwt
                  no_auth_user: nobody
                }
                """);
        assertEquals("127.0.0.1", w.host);
        assertEquals(8443, w.port);
        assertTrue(w.enabled());
        assertEquals("ws.example.com:443", w.advertise);
        assertTrue(w.noTls);
        assertNull(w.tls);
        assertTrue(w.sameOrigin);
        assertEquals(List.of("http://a.example", "https://b.example:8443"), w.allowedOrigins);
        assertTrue(w.compression);
        assertEquals(Duration.ofSeconds(2), w.handshakeTimeout);
        assertEquals("u", w.username);
        assertEquals("p", w.password);
        assertEquals(1.5, w.authTimeoutSeconds);
        assertEquals(Duration.ofMillis(1500), w.effectiveAuthTimeout(Duration.ofSeconds(2)));
        assertEquals("my_jwt", w.jwtCookie);
        assertEquals("nobody", w.noAuthUser);
        assertTrue(w.authOverride());
        assertEquals(1, w.at.line());
        assertEquals(10, w.authorizationAt.line());
        assertEquals(11, w.jwtCookieAt.line());
        assertEquals(12, w.noAuthUserAt.line());
    }

    @Test
    void defaultsAndAliases() throws Exception {
        WebsocketOptions none = load("port: 4222\n");
        assertFalse(none.enabled());
        assertEquals(Duration.ZERO, none.handshakeTimeout);
        assertFalse(none.compression);
        assertEquals("0.0.0.0", none.listenHost());
        assertEquals(Duration.ofSeconds(2), none.effectiveAuthTimeout(Duration.ofSeconds(2)));

        WebsocketOptions w = load("ws { listen: \"10.0.0.1:8080\", compress: true, origin: \"http://x\", handshake_timeout: 3,"
                + " authentication { token: t } }\n");
        assertEquals("10.0.0.1", w.host);
        assertEquals(8080, w.port);
        assertTrue(w.compression);
        assertEquals(List.of("http://x"), w.allowedOrigins);
        assertEquals(Duration.ofSeconds(3), w.handshakeTimeout, "an integer is seconds");
        assertEquals("t", w.token);
        assertTrue(w.authOverride());

        assertEquals(8081, load("websocket { listen: 8081, net: \"::1\" }\n").port);
        assertEquals("::1", load("websocket { listen: 8081, net: \"::1\" }\n").host);
        assertEquals(-1, load("websocket { port: -1 }\n").port);
        for (String alias : List.of("allowed_origin", "allow_origins", "allow_origin", "origins")) {
            assertEquals(List.of("http://y"), load("websocket { " + alias + ": [\"http://y\"] }\n").allowedOrigins, alias);
        }
        assertFalse(load("websocket { authorization { password: p, timeout: 2 } }\n").authOverride(),
                "a password or a timeout alone overrides nothing, as upstream");
    }

    @Test
    void tlsBlock() throws Exception {
        WebsocketOptions w = load("websocket {\n  port: 443\n  tls {\n    cert_file: \"c.pem\"\n    key_file: \"k.pem\"\n"
                + "    verify_and_map: true\n  }\n}\n");
        assertEquals("c.pem", w.tls.certFile);
        assertEquals("k.pem", w.tls.keyFile);
        assertTrue(w.tls.verifyAndMap);
        assertTrue(w.tls.verify);
        assertEquals("f:3:36: verify_cert_and_check_known_urls not supported in this context",
                refused("websocket {\n  port: 443\n  tls { cert_file: c, key_file: k, verify_cert_and_check_known_urls: true }\n}\n"));
    }

    @Test
    void errorsAtTheirKeys() throws Exception {
        assertEquals("f:2:3: unknown field \"bogus\"", refused("websocket {\n  bogus: 1\n}\n"));
        assertEquals("f:1:1: Expected websocket to be a map, got integer", refused("websocket: 1\n"));
        assertEquals("f:2:3: expected an integer for \"port\", got string", refused("websocket {\n  port: \"x\"\n}\n"));
        assertEquals("f:2:3: time: invalid duration \"abc\"", refused("websocket {\n  handshake_timeout: \"abc\"\n}\n"));
        assertEquals("f:2:3: error parsing handshake timeout: unsupported type boolean",
                refused("websocket {\n  handshake_timeout: true\n}\n"));
        assertEquals("f:2:19: unknown field \"users\"", refused("websocket {\n  authorization { users: [] }\n}\n"));
        assertEquals("f:2:3: expected a boolean for \"compression\", got string",
                refused("websocket {\n  compression: \"yes\"\n}\n"));
        // variables used only as values are not unknown fields
        assertEquals(8080, load("P: 8080\nwebsocket { port: $P }\n").port);
    }

    /** jnatsd -t gives upstream's verdict: these are parse errors for both (the start-time checks are not). */
    @ParameterizedTest
    @ValueSource(strings = {
            "websocket {\n  port: 8080\n  bogus: 1\n}\n",
            "websocket {\n  handshake_timeout: \"abc\"\n}\n",
            "websocket {\n  authorization { users: [] }\n}\n",
            "websocket {\n  port: 443\n  tls { bogus: 1 }\n}\n",
            "websocket: 1\n",
    })
    void refusedByUpstreamTooOnTheSameLine(String text) throws Exception {
        Path upstream = UpstreamConfigCompatibilityTest.findUpstream();
        assumeTrue(upstream != null, "nats-server not installed");
        Path f = write(text);
        Process p = new ProcessBuilder(upstream.toString(), "-t", "-c", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), "upstream accepted it:\n" + text);
        ParsedCommandLine ours = ServerCommandLine.parse("-t", "-c", f.toString());
        assertEquals(Action.ERROR, ours.action(), "we accepted it:\n" + text);
        String first = ours.error().lines().findFirst().orElseThrow();
        String line = first.substring(0, first.indexOf(':', f.toString().length() + 1) + 1);
        assertTrue(out.contains(line), "upstream: " + out + "\nwe: " + ours.error());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "websocket {\n  port: 8080\n  no_tls: true\n  compression: true\n  same_origin: true\n}\n",
            "ws {\n  listen: \"127.0.0.1:8080\"\n  origins: [\"http://a\"]\n  handshake_timeout: 5\n}\n",
            // refused only when the server starts, as upstream (no TLS, no users for no_auth_user)
            "websocket {\n  port: 8080\n}\n",
            "websocket {\n  port: 8080\n  no_tls: true\n  no_auth_user: nobody\n}\n",
    })
    void acceptedByBothParsers(String text) throws Exception {
        Path upstream = UpstreamConfigCompatibilityTest.findUpstream();
        assumeTrue(upstream != null, "nats-server not installed");
        Path f = write(text);
        Process p = new ProcessBuilder(upstream.toString(), "-t", "-c", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        ServerOptions o = ConfigLoader.load(f);
        assertEquals(List.of(), o.warnings);
    }
}
