package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.config.ConfigLoader;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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
 * A client dropped for what it sent leaves an error line at the default log level naming it and
 * the reason, in upstream's words (the same inputs against both servers, each line compared
 * after the {@code [ERR] address - cid:N - } prefix).
 */
class ClientErrorLogTest {
    private static final String C = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
    private static final String H = "CONNECT {\"verbose\":false,\"headers\":true}\r\n";

    /** Input after INFO, and the reason upstream 2.9.10 logs for it. */
    private static final String[][] CASES = {
        {C + "PUB s 1001\r\n", "maximum payload exceeded: 1001 vs 1000"},
        {C + "FOO\r\n", "Client parser ERROR, state=0, i=44: proto='\"FOO\\r\"...'"},
        {C + "PUB foo\r\n", "processPub Parse Error: \"foo\""},
        {C + "PUB foo x\r\n", "processPub Bad or Missing Size: \"foo x\""},
        {C + "PUB a b c d\r\n", "processPub Parse Error: \"a b c d\""},
        {C + "SUB foo\r\n", "processSub Parse Error: \"foo\""},
        {C + "UNSUB\r\n", "Client parser ERROR, state=63, i=49: proto='\"\\r\"...'"},
        {C + "UNSUB a b c\r\n", "processUnsub Parse Error: \"a b c\""},
        {C + "SUB " + "x".repeat(200) + " 1\r\n",
            "maximum control line exceeded: State 47, max_control_line 100, Buffer len 0 (snip: \"" + "x".repeat(128) + "\"...)"},
        {C + "PUB foo 2\r\nabc\r\n", "Client parser ERROR, state=41, i=57: proto='\"c\\r\"...'"},
        {C + "PING\r\nPIX\r\n", "Client parser ERROR, state=34, i=52: proto='\"X\\r\"...'"},
        {C + "-ERR 'boom'\r\n", "Client Error 'boom'"},
        {C + "HPUB foo 2 2\r\nhi\r\n", "message headers not supported"},
        {H + "HPUB foo 3 2\r\nhi\r\n", "processHeaderPub Header Size larger then TotalSize: \"foo 3 2\""},
        {H + "HPUB foo x 2\r\nhi\r\n", "processHeaderPub Bad or Missing Header Size: \"foo x 2\""},
        {"CONNECT {\"verbose\":false,\"protocol\":2}\r\n", "invalid client protocol"},
        {"CONNECT {\"verbose\":false,\"no_responders\":true}\r\n", "no responders requires headers support"},
        {"CONNECT {\"verbose\":false,\"protocol\":1.5}\r\n",
            "json: cannot unmarshal number 1.5 into Go struct field ClientOpts.protocol of type int"},
        {"CONNECT {\"verbose\":\"x\"}\r\n", "json: cannot unmarshal string into Go struct field ClientOpts.verbose of type bool"},
    };

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Impl.class)
    void droppedClientsAreLoggedAsUpstreamLogsThem(Impl impl) throws Exception {
        int port = TestServer.freePort();
        Path log = dir.resolve("server.log");
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, "listen: \"127.0.0.1:" + port + "\"\nmax_payload: 1000\nmax_control_line: 100\n"
                + "max_connections: 2\nlog_file: \"" + log + "\"\n");
        try (AutoCloseable server = start(impl, conf, port)) {
            List<String> expected = new ArrayList<>();
            for (String[] c : CASES) {
                exchange(port, c[0]);
                expected.add(c[1]);
            }
            try (Socket a = connected(port); Socket b = connected(port); Socket refused = connected(port)) {
                expected.add("maximum connections exceeded");
                awaitLogged(log, expected);
            }
        }
    }

    /**
     * jnatsd only (upstream 2.9.10 stalls the publisher instead, see LimitsTest): the write
     * deadline in Go's terms, and the pending chunks and bytes, as upstream's line has them.
     */
    @org.junit.jupiter.api.Test
    void aWriteDeadlineSlowConsumerIsLoggedWithAGoDuration() throws Exception {
        int port = TestServer.freePort();
        Path log = dir.resolve("sc.log");
        Path conf = dir.resolve("sc.conf");
        Files.writeString(conf, "listen: \"127.0.0.1:" + port + "\"\nmax_pending: 1GB\nwrite_deadline: \"500ms\"\n"
                + "log_file: \"" + log + "\"\n");
        ServerOptions o = ConfigLoader.load(conf);
        ServerLog serverLog = ServerLog.open(o.logFile, true, false, false, false);
        NatsServer s = new NatsServer(o, serverLog).start();
        try (Socket stuck = connected(port);
             io.nats.client.Connection pub = io.nats.client.Nats.connect("nats://127.0.0.1:" + port)) {
            stuck.getOutputStream().write("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            String seen;
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(stuck.getInputStream(),
                    StandardCharsets.US_ASCII));
            while (!(seen = r.readLine()).equals("PONG")) {
                assertTrue(seen.startsWith("INFO "), seen); // then it stops reading
            }
            byte[] payload = new byte[64 * 1024];
            for (int i = 0; i < 4000 && s.connectionCount() == 2; i++) {
                pub.publish("flood", payload);
                if (i % 50 == 49) pub.flush(java.time.Duration.ofSeconds(5));
            }
            TestServer.await(5000, () -> s.connectionCount() == 1);
            TestServer.await(5000, () -> read(log).matches("(?s).*\\[INF\\] 127\\.0\\.0\\.1:\\d+ - cid:\\d+ - Slow Consumer Detected: "
                    + "WriteDeadline of 500ms exceeded with \\d+ chunks of \\d+ total bytes\\.\n.*"));
        } finally {
            s.close();
            serverLog.close();
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static AutoCloseable start(Impl impl, Path conf, int port) throws Exception {
        if (impl == Impl.JNATSD) {
            ServerOptions o = ConfigLoader.load(conf);
            ServerLog log = ServerLog.open(o.logFile, true, false, false, false);
            NatsServer s = new NatsServer(o, log).start();
            return () -> {
                s.close();
                log.close();
            };
        }
        String bin = TestServer.upstreamBinary();
        Assumptions.assumeTrue(bin != null, "upstream nats-server is not installed");
        Process p = new ProcessBuilder(bin, "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) throw e;
                Thread.sleep(20);
            }
        }
        return () -> {
            p.destroy();
            p.waitFor();
        };
    }

    /** Sends {@code input} after INFO and waits until the server closes the connection. */
    private static void exchange(int port, String input) throws IOException {
        try (Socket s = connected(port)) {
            s.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            try {
                while (in.read() != -1) {
                    // the -ERR, if any
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("not closed after " + input);
            } catch (IOException e) {
                // reset: closed
            }
        }
    }

    private static Socket connected(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        return s;
    }

    /** Each expected reason appears as an error line about some client, within a bounded wait. */
    private static void awaitLogged(Path log, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> missing = expected;
        while (!missing.isEmpty()) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            missing = expected.stream().filter(e -> !text.matches("(?s).*\\[ERR\\] 127\\.0\\.0\\.1:\\d+ - cid:\\d+ - "
                    + java.util.regex.Pattern.quote(e) + "\n.*")).toList();
            if (!missing.isEmpty() && System.nanoTime() > deadline) {
                throw new AssertionError("not logged: " + missing + "\nlog:\n" + text);
            }
            Thread.sleep(20);
        }
        assertTrue(missing.isEmpty());
    }
}
