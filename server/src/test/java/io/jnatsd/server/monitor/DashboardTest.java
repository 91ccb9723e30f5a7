package io.jnatsd.server.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import io.jnatsd.server.testing.MonitorHttp;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The live dashboard, loaded in a real browser (headless Chromium, installed by .ci/run; skipped
 * without it) against a server with traffic, connections and JetStream: what the page renders
 * after its script has polled the endpoints a few times.
 */
class DashboardTest {
    @TempDir
    Path store;

    private static String chromium() {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (new File(c).canExecute()) return c;
        }
        return null;
    }

    private NatsServer start(String basePath) throws Exception {
        return NatsServer.builder().host("127.0.0.1").port(0).jetStream(store)
                .options(o -> {
                    o.httpPort = -1;
                    o.httpBasePath = basePath;
                    o.serverName = "dash-server";
                }).start();
    }

    /** The DOM after the page's scripts ran for {@code millis} of (virtual) time; a screenshot too when {@code png} is set. */
    private static String render(String url, int millis, Path png) throws Exception {
        // No background networking: this machine's network is closed, and Chromium would keep
        // trying Google's hosts; a fresh profile each time.
        Path profile = Files.createTempDirectory("jnatsd-chromium");
        List<String> cmd = new java.util.ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--hide-scrollbars", "--window-size=1400,1100", "--virtual-time-budget=" + millis));
        cmd.add(png == null ? "--dump-dom" : "--screenshot=" + png);
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished");
        return out;
    }

    private static String cell(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        return m.find() ? m.group(1) : null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/nats"})
    void aBrowserShowsLiveRatesConnectionsAndJetStream(String basePath) throws Exception {
        Assumptions.assumeTrue(chromium() != null, "chromium is not installed");
        try (NatsServer server = start(basePath);
             Connection nc = Nats.connect(new Options.Builder().server(server.clientUrl()).connectionName("dash-client").build())) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").build());
            for (int i = 0; i < 7; i++) nc.jetStream().publish("orders." + i, new byte[] {1});
            jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("dash-consumer").build());
            nc.subscribe("traffic");
            AtomicBoolean running = new AtomicBoolean(true);
            Thread traffic = new Thread(() -> {
                while (running.get()) {
                    nc.publish("traffic", new byte[100]);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            traffic.start();
            try {
                String dom = render(server.monitorUrl() + "/dashboard", 6000, null);
                assertTrue(dom.contains("class=\"status\">live"), "the page read the endpoints: " + cell(dom, "status"));
                assertEquals("dash-server", cell(dom, "server-name"));
                String rate = cell(dom, "in-msgs-rate");
                assertTrue(rate != null && !rate.equals("–") && !rate.equals("0"), "a live message rate: " + rate);
                assertTrue(dom.contains("<td>dash-client</td>"), "the connections table lists the client");
                assertTrue(dom.contains("<td>ORDERS</td>"), "the streams table");
                assertTrue(dom.contains("<td>dash-consumer</td>"), "the consumers table");
                // the consumer's lag: all 7 messages pending
                assertTrue(dom.matches("(?s).*<td>dash-consumer</td><td class=\"num\">7</td>.*"), "lag 7");
                assertTrue(dom.split("<canvas").length - 1 >= 2, "two charts drawn");
                assertTrue(dom.contains("id=\"routes\" hidden=\"\""), "no routes section without routes");
                // docs/dashboard.png is made this way, with the traffic still flowing
                String keep = System.getProperty("jnatsd.dashboard.screenshot");
                if (keep != null) render(server.monitorUrl() + "/dashboard", 8000, Path.of(keep));
            } finally {
                running.set(false);
                traffic.join();
            }
        }
    }

    @Test
    void theDashboardIsServedFromTheJarLinkedFromTheIndexAndNotCounted() throws Exception {
        try (NatsServer server = start("")) {
            MonitorHttp mon = new MonitorHttp(server.monitorUrl());
            var page = mon.get("/dashboard");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertTrue(page.body().contains("dashboard/uPlot.min.js"), "uPlot from the jar, no CDN");
            assertFalse(page.body().contains("https://cdn") || page.body().contains("//unpkg"), "nothing from the network");
            assertEquals(200, mon.get("/dashboard/uPlot.min.js").statusCode());
            assertTrue(mon.get("/dashboard/uPlot-LICENSE.txt").body().contains("MIT"));
            assertTrue(mon.get("/").body().contains("href=\"/dashboard\""), "linked from the index page");
            assertFalse(mon.json("/varz").path("http_req_stats").has("/dashboard"), "upstream's stats keys only");
        }
    }
}
