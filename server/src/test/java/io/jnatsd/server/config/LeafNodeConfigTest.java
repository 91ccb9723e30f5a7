package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code leafnodes {}} block onto {@link LeafNodeOptions}: upstream's keys and aliases, errors at their position. */
class LeafNodeConfigTest {
    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        Path f = Files.createTempFile(dir, "leaf", ".conf");
        Files.writeString(f, text);
        return f;
    }

    private LeafNodeOptions load(String text) throws Exception {
        ServerOptions o = ConfigLoader.load(write(text));
        assertEquals(List.of(), o.warnings, "the block is served: no warning");
        return o.leafNodes;
    }

    private String refused(String text) throws Exception {
        Path f = write(text);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        return e.getMessage().replace(f.toString(), "f");
    }

    @Test
    void hubSide() throws Exception {
        LeafNodeOptions l = load("""
                accounts { A {}, B {} }
                leafnodes {
                  listen: "127.0.0.1:7422"
                  advertise: "leaf.example.com:443"
                  no_advertise: true
                  reconnect: 3
                  authorization {
                    users: [ { user: a, password: pa, account: A }, { user: b, password: pb } ]
                    account: B
                    timeout: 1.5
                  }
                }
                """);
        assertEquals("127.0.0.1", l.host);
        assertEquals(7422, l.port);
        assertTrue(l.accepts());
        assertEquals("leaf.example.com:443", l.advertise);
        assertTrue(l.noAdvertise);
        assertEquals(Duration.ofSeconds(3), l.reconnect);
        assertEquals(List.of(new LeafNodeOptions.LeafUser("a", "pa", "A"), new LeafNodeOptions.LeafUser("b", "pb", null)),
                l.users);
        assertEquals("B", l.account);
        assertEquals(Duration.ofMillis(1500), l.authTimeout);
        assertTrue(l.remotes.isEmpty());
    }

    @Test
    void leafSide() throws Exception {
        LeafNodeOptions l = load("""
                leaf {
                  remotes: [
                    { url: "nats-leaf://u:p@hub1:7422", account: "$G", credentials: "/x/leaf.creds",
                      deny_imports: ["private.>"], deny_export: "secret", hub: true, no_randomize: true }
                    { urls: ["nats://hub2", "tls://hub3:7000"], local: "$G" }
                  ]
                }
                """);
        assertFalse(l.accepts());
        assertEquals(2, l.remotes.size());
        LeafNodeOptions.Remote r = l.remotes.get(0);
        assertEquals("nats-leaf://u:p@hub1:7422", r.urls.get(0).toString());
        assertEquals("/x/leaf.creds", r.credentials);
        assertEquals(List.of("private.>"), r.denyImports);
        assertEquals(List.of("secret"), r.denyExports);
        assertTrue(r.hub);
        assertTrue(r.noRandomize);
        LeafNodeOptions.Remote r2 = l.remotes.get(1);
        assertEquals(7422, r2.urls.get(0).getPort(), "upstream's default leaf node port");
        assertEquals(7000, r2.urls.get(1).getPort());
        assertEquals("$G", r2.localAccount());
        assertNull(r2.credentials);
    }

    @Test
    void errorsArePositioned() throws Exception {
        assertEquals("f:2:3: unknown field \"bogus\"", refused("leafnodes {\n  bogus: 1\n}\n"));
        assertEquals("f:1:1: Expected map to define a leafnode, got integer", refused("leafnodes: 1\n"));
        assertEquals("f:2:16: unknown field \"bogus\"", refused("leafnodes {\n  remotes: [ { bogus: 1, url: \"nats://h:1\" } ]\n}\n"));
        assertEquals("f:3:3: the minimum version should be at least 2.8.0",
                refused("leafnodes {\n  port: 17777\n  min_version: \"2.7.0\"\n}\n"));
        assertEquals("f:3:3: invalid leafnode's minimum version: invalid semver",
                refused("leafnodes {\n  port: 17777\n  min_version: abc\n}\n"));
        assertEquals("f:3:3: invalid leafnode's minimum version: strconv.Atoi: parsing \"\": invalid syntax",
                refused("leafnodes {\n  port: 17777\n  min_version: \"2.8\"\n}\n"));
        // 2.9.10's leaf node users take no permissions (a leaf gets a user's permissions through the server's own users)
        assertEquals("f:2:51: unknown field \"permissions\"",
                refused("leafnodes {\n  authorization { users [ { user: a, password: b, permissions: { publish: \"foo\" } } ] }\n}\n"));
        assertEquals("f:2:16: error parsing remote leafnode url \"http://h:1\": the scheme must be nats-leaf://, nats://, tls://, ws:// or wss://",
                refused("leafnodes {\n  remotes: [ { url: \"http://h:1\" } ]\n}\n"));
        assertEquals("f:2:3: can not have a single user/pass and a users array",
                refused("leafnodes {\n  authorization { user: x, password: y, users: [ { user: a, password: b } ] }\n}\n"));
        assertTrue(refused("leafnodes {\n  authorization { users: [ { user: a, password: b }, { user: a, password: c } ] }\n}\n")
                .contains("duplicate user \"a\" detected in leafnode authorization"));
    }
}
