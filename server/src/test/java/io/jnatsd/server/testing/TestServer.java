package io.jnatsd.server.testing;

import io.jnatsd.server.NatsServer;
import io.jnatsd.server.config.ConfigLoader;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A server for one test: jnatsd embedded in this JVM, or upstream nats-server as a child
 * process, both configured from the same config-file text so the test describes NATS
 * behaviour, not ours. Upstream tests are skipped when nats-server is not installed.
 */
public final class TestServer implements AutoCloseable {
    private final Impl impl;
    private final NatsServer embedded;
    private final Process process;
    private final int port;
    private final Path dir;
    private String monitorUrl;
    /** Upstream in lame duck mode waits out its grace period on SIGTERM: close kills it instead. */
    private boolean lameDuck;
    /** The lines the harness writes before the test's config (listen, http). */
    private String prefix;

    private TestServer(Impl impl, NatsServer embedded, Process process, int port, Path dir) {
        this.impl = impl;
        this.embedded = embedded;
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts a server with HTTP monitoring on a free loopback port (plus {@code config}); see
     * {@link #monitorUrl()}. {@code basePath} is {@code http_base_path}, or null for none.
     */
    public static TestServer startMonitored(Impl impl, String config, String basePath) throws Exception {
        int httpPort = freePort();
        String http = "http: \"127.0.0.1:" + httpPort + "\"\n"
                + (basePath == null ? "" : "http_base_path: \"" + basePath + "\"\n");
        String full = http + config;
        String base = basePath == null || basePath.isEmpty() ? "" : (basePath.startsWith("/") ? basePath : "/" + basePath);
        String url = "http://127.0.0.1:" + httpPort + base;
        TestServer s = start(impl, full, url + "/healthz");
        s.prefix += http;
        s.monitorUrl = impl == Impl.JNATSD ? s.embedded.monitorUrl() : url;
        return s;
    }

    /** The monitoring endpoints' URL prefix (no trailing slash) of a {@link #startMonitored} server. */
    public String monitorUrl() {
        return monitorUrl;
    }

    public static TestServer start(Impl impl) throws Exception {
        return start(impl, "");
    }

    /** Starts a server on a free loopback port with {@code config} (NATS config-file text). */
    public static TestServer start(Impl impl, String config) throws Exception {
        return start(impl, config, null);
    }

    /**
     * As {@link #start(Impl, String)}; when {@code healthz} is given, upstream's readiness is
     * awaited there instead of by connecting to the client port, which would leave a closed
     * connection in the monitoring figures.
     */
    private static TestServer start(Impl impl, String config, String healthz) throws Exception {
        Path dir = Files.createTempDirectory("jnatsd-test");
        int port = freePort();
        String listen = "listen: \"127.0.0.1:" + port + "\"\n";
        String full = listen + config + "\n";
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, full);
        if (impl == Impl.JNATSD) {
            ServerOptions opts = jnatsdOptions(conf, config, port);
            NatsServer s = new NatsServer(opts, Boolean.getBoolean("jnatsd.test.log")
                    ? new ServerLog(System.err, true, false, false, false) : ServerLog.silent()).start();
            TestServer t = new TestServer(impl, s, null, s.port(), dir);
            t.prefix = listen;
            return t;
        }
        String bin = upstreamBinary();
        Assumptions.assumeTrue(bin != null, "upstream nats-server is not installed");
        List<String> cmd = new ArrayList<>(List.of(bin, "-c", conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("upstream.log").toFile()).start();
        if (healthz != null) awaitHealthy(healthz, p);
        else awaitListening(port, p);
        TestServer t = new TestServer(impl, null, p, port, dir);
        t.prefix = listen;
        return t;
    }

    private static ServerOptions jnatsdOptions(Path conf, String config, int port) throws Exception {
        if (!config.isBlank()) return ConfigLoader.load(conf);
        ServerOptions o = new ServerOptions();
        o.host = "127.0.0.1";
        o.port = port;
        return o;
    }

    /**
     * Rewrites the config file with {@code config} (after the harness's own lines) and reloads it:
     * upstream by SIGHUP (waiting for its log to say how the reload went), jnatsd through the
     * entry point the signal uses. Returns null when the reload was applied, else the error.
     */
    public String reload(String config) throws Exception {
        rewriteConfig(config);
        if (embedded != null) {
            try {
                embedded.reload();
                return null;
            } catch (io.jnatsd.server.config.ReloadRefusedException e) {
                return e.getMessage();
            }
        }
        Path log = dir.resolve("upstream.log");
        int before = reloadOutcomes(log).size();
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> outcomes = reloadOutcomes(log);
            if (outcomes.size() > before) {
                String line = outcomes.get(before);
                int at = line.indexOf("Failed to reload server configuration: ");
                return at < 0 ? null : line.substring(at + "Failed to reload server configuration: ".length());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("upstream did not reload");
    }

    /** Rewrites the config file (after the harness's own lines) without reloading it. */
    public void rewriteConfig(String config) throws IOException {
        Files.writeString(dir.resolve("server.conf"), prefix + config + "\n");
    }

    private static List<String> reloadOutcomes(Path log) throws IOException {
        return Files.readAllLines(log).stream()
                .filter(l -> l.contains("Reloaded server configuration") || l.contains("Failed to reload server configuration"))
                .toList();
    }

    /** What upstream logged so far (empty for jnatsd, which logs nowhere in tests). */
    public String upstreamLog() throws IOException {
        Path log = dir.resolve("upstream.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** A server with JetStream on, storing under its own directory inside {@code dir}. */
    public static TestServer startJetStream(Impl impl, Path dir) throws Exception {
        return startJetStream(impl, dir, "");
    }

    public static TestServer startJetStream(Impl impl, Path dir, String moreConfig) throws Exception {
        Path store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        return start(impl, "jetstream { store_dir: \"" + store + "\" }\n" + moreConfig);
    }

    /** UTF-8 bytes of a string, as payloads in tests. */
    public static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A message's payload as UTF-8 text. */
    /** Publishes {@code payload} on {@code subject} with the given header name/value pairs, as a request; the ack as text. */
    public static String publishForAck(io.nats.client.Connection c, String subject, String payload, String... headerPairs)
            throws Exception {
        io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
        for (int i = 0; i + 1 < headerPairs.length; i += 2) h.add(headerPairs[i], headerPairs[i + 1]);
        io.nats.client.Message ack = c.request(io.nats.client.impl.NatsMessage.builder().subject(subject)
                .headers(h.isEmpty() ? null : h).data(bytes(payload)).build(), java.time.Duration.ofSeconds(5));
        org.junit.jupiter.api.Assertions.assertNotNull(ack, "no ack on " + subject);
        return new String(ack.getData(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String text(io.nats.client.Message m) {
        return new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Consumer info with the checked exceptions wrapped, for conditions polled by {@link #await}. */
    public static io.nats.client.api.ConsumerInfo consumerInfo(io.nats.client.JetStreamManagement jsm, String stream,
                                                               String consumer) {
        try {
            return jsm.getConsumerInfo(stream, consumer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #consumerInfo(io.nats.client.JetStreamManagement, String, String)} through a connection. */
    public static io.nats.client.api.ConsumerInfo consumerInfo(io.nats.client.Connection c, String stream, String consumer) {
        try {
            return consumerInfo(c.jetStreamManagement(), stream, consumer);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until the condition holds, at most {@code millis}. */
    public static void await(long millis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within " + millis + " ms");
            Thread.sleep(10);
        }
    }

    /** The upstream binary on the PATH, or null. */
    public static String upstreamBinary() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(d, "nats-server");
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    private static void awaitListening(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("nats-server exited: " + p.exitValue());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("nats-server did not start listening on " + port);
    }

    private static void awaitHealthy(String url, Process p) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("nats-server exited: " + p.exitValue());
            try {
                if (http.send(req, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("nats-server did not become healthy at " + url);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public Impl impl() {
        return impl;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** The embedded server, for tests that look inside jnatsd. */
    public NatsServer embedded() {
        return embedded;
    }

    /** Puts the server in lame duck mode (upstream: SIGUSR2, as {@code --signal ldm} sends); returns at once. */
    public void enterLameDuckMode() throws Exception {
        if (embedded != null) {
            Thread t = new Thread(embedded::enterLameDuckMode, "test-lame-duck");
            t.setDaemon(true);
            t.start();
        } else {
            new ProcessBuilder("kill", "-USR2", Long.toString(process.pid())).inheritIO().start().waitFor();
            lameDuck = true;
        }
    }

    public RawClient raw() throws IOException {
        return new RawClient(port);
    }

    @Override
    public void close() throws Exception {
        if (embedded != null) embedded.close();
        if (process != null) {
            if (lameDuck) process.destroyForcibly();
            else process.destroy();
            process.waitFor();
        }
    }
}
