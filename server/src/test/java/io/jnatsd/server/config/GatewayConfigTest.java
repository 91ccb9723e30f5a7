package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gateway {}} block onto {@link GatewayOptions}: upstream's keys, its parse errors at
 * their position, and the checks it makes when the server starts (not with {@code -t}), each
 * compared with what nats-server 2.9.10 prints when it is installed.
 */
class GatewayConfigTest {
    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        Path f = Files.createTempFile(dir, "gw", ".conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void everyKey() throws Exception {
        ServerOptions o = ConfigLoader.load(write("""
                gateway {
                  name: A
                  listen: "127.0.0.1:7222"
                  advertise: "gw.example.com:7222"
                  connect_retries: 3
                  reject_unknown_cluster: true
                  authorization { user: gw, password: pw, timeout: 1.5 }
                  gateways: [
                    { name: B, url: "nats://b1:7222" }
                    { name: C, urls: ["nats://c1:7222", "nats://c2:7222"] }
                  ]
                }
                """));
        assertEquals(List.of(), o.warnings, "the block is served: no warning");
        GatewayOptions g = o.gateway;
        assertTrue(g.enabled());
        assertEquals("A", g.name);
        assertEquals("127.0.0.1", g.host);
        assertEquals(7222, g.port);
        assertEquals("gw.example.com:7222", g.advertise);
        assertEquals(3, g.connectRetries);
        assertTrue(g.rejectUnknown);
        assertEquals("gw", g.username);
        assertEquals("pw", g.password);
        assertEquals(Duration.ofMillis(1500), g.authTimeout);
        assertEquals(2, g.gateways.size());
        assertEquals("B", g.gateways.get(0).name);
        assertEquals("nats://b1:7222", g.gateways.get(0).urls.get(0).toString());
        assertEquals(2, g.gateways.get(1).urls.size());
        assertFalse(ConfigLoader.load(write("gateway { name: A, port: 1, reject_unknown: false }")).gateway.rejectUnknown);
    }

    @Test
    void parseErrorsAsUpstream() throws Exception {
        assertRefused("gateway {\n  name: A, port: -1\n  authorization { token: x }\n}\n",
                ":3:3: Gateway authorization does not support tokens");
        assertRefused("gateway {\n  name: A, port: -1\n  authorization { users [ {user: a, password: b} ] }\n}\n",
                ":3:3: Gateway authorization does not allow multiple users");
        assertRefused("gateway {\n  name: A, port: -1\n  foo: 1\n}\n", ":3:3: unknown field \"foo\"");
        assertRefused("port: 4222\ngateway: 5\n", ":2:1: Expected gateway to be a map, got int64");
    }

    @Test
    void startUpChecksAsUpstream() throws Exception {
        assertFailsToStart("gateway { name: A }\n", "gateway \"A\" has no port specified (select -1 for random port)");
        assertFailsToStart("gateway { port: 5 }\n", "gateway has no name");
        assertFailsToStart("gateway { name: A, port: -1, gateways [ {url: \"nats://127.0.0.1:1\"} ] }\n",
                "gateway in the list 0 has no name");
        assertFailsToStart("gateway { name: A, port: -1, gateways [ {name: B} ] }\n", "gateway \"B\" has no URL");
        assertFailsToStart("cluster { name: C, port: -1 }\ngateway { name: A, port: -1 }\n",
                "cluster name conflicts between cluster and gateway definitions");
    }

    private void assertRefused(String text, String expected) throws Exception {
        Path f = write(text);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().contains(f + expected), e.getMessage() + " wanted " + expected);
        String upstream = upstream(f, false);
        if (upstream != null) assertTrue(upstream.contains(f + expected), "upstream says " + upstream);
    }

    private void assertFailsToStart(String text, String expected) throws Exception {
        Path f = write(text);
        ServerOptions o = ConfigLoader.load(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NatsServer(o, ServerLog.silent()));
        assertEquals(expected, e.getMessage());
        String upstream = upstream(f, false);
        if (upstream != null) assertEquals("nats-server: " + expected, upstream.strip());
        String check = upstream(f, true);
        if (check != null) assertTrue(check.contains("is valid"), "upstream's -t accepts it: " + check);
    }

    /** What nats-server prints for the file (with {@code -t}: only checks it), or null when it is not installed. */
    private static String upstream(Path f, boolean test) throws Exception {
        String bin = TestServer.upstreamBinary();
        if (bin == null) return null;
        List<String> cmd = test ? List.of(bin, "-t", "-c", f.toString()) : List.of(bin, "-c", f.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "still running";
        }
        return new String(p.getInputStream().readAllBytes());
    }
}
