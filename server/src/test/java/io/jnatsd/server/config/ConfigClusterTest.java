package io.jnatsd.server.config;

import static io.jnatsd.server.config.ServerCommandLineTest.eachBool;
import static io.jnatsd.server.config.ServerCommandLineTest.eachSpelling;
import static io.jnatsd.server.config.ServerCommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jnatsd.server.config.ClusterOptions.AllowDeny;
import io.jnatsd.server.config.ClusterOptions.RoutePermissions;
import io.jnatsd.server.config.ParsedCommandLine.Action;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code cluster {}} block and the cluster flags, onto {@link ClusterOptions}. */
class ConfigClusterTest {

    @TempDir
    Path dir;

    Path write(String text) throws Exception {
        Path f = Files.createTempFile(dir, "cluster", ".conf");
        Files.writeString(f, text);
        return f;
    }

    ClusterOptions load(String text) throws Exception {
        return ConfigLoader.load(write(text)).cluster;
    }

    /** The message of a file that must be refused, with the file name cut to "f". */
    String refused(String text) throws Exception {
        Path f = write(text);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        return e.getMessage().replace(f.toString(), "f");
    }

    static ServerOptions flags(String... args) {
        return run(args);
    }

    static String flagError(String... args) {
        ParsedCommandLine r = ServerCommandLine.parse(args);
        assertEquals(Action.ERROR, r.action(), () -> String.join(" ", args));
        return r.error();
    }

    // ---- the file ----------------------------------------------------------------------------------

    @Test
    void everyKeyOfTheBlock() throws Exception {
        ClusterOptions c = load("""
                cluster {
                  name: c1
                  listen: "127.0.0.1:6222"
                  advertise: "c.example.com:6222"
                  no_advertise: true
                  connect_retries: 3
                  connect_backoff: true
                  routes: [ "nats-route://ruser:rpass@a:6222", nats://b:6222, "tls://[::1]:6223" ]
                  authorization { user: ruser, password: rpass, timeout: 0.5 }
                  tls {
                    cert_file: "c.pem", key_file: "k.pem", ca_file: "ca.pem"
                    verify: true, insecure: true, timeout: 3
                    verify_cert_and_check_known_urls: true
                  }
                  pool_size: 5
                  accounts: [ A, B ]
                  compression: s2_best
                  permissions { import: { allow: "a.>", deny: ["a.b"] }, export: ["x", "y.*"] }
                  ping_interval: "20s"
                  ping_max: 4
                  write_deadline: "3s"
                  write_timeout: close
                }
                """);
        assertEquals("c1", c.name);
        assertEquals("127.0.0.1", c.host);
        assertEquals(6222, c.port);
        assertEquals("127.0.0.1:6222", c.listen);
        assertTrue(c.enabled());
        assertEquals("c.example.com:6222", c.advertise);
        assertTrue(c.noAdvertise);
        assertEquals(3, c.connectRetries);
        assertTrue(c.connectBackoff);
        assertEquals(List.of(URI.create("nats-route://ruser:rpass@a:6222"), URI.create("nats://b:6222"),
                URI.create("tls://[::1]:6223")), c.routes);
        assertEquals("ruser:rpass", c.routes.get(0).getUserInfo());
        assertEquals("a", c.routes.get(0).getHost());
        assertEquals(6222, c.routes.get(0).getPort());
        assertEquals("ruser", c.username);
        assertEquals("rpass", c.password);
        assertEquals(Duration.ofMillis(500), c.authTimeout);
        assertEquals(Duration.ofMillis(500), c.effectiveAuthTimeout());
        assertEquals("c.pem", c.tls.certFile);
        assertEquals("k.pem", c.tls.keyFile);
        assertEquals("ca.pem", c.tls.caFile);
        assertTrue(c.tls.verify);
        assertTrue(c.tls.insecure);
        assertTrue(c.tls.checkKnownUrls);
        assertEquals(Duration.ofSeconds(3), c.tls.timeout);
        assertEquals(5, c.poolSize);
        assertEquals(List.of("A", "B"), c.pinnedAccounts);
        assertEquals(ClusterOptions.COMPRESSION_S2_BEST, c.compression);
        assertEquals(new RoutePermissions(new AllowDeny(List.of("a.>"), List.of("a.b")),
                new AllowDeny(List.of("x", "y.*"), List.of())), c.permissions);
        assertEquals(Duration.ofSeconds(20), c.pingInterval);
        assertEquals(4, c.pingMax);
        assertEquals(Duration.ofSeconds(3), c.writeDeadline);
        assertEquals("close", c.writeTimeout);
    }

    @Test
    void defaults() throws Exception {
        ServerOptions server = new ServerOptions();
        ClusterOptions c = server.cluster;
        assertFalse(c.enabled());
        assertNull(c.name);
        assertNull(c.host);
        assertEquals("0.0.0.0", c.listenHost());
        assertEquals(List.of(), c.routes);
        assertEquals(ClusterOptions.DEFAULT_POOL_SIZE, c.poolSize);
        assertEquals(3, c.poolSize);
        assertEquals(List.of(), c.pinnedAccounts);
        assertEquals("accept", c.compression);
        assertNull(c.permissions);
        assertNull(c.tls);
        assertEquals(Duration.ofSeconds(2), c.effectiveAuthTimeout());
        // the server's, but a route pings at least every 30 s
        assertEquals(Duration.ofSeconds(30), c.effectivePingInterval(server));
        server.pingInterval = Duration.ofSeconds(5);
        assertEquals(Duration.ofSeconds(5), c.effectivePingInterval(server));
        assertEquals(2, c.effectivePingMax(server));
        assertEquals(Duration.ofSeconds(10), c.effectiveWriteDeadline(server));

        ClusterOptions own = load("cluster { port: 6222, ping_interval: \"20s\", ping_max: 5, write_deadline: \"1s\" }\n");
        assertEquals(Duration.ofSeconds(20), own.effectivePingInterval(server));
        assertEquals(5, own.effectivePingMax(server));
        assertEquals(Duration.ofSeconds(1), own.effectiveWriteDeadline(server));
        assertEquals(ClusterOptions.COMPRESSION_ACCEPT, own.compression);
        assertEquals(3, own.poolSize);
    }

    @Test
    void authTimeoutFollowsTlsUnlessConfigured() throws Exception {
        ClusterOptions c = load("cluster { port: 6222, tls { cert_file: c.pem, key_file: k.pem, timeout: 3 } }\n");
        assertEquals(Duration.ofSeconds(4), c.effectiveAuthTimeout());
        c = load("cluster { port: 6222, authorization { user: u, password: p, timeout: 0 } }\n");
        assertEquals(Duration.ofSeconds(2), c.effectiveAuthTimeout(), "0 is not configured, as upstream");
        c = load("cluster { port: 6222, authorization { user: u, password: p, timeout: 7 }, tls { timeout: 3 } }\n");
        assertEquals(Duration.ofSeconds(7), c.effectiveAuthTimeout());
    }

    @Test
    void listenHostAndPort() throws Exception {
        ClusterOptions c = load("cluster { host: 127.0.0.1, port: 7222 }\n");
        assertEquals("127.0.0.1", c.host);
        assertEquals(7222, c.port);
        assertNull(c.listen);
        c = load("cluster { net: 10.0.0.1, listen: 6222 }\n");
        assertEquals("10.0.0.1", c.host, "a bare port keeps the host");
        assertEquals(6222, c.port);
        assertEquals("6222", c.listen);
        c = load("cluster { listen: \"[::1]:6222\" }\n");
        assertEquals("::1", c.host);
        c = load("cluster { port: -1 }\n");
        assertTrue(c.enabled(), "-1 is a random port");
        assertFalse(load("cluster { name: c }\n").enabled());
        assertEquals("C", load("Cluster { NAME: C, Port: 1 }\n").name, "keys are case-insensitive");
        assertEquals("adv", load("cluster { cluster_advertise: adv }\n").advertise);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "true                                                   | s2_fast   | ",
            "false                                                  | off       | ",
            "on                                                     | s2_fast   | ",
            "enabled                                                | s2_fast   | ",
            "fast                                                   | s2_fast   | ",
            "S2_Better                                              | s2_better | ",
            "best                                                   | s2_best   | ",
            "accept                                                 | accept    | ",
            "off                                                    | off       | ",
            "disabled                                               | off       | ",
            "\"not supported\"                                      | not supported | ",
            "auto                                                   | s2_auto   | 10ms 50ms 100ms",
            "{ mode: s2_auto, rtt_thresholds: [\"5ms\", \"20ms\"] }   | s2_auto   | 5ms 20ms",
            "{ mode: auto, rtt: [\"10ms\", \"0s\", \"30ms\", \"0s\"] } | s2_auto   | 10ms 0s 30ms",
            "{ mode: fast }                                         | s2_fast   | ",
            "{ thresholds: [\"5ms\"] }                              | accept    | ",
    })
    void compressionForms(String value, String mode, String thresholds) throws Exception {
        ClusterOptions c = load("cluster {\n  port: 6222\n  compression: " + value + "\n}\n");
        assertEquals(mode, c.compression);
        List<Duration> expected = new ArrayList<>();
        if (thresholds != null) for (String t : thresholds.split(" ")) expected.add(io.jnatsd.conf.GoDuration.parse(t));
        assertEquals(expected, c.compressionRttThresholds);
    }

    @Test
    void permissionsForms() throws Exception {
        ClusterOptions c = load("cluster { port: 6222, permissions { import: \"a\", export: { deny: \"b\" } } }\n");
        assertEquals(new AllowDeny(List.of("a"), List.of()), c.permissions.importPermission());
        assertEquals(new AllowDeny(null, List.of("b")), c.permissions.exportPermission());
        c = load("cluster { port: 6222, permissions { export: [\"x\"] } }\n");
        assertNull(c.permissions.importPermission(), "what is not given allows everything");
        c = load("cluster { port: 6222, permissions { publish: { allow: [\"a\", \"b\"] }, subscribe: {} } }\n");
        assertEquals(new AllowDeny(List.of("a", "b"), null), c.permissions.importPermission());
        assertNull(c.permissions.exportPermission(), "an empty map is no permission, as upstream");
        // the block's own permissions win over the deprecated ones of authorization, in either order
        for (String text : List.of(
                "cluster {\n  permissions { import: a }\n  authorization { user: u, password: p, permissions { import: b } }\n}\n",
                "cluster {\n  authorization { user: u, password: p, permissions { import: b } }\n  permissions { import: a }\n}\n")) {
            Path f = write(text);
            ServerOptions o = ConfigLoader.load(f);
            assertEquals(List.of("a"), o.cluster.permissions.importPermission().allow());
            assertEquals(1, o.warnings.size(), o.warnings.toString());
        }
        Path f = write("cluster {\n  authorization { user: u, password: p, permissions { import: b } }\n}\n");
        ServerOptions o = ConfigLoader.load(f);
        assertEquals(List.of("b"), o.cluster.permissions.importPermission().allow());
        assertEquals(List.of(f + ":2:3: invalid use of field \"authorization\": setting \"permissions\" within cluster "
                + "authorization block is deprecated"), o.warnings);
    }

    @Test
    void warnings() throws Exception {
        Path f = write("cluster {\n  port: 6222\n  routes: [ \"nats://a:1\", \"nats://a:1\" ]\n  ping_interval: \"1m\"\n}\n");
        ServerOptions o = ConfigLoader.load(f);
        assertEquals(List.of(URI.create("nats://a:1")), o.cluster.routes, "a repeated route is dropped");
        assertEquals(List.of(
                f + ":3:28: invalid use of field \"nats://a:1\": Duplicate route entry detected",
                f + ":4:3: Cluster 'ping_interval' will reset to 30s which is the max for routes"), o.warnings);
        f = write("cluster {\n  ping_interval: 5\n}\n");
        assertEquals(List.of(f + ":2:3: invalid use of field \"ping_interval\": ping_interval should be converted to a duration"),
                ConfigLoader.load(f).warnings);
    }

    /** Each refused file, with the error as jnatsd reports it ("f" for the file). */
    static Stream<Arguments> refusedFiles() {
        return Stream.of(
                bad("cluster {\n  port: 6222\n  bogus: 1\n}\n", "f:3:3: unknown field \"bogus\""),
                bad("cluster: 5\n", "f:1:1: Expected map to define cluster, got integer"),
                bad("cluster {\n  name: 5\n}\n", "f:2:3: expected a string for \"name\", got integer"),
                bad("cluster {\n  name: \"my cluster\"\n}\n", "f:2:3: cluster name cannot contain spaces"),
                bad("cluster {\n  port: \"x\"\n}\n", "f:2:3: expected an integer for \"port\", got string"),
                bad("cluster {\n  listen: \"abc\"\n}\n", "f:2:3: could not parse address string \"abc\""),
                bad("cluster {\n  no_advertise: \"x\"\n}\n", "f:2:3: expected a boolean for \"no_advertise\", got string"),
                bad("cluster {\n  connect_retries: \"x\"\n}\n", "f:2:3: expected an integer for \"connect_retries\", got string"),
                bad("cluster {\n  connect_backoff: 1\n}\n", "f:2:3: expected a boolean for \"connect_backoff\", got integer"),
                bad("cluster {\n  port: 6222\n  routes: [ \"nats://a b:6222\", \"nats://%zz\" ]\n}\n",
                        "f:3:14: error parsing route url [\"nats://a b:6222\"]\nf:3:33: error parsing route url [\"nats://%zz\"]"),
                bad("cluster {\n  routes: [ \"http://a:6222\" ]\n}\n",
                        "f:2:14: error parsing route url [\"http://a:6222\"]: the scheme must be nats-route://, nats:// or tls://"),
                bad("cluster {\n  routes: [ \"a:6222\" ]\n}\n",
                        "f:2:14: error parsing route url [\"a:6222\"]: the scheme must be nats-route://, nats:// or tls://"),
                bad("cluster {\n  routes: [ \"nats://a\" ]\n}\n", "f:2:14: error parsing route url [\"nats://a\"]: missing port"),
                bad("cluster {\n  routes: [ \"nats://:6222\" ]\n}\n", "f:2:14: error parsing route url [\"nats://:6222\"]: missing host"),
                bad("cluster {\n  routes: [ 5 ]\n}\n", "f:2:13: expected a string in \"routes\", got integer"),
                bad("cluster {\n  routes: \"nats://a:6222\"\n}\n", "f:2:3: expected an array for \"routes\", got string"),
                bad("cluster {\n  authorization { users: [ {user: a, password: b} ] }\n}\n",
                        "f:2:3: Cluster authorization does not allow multiple users"),
                bad("cluster {\n  authorization { token: abc }\n}\n", "f:2:3: Cluster authorization does not support tokens"),
                bad("cluster {\n  authorization { auth_callout { issuer: x } }\n}\n",
                        "f:2:3: Cluster authorization does not support callouts"),
                bad("cluster {\n  authorization { user: a, bogus: 1 }\n}\n", "f:2:28: unknown field \"bogus\""),
                bad("cluster {\n  authorization: 5\n}\n", "f:2:3: Expected map to define authorization, got integer"),
                bad("cluster {\n  permissions { import: \"a\", allow_responses: true }\n}\n",
                        "f:2:3: Cluster permissions do not support dynamic responses"),
                bad("cluster {\n  permissions { bogus: \"a\" }\n}\n", "f:2:17: Unknown field \"bogus\" parsing permissions"),
                bad("cluster {\n  permissions { import: { allow: \"a\", only: \"b\" } }\n}\n", "f:2:39: Unknown field name \"only\" "
                        + "parsing subject permissions, only 'allow' or 'deny' are permitted"),
                bad("cluster {\n  permissions { import: 5 }\n}\n",
                        "f:2:17: Expected subject permissions to be a subject, or array of subjects, got integer"),
                bad("cluster {\n  permissions { import: [\"a\", 5] }\n}\n",
                        "f:2:17: Subject in permissions array cannot be cast to string"),
                bad("cluster {\n  permissions: 5\n}\n", "f:2:3: Expected permissions to be a map/struct, got 5"),
                bad("cluster {\n  permissions { import: \"a..b\" }\n}\n",
                        "f:2:17: cluster import allow: subject \"a..b\" is not a valid subject"),
                bad("cluster {\n  permissions { export: { deny: \"q queue\" } }\n}\n",
                        "f:2:27: cluster export deny: subject \"q queue\" is not a valid subject"),
                bad("cluster {\n  tls { bogus: 1 }\n}\n", "f:2:9: error parsing tls config, unknown field [\"bogus\"]"),
                bad("cluster {\n  tls { cert_file: \"c.pem\" }\n}\n", "f:2:3: missing 'key_file' in TLS configuration"),
                bad("cluster {\n  tls: true\n}\n", "f:2:3: Expected map to define tls, got boolean"),
                bad("cluster {\n  pool_size: \"x\"\n}\n", "f:2:3: expected an integer for \"pool_size\", got string"),
                bad("cluster {\n  pool_size: -1\n  accounts: [A]\n}\n",
                        "f:2:3: pool_size cannot be negative if pinned accounts are specified"),
                bad("cluster {\n  accounts: [A, B, A]\n}\n",
                        "f:2:3: found duplicate account name \"A\" in pinned accounts list [\"A\" \"B\" \"A\"]"),
                bad("cluster {\n  accounts: [A, 5]\n}\n", "f:2:17: expected a string in \"accounts\", got integer"),
                bad("cluster {\n  compression: zstd\n}\n", "f:2:3: unsupported compression mode \"zstd\""),
                bad("cluster {\n  compression: { mode: \"nope\" }\n}\n", "f:2:3: unsupported compression mode \"nope\""),
                bad("cluster {\n  compression: 5\n}\n",
                        "f:2:3: field \"compression\" should be a boolean or a structure, got integer"),
                bad("cluster {\n  compression: { mode: auto, level: 3 }\n}\n", "f:2:30: unknown field \"level\""),
                bad("cluster {\n  compression: { mode: auto, rtt_thresholds: [\"20ms\", \"10ms\"] }\n}\n",
                        "f:2:3: RTT threshold values [20ms 10ms] should be in ascending order"),
                bad("cluster {\n  compression: { mode: s2_auto, rtt_thresholds: [\"1ms\", \"2ms\", \"3ms\", \"4ms\", \"5ms\"] }\n}\n",
                        "f:2:3: compression mode \"s2_auto\" should have no more than 4 RTT thresholds: [1ms 2ms 3ms 4ms 5ms]"),
                bad("cluster {\n  compression: { mode: auto, rtt_thresholds: [\"0s\"] }\n}\n",
                        "f:2:3: compression mode \"auto\" requires at least one RTT threshold"),
                bad("cluster {\n  compression: { mode: auto, rtt_thresholds: [\"1x\"] }\n}\n",
                        "f:2:30: time: unknown unit \"x\" in duration \"1x\""),
                bad("cluster {\n  ping_interval: \"x\"\n}\n",
                        "f:2:3: error parsing ping_interval: time: invalid duration \"x\""),
                bad("cluster {\n  ping_max: true\n}\n", "f:2:3: expected an integer for \"ping_max\", got boolean"),
                bad("cluster {\n  write_deadline: true\n}\n", "f:2:3: expected a duration for \"write_deadline\", got boolean"),
                bad("cluster {\n  write_timeout: sometimes\n}\n", "f:2:3: write_timeout must be 'default', 'close' or 'retry'"),
                // every error of the block at once
                bad("cluster {\n  port: 6222\n  routes: [ \"nats://a b:1\", 5 ]\n  bogus: 1\n}\n",
                        "f:3:14: error parsing route url [\"nats://a b:1\"]\nf:3:29: expected a string in \"routes\", got integer\n"
                                + "f:4:3: unknown field \"bogus\""));
    }

    static Arguments bad(String text, String message) {
        return Arguments.of(text, message);
    }

    @ParameterizedTest
    @MethodSource("refusedFiles")
    void refusedWithPositionAndReason(String text, String message) throws Exception {
        assertEquals(message, refused(text));
    }

    @Test
    void routeAddresses() throws Exception {
        ClusterOptions c = load("cluster { routes: [ \"nats://u:p@my_nats_1:6222\", \"nats-route://[::1]:7222\" ] }\n");
        assertNull(c.routes.get(0).getHost(), "java.net.URI leaves a name with '_' unparsed");
        assertEquals(InetSocketAddress.createUnresolved("my_nats_1", 6222), ClusterOptions.address(c.routes.get(0)));
        assertEquals(InetSocketAddress.createUnresolved("::1", 7222), ClusterOptions.address(c.routes.get(1)));
        assertEquals("f:1:22: error parsing route url [\"nats://a:99999\"]: invalid port \"99999\"",
                refused("cluster { routes: [ \"nats://a:99999\" ] }\n"));
    }

    @Test
    void checkKnownUrlsOnlyForRoutes() throws Exception {
        assertTrue(load("cluster { tls { verify_cert_and_check_known_urls: true } }\n").tls.verify);
        assertEquals("f:1:7: verify_cert_and_check_known_urls not supported in this context",
                refused("tls { verify_cert_and_check_known_urls: true }\n"));
    }

    // ---- the flags ---------------------------------------------------------------------------------

    @Test
    void everyFlag() {
        for (String name : List.of("cluster", "cluster_listen")) {
            ClusterOptions c = flags("--" + name, "nats://ruser:rpass@127.0.0.1:6222").cluster;
            assertEquals("127.0.0.1", c.host);
            assertEquals(6222, c.port);
            assertEquals("nats://ruser:rpass@127.0.0.1:6222", c.listen);
            assertEquals("ruser", c.username);
            assertEquals("rpass", c.password);
            assertTrue(c.enabled());
        }
        eachSpelling(List.of("cluster", "cluster_listen"), "nats://0.0.0.0:7244", o -> o.cluster.port, 7244);
        assertEquals(-1, flags("--cluster_listen=nats://0.0.0.0:-1").cluster.port, "-1 is a random port");
        eachSpelling(List.of("cluster_name"), "c1", o -> o.cluster.name, "c1");
        eachSpelling(List.of("cluster_advertise"), "adv:6222", o -> o.cluster.advertise, "adv:6222");
        eachSpelling(List.of("connect_retries"), "4", o -> o.cluster.connectRetries, 4);
        eachBool(List.of("no_advertise"), o -> o.cluster.noAdvertise, false);
        ClusterOptions c = flags("--cluster", "nats://0.0.0.0:6222", "--routes",
                "nats://a:6222, nats-route://u:p@b:6222,,tls://c:6222").cluster;
        assertEquals(List.of(URI.create("nats://a:6222"), URI.create("nats-route://u:p@b:6222"), URI.create("tls://c:6222")),
                c.routes);
    }

    @Test
    void flagsWinOverTheFile() throws Exception {
        Path f = write("""
                cluster {
                  name: file
                  listen: 0.0.0.0:6222
                  advertise: file:6222
                  no_advertise: true
                  connect_retries: 1
                  routes: [ nats://a:6222 ]
                  authorization { user: fu, password: fp }
                  pool_size: 5
                }
                """);
        ClusterOptions c = flags("-c", f.toString()).cluster;
        assertEquals(6222, c.port);
        assertEquals("fu", c.username);

        c = flags("-c", f.toString(), "--cluster", "nats://127.0.0.1:7222", "--cluster_name", "flag",
                "--cluster_advertise", "flag:7222", "--no_advertise=false", "--connect_retries", "9",
                "--routes", "nats://b:7222").cluster;
        assertEquals("127.0.0.1", c.host);
        assertEquals(7222, c.port);
        assertEquals("flag", c.name);
        assertEquals("flag:7222", c.advertise);
        assertFalse(c.noAdvertise);
        assertEquals(9, c.connectRetries);
        assertEquals(List.of(URI.create("nats://b:7222")), c.routes);
        assertNull(c.username, "a --cluster URL without credentials drops the file's, as upstream");
        assertNull(c.password);
        assertEquals(5, c.poolSize, "what no flag sets stays as the file has it");

        c = flags("-c", f.toString(), "--cluster", "nats://ru:rp@127.0.0.1:7222").cluster;
        assertEquals("ru", c.username);
        assertEquals("rp", c.password);
        assertEquals(List.of(URI.create("nats://a:6222")), c.routes, "--cluster leaves the file's routes");

        assertFalse(flags("-c", f.toString(), "--cluster=").cluster.enabled(), "an empty --cluster turns it off");
        assertEquals(List.of(), flags("-c", f.toString(), "--routes=").cluster.routes);
        // with a cluster in the file, --routes needs no --cluster
        assertEquals(List.of(URI.create("nats://z:1")), flags("-c", f.toString(), "--routes", "nats://z:1").cluster.routes);
    }

    @Test
    void flagErrors() {
        assertEquals("solicited routes require cluster capabilities, e.g. --cluster", flagError("--routes", "nats://a:1"));
        assertEquals("expected cluster password to be set", flagError("--cluster", "nats://user@h:1"));
        assertEquals("address h: missing port in address", flagError("--cluster", "nats://h"));
        assertEquals("address a:1:2: too many colons in address", flagError("--cluster", "nats://a:1:2"));
        assertEquals("parse \"nats://h:abc\": invalid port \":abc\" after host", flagError("--cluster", "nats://h:abc"));
        assertEquals("error parsing route url [\"http://a:1\"]: the scheme must be nats-route://, nats:// or tls://",
                flagError("--cluster", "nats://0.0.0.0:6222", "--routes", "nats://b:1,http://a:1"));
        assertEquals("cluster name cannot contain spaces", flagError("--cluster_name", "a b"));
        assertEquals("invalid value \"x\" for flag -connect_retries: parse error",
                ServerCommandLine.parse("--connect_retries", "x").error());
    }

    /** The flag errors upstream also has: the same words from nats-server (skipped when it is not installed). */
    @ParameterizedTest
    @ValueSource(strings = {
            "--routes nats://a:1",
            "--cluster nats://u@127.0.0.1:6222",
            "--cluster nats://h",
            "--cluster nats://a:1:2",
            "--cluster nats://h:abc",
    })
    void flagErrorsAsUpstream(String args) throws Exception {
        Path upstream = UpstreamConfigCompatibilityTest.findUpstream();
        assumeTrue(upstream != null, "nats-server not installed");
        List<String> cmd = new ArrayList<>(List.of(upstream.toString(), "-p", "-1", "-a", "127.0.0.1"));
        cmd.addAll(List.of(args.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nats-server started instead of refusing " + args);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals("nats-server: " + flagError(args.split(" ")), out);
    }

    /**
     * Files upstream 2.9.10 ({@code nats-server -t}) refuses too, on the same line. Column and words are compared
     * only where both locate the error the same way (upstream reports some nested errors at the inner key, and Go's
     * type assertion failures in its own words).
     */
    @ParameterizedTest
    @MethodSource("refusedByUpstreamToo")
    void upstreamRefusesToo(String text, boolean sameWords) throws Exception {
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
        String where = first.substring(0, first.indexOf(": ", f.toString().length()));
        String line = where.substring(0, where.lastIndexOf(':') + 1);
        assertTrue(out.contains(line), "upstream: " + out + "\nwe: " + ours.error());
        if (sameWords) assertTrue(out.contains(first), "upstream: " + out + "\nwe: " + ours.error());
    }

    static Stream<Arguments> refusedByUpstreamToo() {
        return Stream.of(
                Arguments.of("cluster {\n  port: 6222\n  bogus: 1\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  routes: [ \"nats://a b:6222\" ]\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  authorization { users: [ {user: a, password: b} ] }\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  authorization { token: abc }\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  authorization { user: a, bogus: 1 }\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  permissions { import: \"a\", allow_responses: true }\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  tls { bogus: 1 }\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  tls { cert_file: \"c.pem\" }\n}\n", true),
                Arguments.of("cluster {\n  listen: \"abc\"\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  routes: [ \"nats://a:1\", \"nats://a:1\" ]\n}\n", true),
                Arguments.of("cluster {\n  port: 6222\n  authorization { user: a, password: b, permissions { import: x } }\n}\n",
                        true),
                Arguments.of("cluster {\n  port: 6222\n  permissions { bogus: \"a\" }\n}\n", true),
                Arguments.of("cluster {\n  name: 5\n  port: 6222\n}\n", false),
                Arguments.of("cluster {\n  port: \"x\"\n}\n", false),
                Arguments.of("cluster {\n  port: 6222\n  routes: \"nats://a:1\"\n}\n", false),
                Arguments.of("cluster {\n  port: 6222\n  routes: [ 5 ]\n}\n", false),
                Arguments.of("cluster {\n  port: 6222\n  no_advertise: \"x\"\n}\n", false),
                Arguments.of("cluster {\n  port: 6222\n  connect_retries: \"x\"\n}\n", false));
    }
}
