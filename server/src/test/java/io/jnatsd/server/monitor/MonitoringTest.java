package io.jnatsd.server.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The monitoring endpoints driven by real clients: each test runs against jnatsd and against
 * upstream nats-server from the same config (skipped when nats-server is absent), so the
 * figures asserted are what upstream reports too. Both run with {@code no_system_account}, so
 * that no internal subscriptions (whose number differs between the two) enter the figures.
 */
class MonitoringTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String CONFIG = "no_system_account: true\n";

    static TestServer start(Impl impl) throws Exception {
        return TestServer.startMonitored(impl, CONFIG, null);
    }

    static Connection connect(TestServer s, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).connectionName(name).connectionTimeout(WAIT).build());
    }

    /** The connection named {@code name} in a /connz answer. */
    static JsonNode conn(JsonNode connz, String name) {
        for (JsonNode c : connz.get("connections")) {
            if (name.equals(c.path("name").asText(null))) return c;
        }
        throw new AssertionError("no connection named " + name + " in " + connz);
    }

    static List<String> names(JsonNode connz) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : connz.get("connections")) out.add(c.path("name").asText(""));
        return out;
    }

    static Set<String> texts(JsonNode array) {
        Set<String> out = new HashSet<>();
        if (array != null) array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connzAndVarzCountWhatEachClientSentAndReceived(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sub = connect(s, "mon-sub"); Connection pub = connect(s, "mon-pub")) {
            MonitorHttp mon = new MonitorHttp(s);
            Subscription all = sub.subscribe("mon.>");
            Subscription workers = sub.subscribe("mon.a", "workers");
            sub.flush(WAIT);

            byte[] payload = new byte[100];
            for (int i = 0; i < 10; i++) pub.publish("mon.a", payload);
            Headers headers = new Headers().add("trace-id", "abc123");
            byte[] small = "seven!!".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 4; i++) {
                pub.publish(NatsMessage.builder().subject("mon.b").headers(headers).data(small).build());
            }
            pub.flush(WAIT);
            for (int i = 0; i < 14; i++) assertNotNull(all.nextMessage(WAIT));
            for (int i = 0; i < 10; i++) assertNotNull(workers.nextMessage(WAIT));

            long withHeaders = headers.serializedLength() + small.length;
            long inBytes = 10 * 100 + 4 * withHeaders;
            long outBytes = 2 * 10 * 100 + 4 * withHeaders; // mon.a reaches both subscriptions

            JsonNode connz = mon.json("/connz");
            assertEquals(2, connz.get("num_connections").asInt());
            assertEquals(2, connz.get("total").asInt());
            assertEquals(0, connz.get("offset").asInt());
            assertEquals(1024, connz.get("limit").asInt());

            JsonNode p = conn(connz, "mon-pub");
            assertEquals(14, p.get("in_msgs").asLong());
            assertEquals(inBytes, p.get("in_bytes").asLong());
            assertEquals(0, p.get("out_msgs").asLong());
            assertEquals(0, p.get("out_bytes").asLong());
            assertEquals(0, p.get("subscriptions").asInt());

            JsonNode c = conn(connz, "mon-sub");
            assertEquals(24, c.get("out_msgs").asLong());
            assertEquals(outBytes, c.get("out_bytes").asLong());
            assertEquals(0, c.get("in_msgs").asLong());
            assertEquals(0, c.get("in_bytes").asLong());
            assertEquals(2, c.get("subscriptions").asInt());
            assertEquals("Client", c.get("kind").asText());
            assertEquals("nats", c.get("type").asText());
            assertEquals("127.0.0.1", c.get("ip").asText());
            assertTrue(c.get("port").asInt() > 0);
            assertEquals("java", c.get("lang").asText());
            assertFalse(c.get("version").asText().isEmpty());
            assertEquals(0, c.get("pending_bytes").asLong());
            Instant start = Instant.parse(c.get("start").asText());
            Instant last = Instant.parse(c.get("last_activity").asText());
            Instant now = Instant.parse(connz.get("now").asText());
            assertFalse(last.isBefore(start));
            assertFalse(now.isBefore(last));
            assertTrue(c.get("uptime").asText().matches("([0-9]+[ydhm])*[0-9]+s"), c.get("uptime").asText());
            assertTrue(c.get("idle").asText().matches("([0-9]+[ydhm])*[0-9]+s"), c.get("idle").asText());
            assertTrue(c.get("rtt").asText().matches("[0-9.]+(ns|µs|ms|s)"), c.get("rtt").asText());
            assertNull(c.get("subscriptions_list"));
            assertNull(c.get("stop"));
            assertNull(c.get("reason"));

            JsonNode listed = conn(mon.json("/connz?subs=1"), "mon-sub");
            assertEquals(Set.of("mon.>", "mon.a"), texts(listed.get("subscriptions_list")));
            assertNull(listed.get("subscriptions_list_detail"));

            JsonNode detailed = conn(mon.json("/connz?subs=detail"), "mon-sub");
            assertNull(detailed.get("subscriptions_list"));
            Map<String, JsonNode> bySubject = new HashMap<>();
            for (JsonNode d : detailed.get("subscriptions_list_detail")) bySubject.put(d.get("subject").asText(), d);
            assertEquals(Set.of("mon.>", "mon.a"), bySubject.keySet());
            assertEquals(14, bySubject.get("mon.>").get("msgs").asLong());
            assertNull(bySubject.get("mon.>").get("qgroup"));
            assertEquals(10, bySubject.get("mon.a").get("msgs").asLong());
            assertEquals("workers", bySubject.get("mon.a").get("qgroup").asText());
            assertEquals(c.get("cid").asLong(), bySubject.get("mon.a").get("cid").asLong());
            assertFalse(bySubject.get("mon.a").get("sid").asText().isEmpty());

            JsonNode varz = mon.json("/varz");
            assertEquals(14, varz.get("in_msgs").asLong());
            assertEquals(inBytes, varz.get("in_bytes").asLong());
            assertEquals(24, varz.get("out_msgs").asLong());
            assertEquals(outBytes, varz.get("out_bytes").asLong());
            assertEquals(2, varz.get("connections").asInt());
            assertEquals(2, varz.get("total_connections").asLong());
            assertEquals(2, varz.get("subscriptions").asLong());
            assertEquals(0, varz.get("slow_consumers").asLong());
            assertEquals(s.port(), varz.get("port").asInt());
            assertEquals(120_000_000_000L, varz.get("ping_interval").asLong()); // nanoseconds, as Go writes a Duration
            assertEquals(10_000_000_000L, varz.get("write_deadline").asLong());
            assertEquals(2, varz.get("auth_timeout").asDouble());
            assertEquals(1048576, varz.get("max_payload").asInt());
            assertEquals("2.9.10", varz.get("version").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void closedConnectionsKeepTheirFinalStateAndReason(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection stayer = connect(s, "stayer")) {
            MonitorHttp mon = new MonitorHttp(s);
            Connection leaver = connect(s, "leaver");
            Subscription toLeaver = leaver.subscribe("to.leaver");
            leaver.flush(WAIT);
            for (int i = 0; i < 3; i++) leaver.publish("nowhere", "12345".getBytes(StandardCharsets.UTF_8));
            leaver.flush(WAIT);
            for (int i = 0; i < 2; i++) stayer.publish("to.leaver", "abcd".getBytes(StandardCharsets.UTF_8));
            stayer.flush(WAIT);
            assertNotNull(toLeaver.nextMessage(WAIT));
            assertNotNull(toLeaver.nextMessage(WAIT));
            long cid = conn(mon.json("/connz"), "leaver").get("cid").asLong();
            leaver.close();

            JsonNode closed = mon.await("/connz?state=closed&subs=1", n -> n.get("num_connections").asInt() == 1);
            JsonNode c = closed.get("connections").get(0);
            assertEquals(cid, c.get("cid").asLong());
            assertEquals("leaver", c.get("name").asText());
            assertEquals("Client Closed", c.get("reason").asText());
            assertFalse(Instant.parse(c.get("stop").asText()).isBefore(Instant.parse(c.get("start").asText())));
            assertEquals(3, c.get("in_msgs").asLong());
            assertEquals(15, c.get("in_bytes").asLong());
            assertEquals(2, c.get("out_msgs").asLong());
            assertEquals(8, c.get("out_bytes").asLong());
            assertEquals(1, c.get("subscriptions").asInt());
            assertEquals(Set.of("to.leaver"), texts(c.get("subscriptions_list")));

            assertEquals(List.of("stayer"), names(mon.json("/connz")));
            JsonNode any = mon.json("/connz?state=all");
            assertEquals(2, any.get("total").asInt());
            assertEquals(Set.of("stayer", "leaver"), new HashSet<>(names(any)));
            assertEquals(List.of("leaver"), names(mon.json("/connz?state=closed&cid=" + cid)));
            assertEquals(List.of("leaver"), names(mon.json("/connz?state=any&cid=" + cid)));
            assertEquals(0, mon.json("/connz?cid=" + cid).get("num_connections").asInt());

            // The server's totals keep what closed connections sent and received.
            JsonNode varz = mon.json("/varz");
            assertEquals(1, varz.get("connections").asInt());
            assertEquals(2, varz.get("total_connections").asLong());
            assertEquals(5, varz.get("in_msgs").asLong());
            assertEquals(23, varz.get("in_bytes").asLong());
            assertEquals(2, varz.get("out_msgs").asLong());
            assertEquals(8, varz.get("out_bytes").asLong());

            try (RawClient raw = s.raw()) {
                raw.connect("\"name\":\"garbler\"");
                raw.send("GARBAGE\r\n");
                assertTrue(raw.closedWithin(2000));
            }
            JsonNode two = mon.await("/connz?state=closed&sort=reason", n -> n.get("num_connections").asInt() == 2);
            assertEquals(List.of("leaver", "garbler"), names(two)); // "Client Closed" < "Protocol Violation"
            assertEquals("Protocol Violation", conn(two, "garbler").get("reason").asText());
            assertEquals(List.of("garbler", "leaver"), names(mon.json("/connz?state=closed&sort=stop")));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connzSortsFiltersAndPages(Impl impl) throws Exception {
        try (TestServer s = start(impl);
             Connection p1 = connect(s, "p1"); Connection p2 = connect(s, "p2"); Connection p3 = connect(s, "p3");
             Connection pub = connect(s, "pub")) {
            MonitorHttp mon = new MonitorHttp(s);
            Connection[] receivers = {p1, p2, p3};
            List<Subscription> subs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                subs.add(receivers[i].subscribe("sort." + (i + 1)));
                receivers[i].flush(WAIT);
            }
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 2 * (i + 1); k++) pub.publish("sort." + (i + 1), new byte[10 * (i + 1)]);
            }
            pub.flush(WAIT);
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 2 * (i + 1); k++) assertNotNull(subs.get(i).nextMessage(WAIT));
            }

            assertEquals(List.of("p1", "p2", "p3", "pub"), names(mon.json("/connz")));
            assertEquals(List.of("p1", "p2", "p3", "pub"), names(mon.json("/connz?sort=cid")));
            assertEquals(List.of("p3", "p2", "p1", "pub"), names(mon.json("/connz?sort=msgs_to")));
            assertEquals(List.of("p3", "p2", "p1", "pub"), names(mon.json("/connz?sort=bytes_to")));
            assertEquals("pub", names(mon.json("/connz?sort=msgs_from")).get(0));
            assertEquals("pub", names(mon.json("/connz?sort=bytes_from")).get(0));
            assertEquals("pub", names(mon.json("/connz?sort=subs")).get(3));
            for (String sort : List.of("start", "pending", "last", "idle", "uptime")) {
                assertEquals(Set.of("p1", "p2", "p3", "pub"), new HashSet<>(names(mon.json("/connz?sort=" + sort))), sort);
            }

            JsonNode page = mon.json("/connz?limit=2&offset=1");
            assertEquals(List.of("p2", "p3"), names(page));
            assertEquals(2, page.get("num_connections").asInt());
            assertEquals(4, page.get("total").asInt());
            assertEquals(1, page.get("offset").asInt());
            assertEquals(2, page.get("limit").asInt());
            JsonNode past = mon.json("/connz?offset=10");
            assertEquals(0, past.get("num_connections").asInt());
            assertEquals(0, past.get("connections").size());

            long cid2 = conn(mon.json("/connz"), "p2").get("cid").asLong();
            JsonNode one = mon.json("/connz?cid=" + cid2);
            assertEquals(List.of("p2"), names(one));
            assertEquals(1, one.get("limit").asInt());

            assertEquals(List.of("p1", "p2", "p3", "pub"), names(mon.json("/connz?acc=$G")));
            assertEquals(0, mon.json("/connz?acc=NOPE").get("num_connections").asInt());

            assertBadRequest(mon, "/connz?sort=bogus", "invalid sorting option: bogus");
            assertBadRequest(mon, "/connz?sort=stop", "sort by stop only valid on closed connections");
            assertBadRequest(mon, "/connz?sort=reason", "sort by reason only valid on closed connections");
            assertBadRequest(mon, "/connz?state=bogus", "Error decoding state for bogus");
            assertBadRequest(mon, "/connz?limit=abc",
                    "Error decoding int for 'limit': strconv.Atoi: parsing \"abc\": invalid syntax");
            assertBadRequest(mon, "/connz?cid=x1",
                    "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"x1\": invalid syntax");
            assertBadRequest(mon, "/connz?subs=maybe",
                    "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"maybe\": invalid syntax");
        }
    }

    static void assertBadRequest(MonitorHttp mon, String path, String text) throws Exception {
        HttpResponse<String> r = mon.get(path);
        assertEquals(400, r.statusCode(), path);
        assertEquals(text, r.body(), path);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void subszCountsAndListsSubscriptions(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection a = connect(s, "a"); Connection b = connect(s, "b")) {
            MonitorHttp mon = new MonitorHttp(s);
            a.subscribe("s.a");
            a.subscribe("s.*");
            Subscription queued = a.subscribe("s.b", "q");
            b.subscribe("t.>");
            a.flush(WAIT);
            b.flush(WAIT);

            JsonNode stats = mon.json("/subsz");
            assertEquals(4, stats.get("num_subscriptions").asLong());
            assertEquals(4, stats.get("num_inserts").asLong());
            assertEquals(0, stats.get("num_removes").asLong());
            assertEquals(4, mon.json("/varz").get("subscriptions").asLong());

            JsonNode listed = mon.json("/subsz?subs=1");
            assertEquals(4, listed.get("total").asInt());
            assertEquals(4, listed.get("subscriptions_list").size());
            Set<String> subjects = new HashSet<>();
            for (JsonNode d : listed.get("subscriptions_list")) {
                subjects.add(d.get("subject").asText());
                assertEquals("$G", d.get("account").asText());
                if (d.get("subject").asText().equals("s.b")) assertEquals("q", d.get("qgroup").asText());
            }
            assertEquals(Set.of("s.a", "s.*", "s.b", "t.>"), subjects);

            JsonNode tested = mon.json("/subsz?subs=1&test=s.a");
            assertEquals(2, tested.get("total").asInt());
            Set<String> matching = new HashSet<>();
            tested.get("subscriptions_list").forEach(d -> matching.add(d.get("subject").asText()));
            assertEquals(Set.of("s.a", "s.*"), matching);
            JsonNode deep = mon.json("/subsz?subs=1&test=t.x.y");
            assertEquals("t.>", deep.get("subscriptions_list").get(0).get("subject").asText());
            assertEquals(1, deep.get("total").asInt());

            JsonNode paged = mon.json("/subsz?subs=1&offset=3&limit=2");
            // Upstream 2.9.10 counted only the page here; from 2.10 on, total counts every match.
            if (impl == Impl.JNATSD) assertEquals(4, paged.get("total").asInt());
            assertEquals(1, paged.get("subscriptions_list").size());
            assertEquals(4, mon.json("/subscriptionsz?subs=1").get("total").asInt());
            assertBadRequest(mon, "/subsz?test=s.*", "invalid test subject, must be valid publish subject: s.*");

            queued.unsubscribe();
            a.flush(WAIT);
            JsonNode after = mon.json("/subsz");
            assertEquals(3, after.get("num_subscriptions").asLong());
            assertEquals(1, after.get("num_removes").asLong());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void rttIsMeasuredWithAServerPing(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection c = connect(s, "timed")) {
            c.flush(WAIT);
            MonitorHttp mon = new MonitorHttp(s);
            JsonNode connz = mon.await("/connz", n -> !conn(n, "timed").get("rtt").asText().equals("0s"));
            assertTrue(conn(connz, "timed").get("rtt").asText().matches("[0-9.]+(ns|µs|ms|s)"));
            if (impl == Impl.JNATSD) { // sorting by rtt came with upstream 2.10
                assertEquals("timed", names(mon.json("/connz?sort=rtt")).get(0));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void httpBasics(Impl impl) throws Exception {
        try (TestServer s = start(impl)) {
            MonitorHttp mon = new MonitorHttp(s);
            HttpResponse<String> varz = mon.get("/varz");
            assertEquals(200, varz.statusCode());
            assertEquals("application/json", varz.headers().firstValue("Content-Type").orElse(""));
            if (impl == Impl.JNATSD) {
                // Upstream sets it from 2.10 on; the installed 2.9.10 does not yet.
                assertEquals("*", varz.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            }
            HttpResponse<String> index = mon.get("/");
            assertEquals(200, index.statusCode());
            assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            for (String e : List.of("varz", "connz", "subsz", "routez", "gatewayz", "leafz", "accountz", "jsz", "healthz")) {
                assertTrue(index.body().contains(e), e);
            }
            assertEquals(404, mon.get("/nope").statusCode());
            assertEquals(404, mon.get("/varz/").statusCode());

            mon.get("/connz");
            mon.get("/connz");
            mon.get("/subscriptionsz");
            JsonNode stats = mon.json("/varz").get("http_req_stats");
            assertEquals(2, stats.get("/connz").asLong());
            assertEquals(2, stats.get("/varz").asLong());
            assertEquals(1, stats.get("/subsz").asLong());
            assertEquals(1, stats.get("/").asLong());
            assertNull(stats.get("/nope"));

            HttpResponse<String> health = mon.get("/healthz?js-enabled-only=true");
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void basePathPrefixesEveryEndpoint(Impl impl) throws Exception {
        try (TestServer s = TestServer.startMonitored(impl, CONFIG, "/mon")) {
            assertTrue(s.monitorUrl().endsWith("/mon"), s.monitorUrl());
            MonitorHttp mon = new MonitorHttp(s);
            assertEquals("/mon", mon.json("/varz").get("http_base_path").asText());
            assertEquals(200, mon.get("/connz").statusCode());
            assertEquals(200, mon.get("").statusCode()); // the index page lives at the base path itself
            MonitorHttp root = new MonitorHttp(s.monitorUrl().substring(0, s.monitorUrl().length() - "/mon".length()));
            assertEquals(404, root.get("/varz").statusCode());
            assertEquals(404, root.get("/").statusCode());
        }
    }
}
