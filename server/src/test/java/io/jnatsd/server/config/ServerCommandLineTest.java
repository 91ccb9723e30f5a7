package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.config.ParsedCommandLine.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerCommandLineTest {

    @TempDir
    Path dir;

    static ServerOptions run(String... args) {
        ParsedCommandLine r = ServerCommandLine.parse(args);
        assertEquals(Action.RUN, r.action(), () -> "error: " + r.error());
        assertNull(r.error());
        assertEquals(0, r.exitCode());
        return r.options();
    }

    /** Every way Go's flag package accepts a non-boolean flag. */
    static List<String[]> spellings(String name, String value) {
        return List.of(new String[] {"-" + name, value}, new String[] {"--" + name, value},
                new String[] {"-" + name + "=" + value}, new String[] {"--" + name + "=" + value});
    }

    static void eachSpelling(List<String> names, String value, Function<ServerOptions, Object> get, Object expected) {
        for (String name : names) {
            for (String[] args : spellings(name, value)) {
                assertEquals(expected, get.apply(run(args)), String.join(" ", args));
            }
        }
    }

    static void eachBool(List<String> names, Function<ServerOptions, Boolean> get, boolean defaultValue) {
        for (String name : names) {
            for (String dashes : List.of("-", "--")) {
                assertEquals(true, get.apply(run(dashes + name)), dashes + name);
                assertEquals(true, get.apply(run(dashes + name + "=true")), dashes + name + "=true");
                assertEquals(false, get.apply(run(dashes + name + "=false")), dashes + name + "=false");
                assertEquals(true, get.apply(run(dashes + name + "=1")), dashes + name + "=1");
                assertEquals(false, get.apply(run(dashes + name + "=F")), dashes + name + "=F");
            }
        }
        assertEquals(defaultValue, get.apply(run()));
    }

    @Test
    void serverFlags() {
        eachSpelling(List.of("a", "addr", "net"), "127.0.0.1", o -> o.host, "127.0.0.1");
        eachSpelling(List.of("p", "port"), "4333", o -> o.port, 4333);
        eachSpelling(List.of("n", "name", "server_name"), "srv", o -> o.serverName, "srv");
        eachSpelling(List.of("P", "pid"), "/tmp/x.pid", o -> o.pidFile, "/tmp/x.pid");
        eachSpelling(List.of("m", "http_port"), "8222", o -> o.httpPort, 8222);
        eachSpelling(List.of("ms", "https_port"), "8443", o -> o.httpsPort, 8443);
        eachSpelling(List.of("client_advertise"), "h:1", o -> o.clientAdvertise, "h:1");
        eachSpelling(List.of("ports_file_dir"), "/tmp", o -> o.portsFileDir, "/tmp");
        eachSpelling(List.of("profile"), "6060", o -> o.profPort, 6060);
    }

    @Test
    void loggingFlags() {
        eachSpelling(List.of("l", "log"), "/tmp/n.log", o -> o.logFile, "/tmp/n.log");
        eachSpelling(List.of("r", "remote_syslog"), "udp://h:514", o -> o.remoteSyslog, "udp://h:514");
        eachSpelling(List.of("log_size_limit"), "1048576", o -> o.logSizeLimit, 1048576L);
        eachSpelling(List.of("max_traced_msg_len"), "64", o -> o.maxTracedMsgLen, 64);
        eachBool(List.of("T", "logtime"), o -> o.logtime, true);
        eachBool(List.of("logtime_utc"), o -> o.logtimeUtc, false);
        eachBool(List.of("s", "syslog"), o -> o.syslog, false);
        eachBool(List.of("D", "debug"), o -> o.debug, false);
        eachBool(List.of("V", "trace"), o -> o.trace, false);
    }

    @Test
    void combinedDebugTraceFlags() {
        ServerOptions o = run("-DV");
        assertTrue(o.debug && o.trace && !o.traceVerbose);
        o = run("-VV");
        assertTrue(!o.debug && o.trace && o.traceVerbose);
        o = run("--DVV");
        assertTrue(o.debug && o.trace && o.traceVerbose);
        o = run("-DV=false", "-D");
        assertFalse(o.debug, "as upstream, the combined flag is applied after the single ones");
        o = run("-DVV", "-VV=false");
        assertTrue(o.debug && !o.trace && !o.traceVerbose);
    }

    @Test
    void jetstreamFlags() {
        eachBool(List.of("js", "jetstream"), o -> o.jetstream, false);
        eachSpelling(List.of("sd", "store_dir"), "/data", o -> o.storeDir, "/data");
        ServerOptions o = run("-js", "-sd", "/tmp/js");
        assertTrue(o.jetstream);
        assertEquals("/tmp/js", o.storeDir);
    }

    @Test
    void authFlagsTakeAnyCharacters() {
        eachSpelling(List.of("user"), "alice", o -> o.username, "alice");
        eachSpelling(List.of("pass"), "pw", o -> o.password, "pw");
        eachSpelling(List.of("auth"), "tok", o -> o.authorizationToken, "tok");
        ServerOptions o = run("--user", "-D", "--pass", "--port=5 x=y \"q\" @file $HOME");
        assertEquals("-D", o.username);
        assertEquals("--port=5 x=y \"q\" @file $HOME", o.password);
        assertFalse(o.debug);
        assertEquals(4222, o.port);
        assertEquals("a=b", run("--pass=a=b").password);
        assertEquals("", run("--pass=").password);
        assertEquals("@secret", run("--auth", "@secret").authorizationToken);
    }

    @Test
    void tlsFlagsAreStoredRaw() {
        ServerOptions o = run("--tlscert", "c.pem", "--tlskey=k.pem", "-tlscacert", "ca.pem", "--tlsverify");
        assertTrue(o.tls);
        assertTrue(o.tlsVerify);
        assertEquals("c.pem", o.tlsCert);
        assertEquals("k.pem", o.tlsKey);
        assertEquals("ca.pem", o.tlsCaCert);
        ParsedCommandLine r = ServerCommandLine.parse("--tls");
        assertEquals(Action.ERROR, r.action());
        assertEquals("TLS Server certificate must be present and valid", r.error());
        assertEquals("TLS Server private key must be present and valid", ServerCommandLine.parse("--tlscert=c").error());
        assertFalse(run("-tls=false").tls);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "--h", "-help", "--help", "help", "HELP"})
    void help(String arg) {
        ParsedCommandLine r = ServerCommandLine.parse(arg);
        assertEquals(Action.HELP, r.action());
        assertNull(r.error());
        assertTrue(r.printUsage());
        assertEquals(0, r.exitCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-v", "--v", "-version", "--version", "version", "Version"})
    void version(String arg) {
        assertEquals(Action.VERSION, ServerCommandLine.parse(arg).action());
    }

    @Test
    void helpTls() {
        assertEquals(Action.HELP_TLS, ServerCommandLine.parse("--help_tls").action());
    }

    @Test
    void badFlagsPrintUsageAndExitZeroAsUpstream() {
        String[][] cases = {
                {"--foo"}, {"-foo=1"}, {"-p", "abc"}, {"-p"}, {"-T=x"}, {"---x"}, {"-=x"}, {"-p", "99999999999999999999"}};
        String[] messages = {
                "flag provided but not defined: -foo", "flag provided but not defined: -foo",
                "invalid value \"abc\" for flag -p: parse error", "flag needs an argument: -p",
                "invalid boolean value \"x\" for -T: parse error", "bad flag syntax: ---x", "bad flag syntax: -=x",
                "invalid value \"99999999999999999999\" for flag -p: value out of range"};
        for (int i = 0; i < cases.length; i++) {
            ParsedCommandLine r = ServerCommandLine.parse(cases[i]);
            assertEquals(Action.HELP, r.action(), String.join(" ", cases[i]));
            assertEquals(messages[i], r.error());
            assertTrue(r.printUsage());
            assertEquals(0, r.exitCode());
        }
    }

    @Test
    void shortOptionsAreNotClustered() {
        // -DV is its own flag, not -D -V; -js is not -j -s; an unknown cluster such as -Dx is an error
        assertEquals("flag provided but not defined: -Dx", ServerCommandLine.parse("-Dx").error());
        assertEquals("flag provided but not defined: -jss", ServerCommandLine.parse("-jss").error());
        ServerOptions o = run("-js");
        assertTrue(o.jetstream);
        assertFalse(o.syslog);
    }

    @Test
    void goFlagSyntax() {
        assertEquals(16, run("-p", "0x10").port);
        assertEquals(8, run("-p", "010").port);
        assertEquals(1000, run("-p", "1_000").port);
        assertEquals(5, run("-p", "4", "-p", "5").port, "repeated flags: last wins");
        ParsedCommandLine r = ServerCommandLine.parse("-T", "false");
        assertEquals(Action.ERROR, r.action(), "a boolean flag does not take the next argument");
        assertEquals("unrecognized command: \"false\"", r.error());
        assertEquals(1, r.exitCode());
        assertEquals("unrecognized command: \"-p\"", ServerCommandLine.parse("--", "-p", "5").error());
        assertEquals(Action.VERSION, ServerCommandLine.parse("-p", "5", "version", "--bogus").action());
    }

    @Test
    void signals() {
        ParsedCommandLine r = ServerCommandLine.parse("-sl", "reload=/var/run/n.pid");
        assertEquals(Action.SIGNAL, r.action());
        assertEquals("reload=/var/run/n.pid", r.signal());
        assertEquals("reload", r.signalCommand());
        assertEquals("/var/run/n.pid", r.signalPid());
        r = ServerCommandLine.parse("--signal=ldm");
        assertEquals("ldm", r.signalCommand());
        assertNull(r.signalPid());
        for (String s : ParsedCommandLine.SIGNALS) {
            assertEquals(Action.SIGNAL, ServerCommandLine.parse("--signal", s).action());
        }
        assertEquals("unknown signal \"bogus\"", ServerCommandLine.parse("-sl", "bogus").error());
        assertEquals("invalid signal parameters: [c d]", ServerCommandLine.parse("-sl", "a=b=c=d").error());
    }

    @Test
    void flagsOverrideTheConfigFile() throws Exception {
        Path f = dir.resolve("n.conf");
        Files.writeString(f, """
                port: 4000
                server_name: from_file
                debug: true
                logtime: true
                authorization { user: fileuser, password: filepass }
                jetstream { store_dir: /file/js }
                http_port: 8000
                """);
        ServerOptions o = run("-c", f.toString(), "-p", "5000", "-D=false", "--logtime=false", "--user", "cli", "-sd", "/cli/js");
        assertEquals(5000, o.port);
        assertEquals("from_file", o.serverName);
        assertFalse(o.debug);
        assertFalse(o.logtime);
        assertEquals("cli", o.username);
        assertEquals("filepass", o.password);
        assertEquals("/cli/js", o.storeDir);
        assertTrue(o.jetstream);
        assertEquals(8000, o.httpPort);
        assertEquals(f, o.configFile);
        // flag order does not matter: -c after the other flags
        assertEquals(5001, run("-p", "5001", "--config=" + f).port);
    }

    @Test
    void testConfig() throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, "port: 4222\n");
        ParsedCommandLine r = ServerCommandLine.parse("-t", "-c", good.toString());
        assertEquals(Action.TEST_CONFIG, r.action());
        assertEquals(4222, r.options().port);
        assertEquals(0, r.exitCode());

        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "port: 4222\nfoo: 1\n");
        r = ServerCommandLine.parse("-t", "-c", bad.toString());
        assertEquals(Action.ERROR, r.action());
        assertEquals(bad + ":2:1: unknown field \"foo\"", r.error());
        assertEquals(1, r.exitCode());

        Path warn = dir.resolve("warn.conf");
        Files.writeString(warn, "ping_interval: 5\n");
        r = ServerCommandLine.parse("-t", "-c", warn.toString());
        assertEquals(Action.ERROR, r.action(), "-t fails on warnings, as upstream");
        r = ServerCommandLine.parse("-c", warn.toString());
        assertEquals(Action.RUN, r.action(), "without -t warnings are only reported");
        assertEquals(List.of(warn + ":1:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration"),
                r.warnings());

        // every upstream block is served: a gateway block is valid without a warning
        Path leaf = dir.resolve("leaf.conf");
        Files.writeString(leaf, "port: 4222\ngateway { name: g, port: 7222 }\n");
        ParsedCommandLine valid = ServerCommandLine.parse("-t", "-c", leaf.toString());
        assertEquals(Action.TEST_CONFIG, valid.action(), () -> "error: " + valid.error());
        assertEquals(List.of(), valid.warnings());
        Files.writeString(leaf, "gateway { name: g, port: 7222 }\nping_interval: 5\n");
        assertEquals(Action.ERROR, ServerCommandLine.parse("-t", "-c", leaf.toString()).action(), "other warnings still fail -t");
        assertEquals(1, ServerCommandLine.parse("-c", leaf.toString()).warnings().size());

        r = ServerCommandLine.parse("-t");
        assertEquals("must specify [-c, --config] option to check configuration file syntax", r.error());
        r = ServerCommandLine.parse("-c", dir.resolve("absent.conf").toString());
        assertEquals("open " + dir.resolve("absent.conf") + ": no such file or directory", r.error());
    }

    @Test
    void malformedConfigFileErrorHasItsPosition() throws Exception {
        Path f = dir.resolve("m.conf");
        Files.writeString(f, "port: 4222\nmax_payload = [1 2]\n");
        ParsedCommandLine r = ServerCommandLine.parse("-c", f.toString());
        assertEquals(Action.ERROR, r.action());
        assertTrue(r.error().startsWith(f + ":2:18: "), r.error());
    }

    @Test
    void usageIsLaidOutAsUpstreamAndMentionsEveryFlag() {
        String usage = ServerCommandLine.usage();
        assertTrue(usage.contains("Usage: jnatsd [options]"));
        for (String section : List.of("Server Options:", "Logging Options:", "JetStream Options:", "Authorization Options:",
                "TLS Options:", "Cluster Options:", "Profiling Options:", "Common Options:")) {
            assertTrue(usage.contains("\n" + section + "\n"), section);
        }
        for (String flag : List.of("-a, --addr, --net <host>", "-p, --port <port>", "--server_name", "-P, --pid",
                "-m, --http_port", "-ms,--https_port", "-c, --config", "-t ", "-sl,--signal", "--client_advertise",
                "--ports_file_dir", "-l, --log", "-T, --logtime", "--logtime_utc", "-s, --syslog", "-r, --remote_syslog",
                "-D, --debug", "-V, --trace", "-VV ", "-DV ", "-DVV ", "--log_size_limit", "--max_traced_msg_len",
                "-js, --jetstream", "-sd, --store_dir", "--user", "--pass", "--auth", "--tls ", "--tlscert", "--tlskey",
                "--tlsverify", "--tlscacert", "--routes", "--cluster <", "--cluster_name", "--no_advertise",
                "--cluster_advertise", "--connect_retries", "--cluster_listen", "--profile", "-h, --help",
                "-v, --version", "--help_tls")) {
            assertTrue(usage.contains(flag), flag);
        }
        assertTrue(ServerCommandLine.usage("nats").contains("Usage: nats [options]"));
        assertFalse(ServerCommandLine.tlsUsage().isBlank());
    }

    @Test
    void picocliModelHasNoClustering() {
        var spec = ServerCommandLine.spec();
        assertFalse(spec.parser().posixClusteredShortOptionsAllowed());
        assertFalse(spec.parser().expandAtFiles());
        for (String name : List.of("-js", "--js", "-DV", "--DVV", "-sd", "--store_dir", "-ms", "--https_port")) {
            assertTrue(spec.findOption(name) != null, name);
        }
    }
}
