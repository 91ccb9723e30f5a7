package io.jnatsd.server.testing;

import io.jnatsd.server.Main;
import io.nats.client.Connection;
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
import java.util.concurrent.TimeUnit;

/**
 * jnatsd's {@link Main} in a child JVM on this test's class path, for tests that need a real
 * process: one to SIGKILL, or one with a heap of its own to prove memory stays bounded. Its
 * output is appended to {@code log}; it listens on 127.0.0.1:{@link #port()}.
 */
public final class ChildJnatsd implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ChildJnatsd(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code java <jvmFlags> Main -a 127.0.0.1 -p <port> <args>} and waits until it
     * accepts connections.
     */
    public static ChildJnatsd start(int port, Path log, List<String> jvmFlags, List<String> args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "-a", "127.0.0.1", "-p", String.valueOf(port)));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        ChildJnatsd child = new ChildJnatsd(p, port, log);
        try {
            child.awaitListening();
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
        return child;
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("jnatsd exited early: " + output());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("jnatsd is not listening on " + port);
    }

    /** A client without reconnects: a server that dies ends the test's connection instead of hiding it. */
    public Connection connect() throws Exception {
        return Nats.connect(new Options.Builder().server(url()).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    /** What the child printed so far (for failure messages). */
    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Sends {@code kill -<name>} (STOP, CONT, ...) when the process is alive. */
    public void signal(String name) throws java.io.IOException, InterruptedException {
        if (!process.isAlive()) return;
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new java.io.IOException("kill -" + name + " " + process.pid() + " failed: "
                    + new String(k.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL, and wait until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL if it is still there after 10 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) kill();
    }
}
