package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.Mirror;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /jsz}: every figure is what the streams hold, and the details have upstream's fields. */
class JetStreamJszTest {
    @TempDir
    Path dir;

    private TestServer start(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        return TestServer.startMonitored(impl, "jetstream { store_dir: \"" + store + "\" }", null);
    }

    /** A stream of 7 messages with one durable that has had 2 delivered and 1 acked, and a mirror of it. */
    private static void sameSteps(TestServer s) throws Exception {
        try (Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.*").build());
            for (int i = 1; i <= 7; i++) c.jetStream().publish("orders." + i, ("m" + i).getBytes());
            jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("D").ackPolicy(AckPolicy.Explicit).build());
            var sub = c.jetStream().subscribe(null, io.nats.client.PullSubscribeOptions.bind("ORDERS", "D"));
            var got = sub.fetch(2, java.time.Duration.ofSeconds(5));
            assertEquals(2, got.size());
            got.get(0).ackSync(java.time.Duration.ofSeconds(5));
            sub.unsubscribe();
            jsm.addStream(StreamConfiguration.builder().name("COPY").mirror(Mirror.builder().sourceName("ORDERS").build()).build());
            TestServer.await(5000, () -> {
                try {
                    return jsm.getStreamInfo("COPY").getStreamState().getMsgCount() == 7;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static JsonNode stream(JsonNode jsz, String name) {
        for (JsonNode s : jsz.path("account_details").get(0).path("stream_detail")) {
            if (name.equals(s.path("name").asText())) return s;
        }
        throw new AssertionError("no stream " + name + " in " + jsz);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void figuresMatchWhatTheStreamsHold(Impl impl) throws Exception {
        try (TestServer s = start(impl)) {
            sameSteps(s);
            MonitorHttp http = new MonitorHttp(s);
            JsonNode jsz = http.json("/jsz");
            assertEquals(2, jsz.path("streams").asInt());
            assertEquals(1, jsz.path("consumers").asInt());
            assertEquals(14, jsz.path("messages").asInt());
            assertFalse(jsz.has("account_details"));

            JsonNode detail = http.json("/jsz?streams=true&consumers=true");
            JsonNode orders = stream(detail, "ORDERS");
            assertEquals(7, orders.path("state").path("messages").asInt());
            assertEquals(1, orders.path("state").path("consumer_count").asInt());
            assertFalse(orders.has("config"), "config only with config=true");
            JsonNode d = orders.path("consumer_detail").get(0);
            assertEquals("D", d.path("name").asText());
            assertEquals(2, d.path("delivered").path("stream_seq").asInt());
            assertEquals(1, d.path("ack_floor").path("stream_seq").asInt());
            assertEquals(5, d.path("num_pending").asInt());
            assertEquals(1, d.path("num_ack_pending").asInt());
            assertFalse(d.has("config"));
            JsonNode copy = stream(detail, "COPY");
            assertEquals(0, copy.path("state").path("consumer_count").asInt());
            assertEquals("ORDERS", copy.path("mirror").path("name").asText());

            JsonNode withConfig = http.json("/jsz?consumers=true&config=true");
            assertEquals("D", stream(withConfig, "ORDERS").path("consumer_detail").get(0).path("config").path("durable_name").asText());
            assertEquals("orders.*", stream(withConfig, "ORDERS").path("config").path("subjects").get(0).asText());
            assertTrue(http.json("/jsz?accounts=true").path("account_details").get(0).path("stream_detail").isMissingNode(),
                    "accounts alone lists no streams");
        }
    }

    /** Field names (recursively, arrays by their first element), values aside. */
    private static TreeSet<String> shape(JsonNode n, String path, TreeSet<String> out) {
        if (n.isObject()) {
            n.fieldNames().forEachRemaining(f -> {
                out.add(path + "." + f);
                shape(n.get(f), path + "." + f, out);
            });
        } else if (n.isArray() && !n.isEmpty()) {
            shape(n.get(0), path + "[]", out);
        }
        return out;
    }

    @Test
    void detailsHaveUpstreamsFields() throws Exception {
        Assumptions.assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        String query = "/jsz?consumers=true&config=true";
        Map<Impl, TreeSet<String>> shapes = new EnumMap<>(Impl.class);
        for (Impl impl : Impl.values()) {
            try (TestServer s = start(impl)) {
                sameSteps(s);
                JsonNode orders = stream(new MonitorHttp(s).json(query), "ORDERS");
                TreeSet<String> fields = shape(orders, "", new TreeSet<>());
                // fields of newer upstreams or of ours that 2.9.10's structs lack
                fields.removeIf(f -> f.matches(".*\\.(config\\.(compression|consumer_limits|metadata|subject_transform|"
                        + "allow_msg_ttl|subject_delete_marker_ttl|allow_msg_counter|allow_atomic|allow_msg_schedules|persist_mode|"
                        + "pause_until|priority_groups|priority_policy|priority_timeout|first_seq|max_batch|max_bytes|max_expires|"
                        + "num_replicas|mem_storage)|paused|pause_remaining|priority_groups|ts)(\\..*)?"));
                shapes.put(impl, fields);
            }
        }
        List<String> missing = new ArrayList<>(shapes.get(Impl.UPSTREAM));
        missing.removeAll(shapes.get(Impl.JNATSD));
        List<String> extra = new ArrayList<>(shapes.get(Impl.JNATSD));
        extra.removeAll(shapes.get(Impl.UPSTREAM));
        assertTrue(shapes.get(Impl.UPSTREAM).contains(".consumer_detail[].num_pending"), shapes.toString());
        assertEquals(List.of(), missing, "upstream's fields we lack");
        assertEquals(List.of(), extra, "fields upstream does not have");
    }
}
