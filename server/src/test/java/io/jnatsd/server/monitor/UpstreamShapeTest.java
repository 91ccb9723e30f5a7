package io.jnatsd.server.monitor;

import static io.jnatsd.server.monitor.MonitoringTest.WAIT;
import static io.jnatsd.server.monitor.MonitoringTest.conn;
import static io.jnatsd.server.monitor.MonitoringTest.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * jnatsd's monitoring JSON next to upstream nats-server's, from the same config and the same
 * client activity: the same fields in the same order, and for the endpoints of features that
 * are not configured, the same answers. Skipped when nats-server is not installed.
 */
class UpstreamShapeTest {
    /** Fields of ours that upstream has not. */
    private static final Set<String> OURS_ONLY = Set.of("jnatsd_version");
    /** Fields whose values differ by nature (identity, time). */
    private static final Set<String> VOLATILE = Set.of("server_id", "now", "update_time");

    private final Map<Impl, TestServer> servers = new EnumMap<>(Impl.class);
    private final Map<Impl, MonitorHttp> mon = new EnumMap<>(Impl.class);
    private final List<Connection> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        for (Impl impl : Impl.values()) {
            TestServer s = MonitoringTest.start(impl);
            servers.put(impl, s);
            mon.put(impl, new MonitorHttp(s));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Connection c : clients) c.close();
        for (TestServer s : servers.values()) s.close();
    }

    /** The same clients on each server: one that stays (with subscriptions), one that has left. */
    private void sameActivity() throws Exception {
        for (Impl impl : Impl.values()) {
            TestServer s = servers.get(impl);
            Connection stays = connect(s, "stays");
            clients.add(stays);
            stays.subscribe("shape.>");
            stays.subscribe("shape.q", "workers");
            stays.flush(WAIT);
            Connection gone = connect(s, "gone");
            gone.subscribe("shape.gone");
            gone.publish("shape.x", new byte[3]);
            gone.flush(WAIT);
            gone.close();
            mon.get(impl).await("/connz?state=closed", n -> n.get("num_connections").asInt() == 1);
        }
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        out.removeAll(OURS_ONLY);
        return out;
    }

    private void assertSameFields(String path, java.util.function.Function<JsonNode, JsonNode> pick) throws Exception {
        JsonNode ours = pick.apply(mon.get(Impl.JNATSD).json(path));
        JsonNode theirs = pick.apply(mon.get(Impl.UPSTREAM).json(path));
        assertEquals(fields(theirs), fields(ours), path);
    }

    @Test
    void varzHasUpstreamsFieldsInUpstreamsOrder() throws Exception {
        sameActivity();
        assertSameFields("/varz", n -> n);
        JsonNode ours = mon.get(Impl.JNATSD).json("/varz");
        assertFalse(ours.get("jnatsd_version").asText().isEmpty());
        // Values that depend only on the configuration agree too.
        JsonNode theirs = mon.get(Impl.UPSTREAM).json("/varz");
        for (String f : List.of("version", "proto", "host", "max_connections", "ping_interval", "ping_max", "http_host",
                "http_base_path", "https_port", "auth_timeout", "max_control_line", "max_payload", "max_pending",
                "cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream", "tls_timeout", "write_deadline",
                "connections", "total_connections", "routes", "remotes", "leafnodes", "in_msgs", "out_msgs",
                "in_bytes", "out_bytes", "slow_consumers", "subscriptions")) {
            assertEquals(theirs.get(f), ours.get(f), f);
        }
    }

    @Test
    void connzHasUpstreamsFieldsInUpstreamsOrder() throws Exception {
        sameActivity();
        assertSameFields("/connz", n -> n);
        assertSameFields("/connz", n -> conn(n, "stays"));
        assertSameFields("/connz?subs=1", n -> conn(n, "stays"));
        assertSameFields("/connz?subs=detail", n -> conn(n, "stays"));
        assertSameFields("/connz?subs=detail", n -> bySubject(conn(n, "stays").get("subscriptions_list_detail"), "shape.q"));
        assertSameFields("/connz?subs=detail", n -> bySubject(conn(n, "stays").get("subscriptions_list_detail"), "shape.>"));
        assertSameFields("/connz?auth=true", n -> conn(n, "stays"));
        assertSameFields("/connz?state=closed&subs=1", n -> conn(n, "gone"));
        assertSameFields("/connz?state=closed&subs=detail", n -> conn(n, "gone").get("subscriptions_list_detail").get(0));
    }

    @Test
    void subszHasUpstreamsFields() throws Exception {
        sameActivity();
        assertSameFields("/subsz?subs=1", n -> n);
        assertSameFields("/subsz?subs=1", n -> bySubject(n.get("subscriptions_list"), "shape.q"));
        assertSameFields("/subsz?subs=1", n -> bySubject(n.get("subscriptions_list"), "shape.>"));
        JsonNode ours = mon.get(Impl.JNATSD).json("/subsz");
        JsonNode theirs = mon.get(Impl.UPSTREAM).json("/subsz");
        for (String f : List.of("num_subscriptions", "num_inserts", "num_removes")) assertEquals(theirs.get(f), ours.get(f), f);
    }

    @Test
    void endpointsOfUnconfiguredFeaturesAnswerAsUpstream() throws Exception {
        for (String path : List.of("/routez", "/routez?subs=detail", "/gatewayz", "/gatewayz?accs=1", "/leafz",
                "/leafz?subs=1", "/jsz", "/jsz?accounts=1", "/accountz", "/accountz?acc=$G", "/accstatz",
                "/accstatz?unused=1", "/healthz", "/healthz?js-enabled-only=1&js-server-only=1")) {
            assertEquals(strip(mon.get(Impl.UPSTREAM).json(path)), strip(mon.get(Impl.JNATSD).json(path)), path);
        }
    }

    @Test
    void accountEndpointsCountTheSameActivity() throws Exception {
        sameActivity();
        for (String path : List.of("/accountz?acc=$G", "/accstatz")) {
            JsonNode theirs = strip(mon.get(Impl.UPSTREAM).json(path));
            JsonNode ours = strip(mon.get(Impl.JNATSD).json(path));
            // Upstream empties its whole match cache when a connection with subscriptions closes;
            // jnatsd's index drops only the entries the removed subscriptions could change. The
            // cache figures differ by design; the rest must not.
            for (JsonNode n : List.of(theirs, ours)) {
                JsonNode st = n.path("account_detail").path("sublist_stats");
                if (st instanceof ObjectNode o) o.remove(List.of("num_cache", "max_fanout", "avg_fanout", "cache_hit_rate"));
            }
            assertEquals(theirs, ours, path);
        }
    }

    @Test
    void badRequestsGetUpstreamsStatusAndText() throws Exception {
        for (String path : List.of("/connz?sort=nope", "/connz?sort=stop", "/connz?state=x", "/connz?offset=1.5",
                "/connz?limit=99999999999", "/connz?cid=-1", "/connz?auth=yes", "/subsz?test=a.%3E", "/subsz?subs=2",
                "/accountz?acc=NOPE", "/accstatz?unused=x", "/healthz?js-server-only=nah", "/jsz?limit=x",
                "/routez?subs=x", "/nothing-here")) {
            HttpResponse<String> theirs = mon.get(Impl.UPSTREAM).get(path);
            HttpResponse<String> ours = mon.get(Impl.JNATSD).get(path);
            assertEquals(theirs.statusCode(), ours.statusCode(), path);
            if (theirs.statusCode() == 200) {
                JsonNode t = strip(new com.fasterxml.jackson.databind.ObjectMapper().readTree(theirs.body()));
                JsonNode o = strip(new com.fasterxml.jackson.databind.ObjectMapper().readTree(ours.body()));
                assertEquals(t, o, path);
            } else {
                assertEquals(theirs.body(), ours.body(), path);
            }
        }
    }

    /** The subscription on {@code subject} in a list of subscription details (their order is a map's). */
    private static JsonNode bySubject(JsonNode list, String subject) {
        for (JsonNode d : list) if (subject.equals(d.get("subject").asText())) return d;
        throw new AssertionError("no subscription on " + subject + " in " + list);
    }

    private static JsonNode strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                if (VOLATILE.contains(it.next())) it.remove();
            }
            o.forEach(UpstreamShapeTest::strip);
        } else if (n.isArray()) {
            n.forEach(UpstreamShapeTest::strip);
        }
        return n;
    }
}
