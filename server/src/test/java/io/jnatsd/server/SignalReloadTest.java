package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reload by signal, each server as a process of its own: {@code --signal reload=<pid>} (jnatsd's
 * command, or upstream's for upstream), the command line's flags still winning over the file, a
 * real client told {@code Authorization Violation}, and a file that does not parse refused.
 */
class SignalReloadTest {
    @TempDir
    Path dir;

    private static final String BEFORE = "max_payload: 100\nauthorization { users: [ {user: a, password: a} ] }\n";
    private static final String AFTER = "debug: true\nmax_payload: 10\nauthorization { users: [ {user: a, password: a2} ] }\n";

    private Process start(Impl impl, Path conf, int port) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (impl == Impl.JNATSD) {
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName()));
        } else {
            String bin = TestServer.upstreamBinary();
            Assumptions.assumeTrue(bin != null, "upstream nats-server is not installed");
            cmd.add(bin);
        }
        cmd.addAll(List.of("-c", conf.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    }

    private static void awaitListening(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "server exited early");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("not listening on " + port);
    }

    private static void signalReload(Impl impl, Process p) throws Exception {
        signal(impl, p, "reload");
    }

    private static void signal(Impl impl, Process p, String command) throws Exception {
        if (impl == Impl.JNATSD) {
            assertEquals(0, Main.run(new String[] {"--signal", command + "=" + p.pid()}, System.out, System.err));
        } else {
            Process s = new ProcessBuilder(TestServer.upstreamBinary(), "--signal", command + "=" + p.pid()).inheritIO().start();
            assertEquals(0, s.waitFor());
        }
    }

    private static void awaitFile(Path file, String text) throws Exception {
        TestServer.await(10_000, () -> {
            try {
                return Files.exists(file) && Files.readString(file).contains(text);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aNewLogFileIsTakenOnReloadAndReopenedAfterARotation(Impl impl) throws Exception {
        int port = TestServer.freePort();
        Path conf = dir.resolve("l.conf");
        Path one = dir.resolve("one.log");
        Path two = dir.resolve("two.log");
        Files.writeString(conf, "logfile: \"" + one + "\"\n");
        Process p = start(impl, conf, port);
        try {
            awaitListening(port, p);
            awaitFile(one, "Server is ready");
            Files.writeString(conf, "logfile: \"" + two + "\"\n");
            signalReload(impl, p);
            awaitFile(two, "Reloaded server configuration");
            Files.move(two, dir.resolve("rotated.log"));
            signal(impl, p, "reopen");
            awaitFile(two, "File log re-opened");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("out.log"));
    }

    private void awaitLog(String text, int occurrences) throws Exception {
        TestServer.await(10_000, () -> {
            try {
                return log().split(java.util.regex.Pattern.quote(text), -1).length - 1 >= occurrences;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Connection connect(int port, String pass, List<String> errors) throws Exception {
        Options.Builder b = new Options.Builder().server("nats://127.0.0.1:" + port).userInfo("a", pass)
                .maxReconnects(0).connectionTimeout(Duration.ofSeconds(5));
        if (errors != null) {
            b.errorListener(new ErrorListener() {
                @Override
                public void errorOccurred(Connection conn, String error) {
                    errors.add(error);
                }
            });
        }
        return Nats.connect(b.build());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void signalReloadAppliesTheFileUnderTheFlagsAndRefusesABrokenOne(Impl impl) throws Exception {
        int port = TestServer.freePort();
        Path conf = dir.resolve("r.conf");
        Files.writeString(conf, BEFORE);
        Process p = start(impl, conf, port);
        try {
            awaitListening(port, p);
            List<String> errors = new CopyOnWriteArrayList<>();
            try (Connection old = connect(port, "a", errors)) {
                assertEquals(100, old.getServerInfo().getMaxPayload());
                Files.writeString(conf, AFTER);
                signalReload(impl, p);
                awaitLog("Reloaded server configuration", 1);
                TestServer.await(5000, () -> old.getStatus() == Connection.Status.CLOSED);
                assertTrue(errors.stream().anyMatch(e -> e.contains("Authorization Violation")), errors.toString());
            }
            try (Connection fresh = connect(port, "a2", null)) {
                assertEquals(10, fresh.getServerInfo().getMaxPayload(), "the flags' port and the file's new limit");
            }
            assertTrue(log().contains("Reloaded: max_payload = 10"), log());
            assertTrue(log().contains("Reloaded: debug = true"), log());
            awaitLog("[DBG] ", 1); // debug is on: the new client's connection was logged at debug level

            Files.writeString(conf, "max_payload: 50\nauthorization { users: [ {user: a, password: a3} \n");
            signalReload(impl, p);
            awaitLog("Failed to reload server configuration: ", 1);
            if (impl == Impl.JNATSD) {
                assertTrue(log().contains("[ERR] Failed to reload server configuration: " + conf + ":"), log());
            }
            try (Connection still = connect(port, "a2", null)) {
                assertEquals(10, still.getServerInfo().getMaxPayload(), "the last good configuration stays");
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
