package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.conf.ConfException;
import io.jnatsd.conf.ConfMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    ServerOptions load(String text) throws Exception {
        Path f = dir.resolve("server.conf");
        Files.writeString(f, text);
        return ConfigLoader.load(f);
    }

    ConfigException fail(String text) throws Exception {
        Path f = dir.resolve("server.conf");
        Files.writeString(f, text);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    }

    @Test
    void listenHostPort() throws Exception {
        ServerOptions o = load("listen: 127.0.0.1:4333\n");
        assertEquals("127.0.0.1", o.host);
        assertEquals(4333, o.port);
        o = load("listen: 5222\n");
        assertEquals("0.0.0.0", o.host);
        assertEquals(5222, o.port);
        o = load("listen: \"[::1]:4223\"\n");
        assertEquals("::1", o.host);
        assertEquals(4223, o.port);
        o = load("listen: \":4224\"\n");
        assertEquals("", o.host);
        assertEquals(4224, o.port);
    }

    @Test
    void hostNetPortAndNames() throws Exception {
        ServerOptions o = load("host: 10.0.0.1\nport: 4555\nserver_name: n1\nclient_advertise: \"nats.example.com:4222\"\n");
        assertEquals("10.0.0.1", o.host);
        assertEquals(4555, o.port);
        assertEquals("n1", o.serverName);
        assertEquals("nats.example.com:4222", o.clientAdvertise);
        assertEquals("127.0.0.2", load("net: 127.0.0.2\n").host);
    }

    @Test
    void keysAreCaseInsensitive() throws Exception {
        ServerOptions o = load("PORT: 4999\nDebug: true\nMax_Payload: 2MB\n");
        assertEquals(4999, o.port);
        assertTrue(o.debug);
        assertEquals(2 * 1024 * 1024, o.maxPayload);
    }

    @Test
    void limits() throws Exception {
        ServerOptions o = load("""
                max_payload: 1MB
                max_control_line: 2KB
                max_pending: 100M
                max_connections: 100
                max_subscriptions: 1k
                max_sub_tokens: 16
                ping_max: 5
                max_closed_clients: 7
                disable_short_first_ping: true
                no_header_support: true
                """);
        assertEquals(1048576, o.maxPayload);
        assertEquals(2048, o.maxControlLine);
        assertEquals(100_000_000L, o.maxPending);
        assertEquals(100, o.maxConnections);
        assertEquals(1000, o.maxSubscriptions);
        assertEquals(16, o.maxSubTokens);
        assertEquals(5, o.pingMax);
        assertEquals(7, o.maxClosedClients);
        assertTrue(o.disableShortFirstPing);
        assertTrue(o.noHeaderSupport);
    }

    @Test
    void zeroMaxConnectionsMeansUnlimited() throws Exception {
        assertEquals(-1, load("max_connections: 0\n").maxConnections);
        assertEquals(-1, load("max_conn: 0\n").maxConnections);
    }

    @ParameterizedTest
    @CsvSource({"1k, 1000", "1K, 1000", "1kb, 1024", "1KiB, 1024", "1M, 1000000", "1MB, 1048576", "1mib, 1048576",
            "1G, 1000000000", "1GB, 1073741824", "64, 64"})
    void sizeUnits(String text, long expected) throws Exception {
        assertEquals(expected, load("max_pending: " + text + "\n").maxPending);
    }

    @Test
    void maxPayloadTooBig() throws Exception {
        ConfigException e = fail("port: 1\nmax_payload: 3GB\n");
        assertEquals("server.conf", Path.of(e.getFile()).getFileName().toString());
        assertEquals(2, e.getLine());
        assertEquals(1, e.getColumn());
        assertEquals("max_payload value is too big", e.getReason());
    }

    @Test
    void maxSubTokensBounds() throws Exception {
        assertEquals("max_sub_tokens value is too big", fail("max_sub_tokens: 256\n").getReason());
        assertEquals("max_sub_tokens value can not be negative", fail("max_sub_tokens: 0\n").getReason());
    }

    @Test
    void durations() throws Exception {
        ServerOptions o = load("ping_interval: \"30s\"\nwrite_deadline: \"1.5s\"\nlame_duck_duration: \"1m\"\nlame_duck_grace_period: \"5s\"\n");
        assertEquals(Duration.ofSeconds(30), o.pingInterval);
        assertEquals(Duration.ofMillis(1500), o.writeDeadline);
        assertEquals(Duration.ofMinutes(1), o.lameDuckDuration);
        assertEquals(Duration.ofSeconds(5), o.lameDuckGracePeriod);
        assertTrue(o.warnings.isEmpty());
        // bare words work too: 500ms and 2h45m lex as strings
        assertEquals(Duration.ofMillis(500), load("write_deadline: 500ms\n").writeDeadline);
    }

    @Test
    void integerDurationMeansSecondsWithAWarning() throws Exception {
        Path f = dir.resolve("server.conf");
        ServerOptions o = load("port: 1\nping_interval: 60\n");
        assertEquals(Duration.ofSeconds(60), o.pingInterval);
        assertEquals(List.of(f + ":2:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration"),
                o.warnings);
        // 2m is a number (two million) to upstream, not two minutes
        assertEquals(Duration.ofSeconds(2_000_000), load("ping_interval: 2m\n").pingInterval);
    }

    @Test
    void badDuration() throws Exception {
        ConfigException e = fail("port: 1\nwrite_deadline: \"2x\"\n");
        assertEquals("error parsing write_deadline: time: unknown unit \"x\" in duration \"2x\"", e.getReason());
        assertEquals(2, e.getLine());
    }

    @Test
    void lameDuckLimits() throws Exception {
        assertEquals("invalid lame_duck_duration of 10s, minimum is 30 seconds",
                fail("lame_duck_duration: \"10s\"\n").getReason());
        assertEquals("invalid lame_duck_grace_period, needs to be positive",
                fail("lame_duck_grace_period: \"-1s\"\n").getReason());
    }

    @Test
    void logging() throws Exception {
        ServerOptions o = load("""
                debug: true
                trace: true
                logtime: false
                logtime_utc: true
                logfile: "/var/log/nats.log"
                logfile_size_limit: 10MB
                syslog: true
                remote_syslog: "udp://127.0.0.1:514"
                max_traced_msg_len: 128
                """);
        assertTrue(o.debug);
        assertTrue(o.trace);
        assertFalse(o.logtime);
        assertTrue(o.logtimeUtc);
        assertEquals("/var/log/nats.log", o.logFile);
        assertEquals(10L * 1024 * 1024, o.logSizeLimit);
        assertTrue(o.syslog);
        assertEquals("udp://127.0.0.1:514", o.remoteSyslog);
        assertEquals(128, o.maxTracedMsgLen);
        assertEquals("/x.log", load("log_file: /x.log\n").logFile);
        ServerOptions v = load("trace_verbose: true\n");
        assertTrue(v.trace);
        assertTrue(v.traceVerbose);
    }

    @Test
    void monitoring() throws Exception {
        ServerOptions o = load("http: 127.0.0.1:8222\nhttp_base_path: /nats\n");
        assertEquals("127.0.0.1", o.httpHost);
        assertEquals(8222, o.httpPort);
        assertEquals("/nats", o.httpBasePath);
        assertEquals(8223, load("http_port: 8223\n").httpPort);
        assertEquals(8224, load("monitor_port: 8224\n").httpPort);
        assertEquals(8225, load("https_port: 8225\n").httpsPort);
        ServerOptions s = load("https: 0.0.0.0:8226\n");
        assertEquals(8226, s.httpsPort);
        assertEquals("0.0.0.0", s.httpHost);
        assertEquals(6060, load("prof_port: 6060\n").profPort);
    }

    @Test
    void operations() throws Exception {
        ServerOptions o = load("pidfile: /tmp/n.pid\nports_file_dir: /tmp\n");
        assertEquals("/tmp/n.pid", o.pidFile);
        assertEquals("/tmp", o.portsFileDir);
        assertEquals("/tmp/m.pid", load("pid_file: /tmp/m.pid\n").pidFile);
    }

    @Test
    void authorization() throws Exception {
        ServerOptions o = load("""
                authorization {
                  user: alice
                  password: "s3cret"
                  timeout: 1.5
                  permissions { publish: ["a"] }
                }
                no_auth_user: alice
                """);
        assertEquals("alice", o.username);
        assertEquals("s3cret", o.password);
        assertEquals(Duration.ofMillis(1500), o.authTimeout);
        assertEquals("alice", o.noAuthUser);
        assertEquals(Map.of("publish", List.of("a")), o.authorizationBlock.get("permissions"));
        ServerOptions t = load("authorization { token: abc, timeout: 3 }\n");
        assertEquals("abc", t.authorizationToken);
        assertEquals(Duration.ofSeconds(3), t.authTimeout);
        ServerOptions users = load("authorization { users: [ {user: a, password: b} ] }\n");
        assertEquals(1, ((List<?>) users.authorizationBlock.get("users")).size());
    }

    @Test
    void jetstreamBatchLimits() throws Exception {
        ServerOptions o = load("jetstream { limits { max_ack_pending: 5, batch { max_inflight_per_stream: 3, max_inflight_total: 7,"
                + " max_msgs: 20, timeout: \"2s\" } } }\n");
        assertEquals(3, o.jetstreamBatchInflightPerStream);
        assertEquals(7, o.jetstreamBatchInflightTotal);
        assertEquals(20, o.jetstreamBatchMaxMsgs);
        assertEquals(Duration.ofSeconds(2).toNanos(), o.jetstreamBatchTimeoutNanos);
        assertEquals("unknown field \"bogus\"", fail("jetstream { limits { batch { bogus: 1 } } }\n").getReason());
        assertEquals("Expected a map to define batch limits, got int64", fail("jetstream { limits { batch: 1 } }\n").getReason());
    }

    @Test
    void authorizationConflicts() throws Exception {
        assertEquals("Cannot have a user/pass and token", fail("authorization { user: a, password: b, token: c }\n").getReason());
        assertEquals("Can not have a single user/pass and a users array",
                fail("authorization { user: a, users: [] }\n").getReason());
        ConfigException e = fail("authorization {\n  user: a\n  bogus: 1\n}\n");
        assertEquals("unknown field \"bogus\"", e.getReason());
        assertEquals(3, e.getLine());
        assertEquals(3, e.getColumn());
    }

    @Test
    void jetstreamForms() throws Exception {
        assertTrue(load("jetstream: true\n").jetstream);
        assertTrue(load("jetstream: enabled\n").jetstream);
        assertFalse(load("jetstream: disabled\n").jetstream);
        ServerOptions o = load("""
                jetstream {
                  store_dir: "/data/js"
                  max_memory_store: 1GB
                  max_file_store: "10G"
                  domain: hub
                  sync_interval: "30s"
                  max_buffered_msgs: 5
                }
                """);
        assertTrue(o.jetstream);
        assertEquals("/data/js", o.storeDir);
        assertEquals(1L << 30, o.jetstreamMaxMemory);
        assertEquals(10L << 30, o.jetstreamMaxStore);
        assertEquals("hub", o.jetstreamDomain);
        assertEquals(Duration.ofSeconds(30), o.syncInterval);
        assertEquals(5L, o.jetstreamBlock.get("max_buffered_msgs"));
        assertTrue(load("jetstream { sync: always }\n").syncAlways);
        assertFalse(load("jetstream { enabled: false }\n").jetstream);
        assertEquals("/x", load("store_dir: /x\njetstream: true\n").storeDir);
    }

    @Test
    void jetstreamErrors() throws Exception {
        assertEquals("Duplicate 'store_dir' configuration", fail("store_dir: /a\njetstream { store_dir: /b }\n").getReason());
        assertEquals("Expected 'enabled' or 'disabled' for string value, got 'maybe'", fail("jetstream: maybe\n").getReason());
        assertEquals("max_file_store sizes defined as strings must end in K, M, G, T",
                fail("jetstream { max_file_store: \"10X\" }\n").getReason());
    }

    @Test
    void laterFeaturesAreKeptRaw() throws Exception {
        ServerOptions o = load("""
                accounts { A { users: [ {user: a, password: a} ] } }
                system_account: SYS
                no_system_account: false
                tls { cert_file: "c.pem", key_file: "k.pem" }
                ws { port: 8080 }
                leaf { port: 7422 }
                gateway { name: g }
                mqtt { port: 1883 }
                mappings { foo: bar }
                server_tags: ["a:1"]
                default_js_domain: { A: hub }
                resolver: MEM
                """);
        assertInstanceOf(ConfMap.class, o.otherBlocks.get("accounts"));
        assertEquals("SYS", o.otherBlocks.get("system_account"));
        assertEquals(false, o.otherBlocks.get("no_system_account"));
        assertEquals("c.pem", ((Map<?, ?>) o.otherBlocks.get("tls")).get("cert_file"));
        assertEquals(8080, o.websocket.port, "the websocket block is parsed, not kept raw");
        assertFalse(o.otherBlocks.containsKey("websocket"));
        assertEquals(Map.of("port", 7422L), o.otherBlocks.get("leafnodes"));
        assertEquals(Map.of("name", "g"), o.otherBlocks.get("gateway"));
        assertEquals(1883, o.mqtt.port, "the mqtt block is parsed, not kept raw");
        assertFalse(o.otherBlocks.containsKey("mqtt"));
        assertEquals(Map.of("foo", "bar"), o.otherBlocks.get("mappings"));
        assertEquals(List.of("a:1"), o.otherBlocks.get("server_tags"));
        assertEquals(Map.of("A", "hub"), o.otherBlocks.get("default_js_domain"));
        assertEquals("MEM", o.otherBlocks.get("resolver"));
        assertSame(o.config.get("tls"), o.otherBlocks.get("tls"));
        assertTrue(o.config.positionOf("tls").line() == 4);
        assertEquals(5, o.websocket.at.line());
        assertEquals(1, o.websocket.at.column());
        assertEquals(6, o.otherPositions.get("leafnodes").line());
    }

    @Test
    void everyUpstreamBlockIsServedNow() throws Exception {
        ServerOptions o = load("""
                port: 4222
                leafnodes { port: 7422 }
                gateway { name: g, port: 7222 }
                ws { port: 8080, no_tls: true }
                mqtt { port: 1883 }
                cluster { port: 6222 }
                accounts { A {} }
                """);
        assertEquals(List.of(), o.warnings);
        assertEquals(List.of(), o.ignoredBlockWarnings);
        assertEquals(List.of(), load("gateway { name: g, port: 7222 }\n").warnings, "the gateway block is served");
        assertEquals(List.of(), load("leaf { port: 7422 }\n").warnings, "the leafnodes block is served");
        assertEquals(List.of(), load("cluster { port: 6222 }\n").warnings, "the cluster block is served");
        assertEquals(List.of(), load("websocket { port: 8080, no_tls: true }\n").warnings, "the websocket block is served");
        assertEquals(List.of(), load("mqtt { port: 1883 }\n").warnings, "the mqtt block is served");
    }

    @Test
    void unknownTopLevelKeyIsAnErrorWithPosition() throws Exception {
        Path f = dir.resolve("server.conf");
        ConfigException e = fail("port: 4222\n  foo: 1\nbar { x: 1 }\n");
        assertEquals(2, e.getErrors().size());
        assertEquals(f + ":2:3: unknown field \"foo\"\n" + f + ":3:1: unknown field \"bar\"", e.getMessage());
        assertEquals(f.toString(), e.getFile());
        assertEquals(2, e.getLine());
        assertEquals(3, e.getColumn());
    }

    @Test
    void keyUsedOnlyAsVariableIsNotUnknown() throws Exception {
        ServerOptions o = load("LIMIT: 5MB\nmax_payload: $LIMIT\n");
        assertEquals(5 * 1024 * 1024, o.maxPayload);
        ConfigException e = fail("UNUSED: 5\nport: 1\n");
        assertEquals("unknown field \"UNUSED\"", e.getReason());
    }

    @Test
    void warningsAndErrorsAreReportedTogether() throws Exception {
        Path f = dir.resolve("server.conf");
        ConfigException e = fail("ping_interval: 5\nport: \"abc\"\n");
        assertEquals(f + ":1:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration\n"
                + f + ":2:1: expected an integer for \"port\", got string", e.getMessage());
        assertEquals(1, e.getWarnings().size());
    }

    @Test
    void typeErrors() throws Exception {
        assertEquals("expected a boolean for \"debug\", got string", fail("debug: \"true\"\n").getReason());
        assertEquals("could not parse address string \"1.2.3.4\"", fail("listen: \"1.2.3.4\"\n").getReason());
        assertEquals("could not parse port \"x\"", fail("listen: \"h:x\"\n").getReason());
        assertEquals("expected port or host:port, got boolean", fail("listen: true\n").getReason());
    }

    @Test
    void malformedFileReportsItsPosition() throws Exception {
        Path f = dir.resolve("server.conf");
        Files.writeString(f, "port: 4222\ncluster {\n  routes = [\n    nats://a:1 nats://b:2\n  ]\n}\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfigLoader.load(f));
        assertEquals(4, e.getLine());
        assertEquals(16, e.getColumn());
        assertTrue(e.getMessage().startsWith(f + ":4:16: Expected an array value terminator"), e.getMessage());
    }

    @Test
    void includesAndEnvironment() throws Exception {
        Files.writeString(dir.resolve("auth.conf"), "authorization { user: bob, password: pw }\n");
        ServerOptions o = load("include ./auth.conf\nport: 4333\n");
        assertEquals("bob", o.username);
        assertEquals(4333, o.port);
        assertEquals(dir.resolve("server.conf"), o.configFile);
    }

    @Test
    void applyOntoExistingOptionsKeepsWhatTheFileDoesNotSet() throws Exception {
        ServerOptions o = new ServerOptions();
        o.serverName = "keep";
        ConfigLoader.apply(io.jnatsd.conf.ConfParser.parse("port: 1234\n"), o);
        assertEquals("keep", o.serverName);
        assertEquals(1234, o.port);
        assertNull(o.configFile);
    }

    @Test
    void copyIsIndependent() throws Exception {
        ServerOptions o = load("cluster { port: 6222, routes: [\"nats://a:6222\"] }\nmqtt { port: 1 }\n"
                + "ws { port: 1, origins: [\"http://a\"] }\n");
        ServerOptions c = o.copy();
        c.cluster.routes.add(java.net.URI.create("nats://b:6222"));
        c.cluster.port = 7222;
        c.mqtt.port = 2;
        c.websocket.allowedOrigins.add("http://b");
        c.websocket.port = 2;
        assertEquals(List.of(java.net.URI.create("nats://a:6222")), o.cluster.routes);
        assertEquals(6222, o.cluster.port);
        assertEquals(1, o.mqtt.port);
        assertEquals(List.of("http://a"), o.websocket.allowedOrigins);
        assertEquals(1, o.websocket.port);
    }
}
