package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jnatsd command as a process: flags, config file, pid file, signals, exit codes. */
class MainProcessTest {
    @TempDir
    Path dir;

    private Process start(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    }

    private static long awaitListening(int port, Process p) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15)) {
            assertTrue(p.isAlive(), "server exited early");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return System.nanoTime() - start;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("not listening on " + port);
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("out.log"));
    }

    @Test
    void servesClientsWritesItsPidFileAndStopsOnSigterm() throws Exception {
        int port = TestServer.freePort();
        Path pid = dir.resolve("jnatsd.pid");
        Path logFile = dir.resolve("server.log");
        Path store = dir.resolve("store");
        Process p = start("-a", "127.0.0.1", "--port=" + port, "-P", pid.toString(), "-n", "proc-test",
                "-l", logFile.toString(), "-DV", "-js", "-sd", store.toString());
        awaitListening(port, p);
        try (Connection c = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).build())) {
            assertEquals("proc-test", c.getServerInfo().getServerName());
        }
        assertEquals(Long.toString(p.pid()), Files.readString(pid).trim());
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String log = Files.readString(logFile);
        assertTrue(log.contains("[INF] Server Exiting.."), log);
        assertTrue(log.matches("(?s)\\[\\d+\\] \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\[INF\\] .*"),
                "upstream's line shape: " + log);
        assertTrue(log.contains("[TRC] ") && log.contains("<<- [CONNECT "), "trace of inbound ops: " + log);
        assertTrue(!Files.exists(pid), "pid file removed on exit");
        // The start-up summary, as upstream's: who, and JetStream's limits and directory.
        assertTrue(log.contains("[INF]   Name:     proc-test"), log);
        assertTrue(log.matches("(?s).*\\[INF\\]   Max Memory:      \\d+\\.\\d\\d [KMGTP]B\n.*"), log);
        assertTrue(log.contains("[INF]   Store Directory: \"" + store.resolve("jetstream") + "\""), log);
    }

    @Test
    void configFileIsReadAndFlagsWinOverIt() throws Exception {
        int port = TestServer.freePort();
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, "listen: 127.0.0.1:1\nserver_name: from-file\nmax_payload: 2KB\n");
        Process p = start("-c", conf.toString(), "-p", Integer.toString(port));
        awaitListening(port, p);
        try (Connection c = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).build())) {
            assertEquals("from-file", c.getServerInfo().getServerName());
            assertEquals(2048, c.getServerInfo().getMaxPayload());
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void signalReloadAndStopThroughThePidFile() throws Exception {
        int port = TestServer.freePort();
        Path pid = dir.resolve("r.pid");
        Path conf = dir.resolve("r.conf");
        Files.writeString(conf, "listen: 127.0.0.1:" + port + "\ndebug: false\n");
        Process p = start("-c", conf.toString(), "-P", pid.toString());
        awaitListening(port, p);
        // the pid file is written just after the port is bound: wait for it too
        long pidDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(pid) && Files.size(pid) > 0) && System.nanoTime() < pidDeadline) Thread.sleep(10);
        Files.writeString(conf, "listen: 127.0.0.1:" + port + "\ndebug: true\n");
        assertEquals(0, Main.run(new String[] {"--signal", "reload=" + pid}, System.out, System.err));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!output().contains("Reloaded server configuration") && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(output().contains("Reloaded server configuration"), output());
        assertEquals(0, Main.run(new String[] {"--signal", "stop=" + pid}, System.out, System.err));
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "SIGKILL ends it");
    }

    @Test
    void versionHelpAndBadFlagsExitAsUpstream() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"--version"}, new java.io.PrintStream(out), new java.io.PrintStream(err)));
        assertTrue(out.toString().startsWith("jnatsd: v"), out.toString());
        out.reset();
        assertEquals(0, Main.run(new String[] {"--no_such_flag"}, new java.io.PrintStream(out), new java.io.PrintStream(err)));
        assertTrue(err.toString().contains("flag provided but not defined: -no_such_flag"), err.toString());
        assertTrue(out.toString().contains("Usage:"), out.toString());
        err.reset();
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "port: 4222\nno_such_key: 1\n");
        assertEquals(1, Main.run(new String[] {"-t", "-c", bad.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err)));
        assertTrue(err.toString().contains("bad.conf:2:1: unknown field \"no_such_key\""), err.toString());
        err.reset();
        out.reset();
        Path leaf = dir.resolve("leaf.conf");
        Files.writeString(leaf, "port: 4222\ngateway { name: g, port: 7222 }\n");
        assertEquals(0, Main.run(new String[] {"-t", "-c", leaf.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err)));
        assertEquals("", err.toString(), "the gateway block is served: no warning");
        assertTrue(out.toString().contains("configuration file " + leaf + " is valid"), out.toString());
    }
}
