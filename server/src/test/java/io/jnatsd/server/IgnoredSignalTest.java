package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server started with SIGINT ignored (as {@code server &} in a non-interactive script starts
 * it) still stops on SIGINT, as upstream's does: test harnesses stop servers that way.
 */
class IgnoredSignalTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aServerStartedWithSigintIgnoredStopsOnSigint(Impl impl) throws Exception {
        int port = TestServer.freePort();
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        if (impl == Impl.JNATSD) {
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        } else {
            String bin = TestServer.upstreamBinary();
            Assumptions.assumeTrue(bin != null, "upstream nats-server is not installed");
            cmd.add(bin);
        }
        cmd.addAll(List.of("-a", "127.0.0.1", "-p", Integer.toString(port)));
        Path out = dir.resolve("out.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            awaitListening(port, p);
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped on SIGINT: " + Files.readString(out));
        } finally {
            p.destroyForcibly();
        }
    }

    private static void awaitListening(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
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
}
