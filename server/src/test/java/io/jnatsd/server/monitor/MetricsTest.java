package io.jnatsd.server.monitor;

import static io.jnatsd.server.monitor.MonitoringTest.WAIT;
import static io.jnatsd.server.monitor.MonitoringTest.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.PrometheusText;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Subscription;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /metrics} (jnatsd only: upstream needs a separate exporter), parsed strictly. */
class MetricsTest {
    @Test
    void serverFiguresAgreeWithVarzConnzAndSubsz() throws Exception {
        try (TestServer s = MonitoringTest.start(Impl.JNATSD);
             Connection sub = connect(s, "m-sub"); Connection pub = connect(s, "m-pub")) {
            MonitorHttp mon = new MonitorHttp(s);
            Subscription a = sub.subscribe("m.a");
            sub.subscribe("m.*");
            sub.flush(WAIT);
            for (int i = 0; i < 7; i++) pub.publish("m.a", new byte[33]);
            pub.publish("m.b", new byte[5]);
            pub.flush(WAIT);
            for (int i = 0; i < 7; i++) assertNotNull(a.nextMessage(WAIT));
            Connection gone = connect(s, "m-gone");
            gone.publish("m.nobody", new byte[2]);
            gone.flush(WAIT);
            gone.close();
            new MonitorHttp(s).await("/connz?state=closed", n -> n.get("num_connections").asInt() == 1);

            HttpResponse<String> r = mon.get("/metrics");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            PrometheusText m = PrometheusText.parse(r.body());
            JsonNode varz = mon.json("/varz");
            Map<String, String> id = Map.of("server_id", varz.get("server_id").asText());

            for (String f : List.of("in_msgs", "out_msgs", "in_bytes", "out_bytes", "connections", "total_connections",
                    "subscriptions", "slow_consumers", "max_payload", "max_connections", "port", "http_port")) {
                assertEquals("gauge", m.type("gnatsd_varz_" + f), f);
                assertEquals(varz.get(f).asDouble(), m.value("gnatsd_varz_" + f, id), f);
            }
            assertEquals(9, m.value("gnatsd_varz_in_msgs", id));
            assertEquals(7 * 33 * 2 + 5 + 2, m.value("gnatsd_varz_out_bytes", id)); // m.* has m.nobody too
            assertEquals(2, m.value("gnatsd_varz_connections", id));
            assertEquals(3, m.value("gnatsd_varz_total_connections", id));
            assertTrue(m.value("gnatsd_varz_mem", id) > 0);
            assertEquals(1, m.value("gnatsd_varz_version", Map.of("value", "2.9.10")));

            // connz figures are over the open connections only.
            assertEquals(2, m.value("gnatsd_connz_num_connections", id));
            assertEquals(8, m.value("gnatsd_connz_in_msgs", id));
            assertEquals(16, m.value("gnatsd_connz_out_msgs", id));
            assertEquals(2, m.value("gnatsd_connz_subscriptions", id));

            JsonNode subsz = mon.json("/subsz");
            for (String f : List.of("num_subscriptions", "num_inserts", "num_removes", "num_matches", "num_cache")) {
                assertEquals(subsz.get(f).asDouble(), m.value("gnatsd_subsz_" + f, id), f);
            }

            // The JVM's own metrics, from the Prometheus client's instrumentation.
            assertTrue(m.value("jvm_memory_used_bytes", Map.of("area", "heap")) > 0);
            assertTrue(m.has("jvm_gc_collection_seconds_count"));
            assertTrue(m.has("jvm_threads_current"));
            assertTrue(m.has("process_cpu_seconds_total"));
        }
    }

    /** Every metric the Grafana dashboard queries is one the server exports. */
    @Test
    void theDashboardQueriesOnlyExportedMetrics() throws Exception {
        Path dashboard = Path.of("..", "docs", "grafana", "jnatsd-dashboard.json");
        JsonNode panels = new ObjectMapper().readTree(Files.readString(dashboard)).get("panels");
        Set<String> queried = new TreeSet<>();
        Matcher names = Pattern.compile("\\b(?:gnatsd|jnatsd|jvm|process)_[a-z0-9_]+").matcher("");
        for (JsonNode panel : panels) {
            for (JsonNode t : panel.path("targets")) {
                names.reset(t.get("expr").asText());
                while (names.find()) queried.add(names.group());
            }
        }
        assertTrue(queried.size() > 10, queried.toString());
        try (TestServer s = MonitoringTest.start(Impl.JNATSD)) {
            PrometheusText m = PrometheusText.parse(new MonitorHttp(s).get("/metrics").body());
            for (String name : queried) assertTrue(m.has(name), name + " is not exported");
        }
    }

    @Test
    void openMetricsWhenAskedFor() throws Exception {
        try (TestServer s = MonitoringTest.start(Impl.JNATSD)) {
            HttpResponse<String> r = new MonitorHttp(s).get("/metrics", "application/openmetrics-text; version=1.0.0");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(r.body().endsWith("# EOF\n"));
            assertTrue(r.body().contains("gnatsd_varz_connections{server_id="));
        }
    }
}
