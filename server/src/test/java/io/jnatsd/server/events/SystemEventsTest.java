package io.jnatsd.server.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The system account's events and requests, driven by real clients against jnatsd and against
 * upstream nats-server 2.9.10 from the same config (skipped when nats-server is absent).
 */
class SystemEventsTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final Duration SILENCE = Duration.ofMillis(700);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CONFIG = """
            server_name: "sys-test"
            accounts {
              SYS: { users: [{user: sys, password: sys}] }
              A: { users: [{user: a, password: a}, {user: limited, password: limited,
                   permissions: {publish: {allow: ["$SYS.REQ.>", "x.>"]}, subscribe: ["_INBOX.>", "x.>"]}}] }
            }
            system_account: SYS
            """;

    static TestServer start(Impl impl) throws Exception {
        return TestServer.startMonitored(impl, CONFIG, null);
    }

    static Connection connect(TestServer s, String user, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).userInfo(user, user).connectionName(name)
                .noReconnect().connectionTimeout(WAIT).build());
    }

    /** Messages on {@code subject}, parsed, as they arrive (kept even after the connection closes). */
    static BlockingQueue<JsonNode> listen(Connection nc, String subject) throws Exception {
        BlockingQueue<JsonNode> q = new LinkedBlockingQueue<>();
        Dispatcher d = nc.createDispatcher(m -> {
            try {
                q.add(JSON.readTree(m.getData()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        d.subscribe(subject);
        nc.flush(WAIT);
        return q;
    }

    /**
     * The first reply to a request, or null when none comes within {@code wait} (a 503 status
     * counts as a reply). Replies come to one wildcard subscription per connection, made on
     * its first request, so that requests do not change the subscription counts they report.
     */
    static Message ask(Connection nc, String subject, String body, Duration wait) throws Exception {
        Replies r = REPLIES.computeIfAbsent(nc, Replies::new);
        String reply = r.prefix + "." + r.next++;
        nc.publish(subject, reply, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            Message m = r.sub.nextMessage(Duration.ofNanos(left));
            if (m == null) return null;
            if (m.getSubject().equals(reply)) return m;
        }
    }

    private static final java.util.Map<Connection, Replies> REPLIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Replies {
        final String prefix;
        final Subscription sub;
        int next;

        Replies(Connection nc) {
            prefix = nc.createInbox();
            sub = nc.subscribe(prefix + ".*");
            try {
                nc.flush(WAIT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static JsonNode askJson(Connection nc, String subject, String body) throws Exception {
        Message m = ask(nc, subject, body, WAIT);
        assertNotNull(m, "no reply to " + subject);
        assertFalse(m.isStatusMessage(), () -> subject + ": status " + m.getStatus());
        return JSON.readTree(m.getData());
    }

    static JsonNode next(BlockingQueue<JsonNode> q) throws InterruptedException {
        JsonNode n = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(n, "no event");
        return n;
    }

    static void assertServerBlock(JsonNode server, String id) {
        assertEquals("sys-test", server.get("name").asText());
        assertEquals("127.0.0.1", server.get("host").asText());
        assertEquals(id, server.get("id").asText());
        assertEquals("2.9.10", server.get("ver").asText());
        assertTrue(server.get("seq").asLong() > 0);
        assertFalse(server.get("jetstream").asBoolean());
        assertFalse(server.get("time").asText().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connectAndDisconnectEventsNameTheAccountClientAndCounts(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "watcher")) {
            String id = new MonitorHttp(s).json("/varz").get("server_id").asText();
            BlockingQueue<JsonNode> connects = listen(sys, "$SYS.ACCOUNT.*.CONNECT");
            BlockingQueue<JsonNode> disconnects = listen(sys, "$SYS.ACCOUNT.*.DISCONNECT");
            BlockingQueue<JsonNode> conns = listen(sys, "$SYS.ACCOUNT.A.SERVER.CONNS");

            Connection a = connect(s, "a", "app-a");
            JsonNode c = next(connects);
            assertEquals("io.nats.server.advisory.v1.client_connect", c.get("type").asText());
            assertEquals(22, c.get("id").asText().length());
            assertServerBlock(c.get("server"), id);
            JsonNode client = c.get("client");
            assertEquals("A", client.get("acc").asText());
            assertEquals("a", client.get("user").asText());
            assertEquals("app-a", client.get("name").asText());
            assertEquals("java", client.get("lang").asText());
            assertEquals("127.0.0.1", client.get("host").asText());
            assertEquals("Client", client.get("kind").asText());
            assertEquals("nats", client.get("client_type").asText());
            assertTrue(client.get("id").asLong() > 0);
            assertNull(client.get("stop"));
            JsonNode count = next(conns);
            assertEquals("io.nats.server.advisory.v1.account_connections", count.get("type").asText());
            assertEquals("A", count.get("acc").asText());
            assertEquals(1, count.get("conns").asInt());

            Subscription sub = a.subscribe("x.echo");
            a.flush(WAIT);
            for (int i = 0; i < 3; i++) a.publish("x.echo", new byte[10]);
            a.publish("x.nobody", new byte[4]);
            a.flush(WAIT);
            for (int i = 0; i < 3; i++) assertNotNull(sub.nextMessage(WAIT));
            a.close();

            JsonNode d = next(disconnects);
            assertEquals("io.nats.server.advisory.v1.client_disconnect", d.get("type").asText());
            assertServerBlock(d.get("server"), id);
            assertEquals(client.get("id").asLong(), d.get("client").get("id").asLong());
            assertEquals("A", d.get("client").get("acc").asText());
            assertEquals("app-a", d.get("client").get("name").asText());
            assertFalse(d.get("client").get("stop").asText().isEmpty());
            assertEquals(d.get("timestamp").asText(), d.get("client").get("stop").asText());
            assertEquals(4, d.get("sent").get("msgs").asLong()); // what the client sent
            assertEquals(34, d.get("sent").get("bytes").asLong());
            assertEquals(3, d.get("received").get("msgs").asLong()); // what it was sent
            assertEquals(30, d.get("received").get("bytes").asLong());
            assertEquals("Client Closed", d.get("reason").asText());
            JsonNode after = next(conns);
            assertEquals(0, after.get("conns").asInt());
            assertEquals(4, after.get("received").get("msgs").asLong()); // the account's clients sent
            assertEquals(3, after.get("sent").get("msgs").asLong());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void globalAccountClientsGetNoConnectEvents(Impl impl) throws Exception {
        String config = CONFIG + "authorization { users: [{user: g, password: g}] }\n";
        try (TestServer s = TestServer.startMonitored(impl, config, null); Connection sys = connect(s, "sys", "watcher")) {
            BlockingQueue<JsonNode> connects = listen(sys, "$SYS.ACCOUNT.*.CONNECT");
            try (Connection g = connect(s, "g", "global")) {
                g.flush(WAIT);
            }
            try (Connection a = connect(s, "a", "in-a")) {
                a.flush(WAIT);
            }
            // As upstream 2.9.10: $G's clients are not announced, the others are.
            assertEquals("in-a", next(connects).get("client").get("name").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void serverPingAnswersWithThisServersStatsz(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys"); Connection a = connect(s, "a", "a")) {
            MonitorHttp mon = new MonitorHttp(s);
            askJson(sys, "$SYS.REQ.SERVER.PING", null); // its reply subscription now counts
            JsonNode varz = mon.json("/varz");
            for (String subject : List.of("$SYS.REQ.SERVER.PING", "$SYS.REQ.SERVER.PING.STATSZ",
                    "$SYS.REQ.SERVER." + varz.get("server_id").asText() + ".STATSZ")) {
                JsonNode r = askJson(sys, subject, null);
                assertServerBlock(r.get("server"), varz.get("server_id").asText());
                JsonNode st = r.get("statsz");
                assertNotNull(st, subject);
                assertEquals(varz.get("start").asText(), st.get("start").asText());
                assertEquals(2, st.get("connections").asInt());
                assertEquals(varz.get("total_connections").asInt(), st.get("total_connections").asInt());
                assertEquals(2, st.get("active_accounts").asInt());
                assertEquals(varz.get("subscriptions").asLong(), st.get("subscriptions").asLong());
                assertTrue(st.get("mem").asLong() > 0);
                assertEquals(Runtime.getRuntime().availableProcessors(), st.get("cores").asInt());
                assertTrue(st.get("sent").has("msgs") && st.get("received").has("bytes"));
                assertEquals(1, st.get("active_servers").asInt());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pingEndpointsAnswerWithTheHttpEndpointsFigures(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys"); Connection a = connect(s, "a", "a-conn")) {
            MonitorHttp mon = new MonitorHttp(s);
            a.subscribe("x.one");
            a.subscribe("x.two");
            a.flush(WAIT);
            String id = mon.json("/varz").get("server_id").asText();
            askJson(sys, "$SYS.REQ.SERVER.PING", null); // its reply subscription now counts

            JsonNode varz = askJson(sys, "$SYS.REQ.SERVER.PING.VARZ", null);
            assertServerBlock(varz.get("server"), id);
            JsonNode httpVarz = mon.json("/varz");
            for (String f : List.of("server_id", "server_name", "version", "host", "port", "max_payload", "connections",
                    "total_connections", "subscriptions", "start", "system_account")) {
                assertEquals(httpVarz.get(f), varz.get("data").get(f), f);
            }

            JsonNode connz = askJson(sys, "$SYS.REQ.SERVER.PING.CONNZ", "{\"subscriptions\":true,\"limit\":10}").get("data");
            JsonNode httpConnz = mon.json("/connz?subs=1&limit=10");
            assertEquals(10, connz.get("limit").asInt());
            assertEquals(httpConnz.get("num_connections"), connz.get("num_connections"));
            assertEquals(2, connz.get("num_connections").asInt()); // no internal client among them
            List<String> subs = new ArrayList<>();
            for (JsonNode c : connz.get("connections")) {
                if (c.get("name").asText().equals("a-conn")) c.get("subscriptions_list").forEach(n -> subs.add(n.asText()));
            }
            assertTrue(subs.containsAll(List.of("x.one", "x.two")), subs::toString);

            JsonNode subsz = askJson(sys, "$SYS.REQ.SERVER.PING.SUBSZ", null).get("data");
            JsonNode httpSubsz = mon.json("/subsz");
            assertEquals(httpSubsz.get("num_subscriptions"), subsz.get("num_subscriptions"));
            assertEquals(httpSubsz.get("num_inserts"), subsz.get("num_inserts"));

            JsonNode direct = askJson(sys, "$SYS.REQ.SERVER." + id + ".SUBSZ", "{\"subscriptions\":true,\"test\":\"x.one\"}");
            assertEquals("x.one", direct.get("data").get("subscriptions_list").get(0).get("subject").asText());

            assertEquals("ok", askJson(sys, "$SYS.REQ.SERVER.PING.HEALTHZ", null).get("data").get("status").asText());
            JsonNode jsz = askJson(sys, "$SYS.REQ.SERVER.PING.JSZ", null).get("data");
            assertEquals(mon.json("/jsz").get("disabled"), jsz.get("disabled"));
            assertEquals(0, askJson(sys, "$SYS.REQ.SERVER.PING.ROUTEZ", null).get("data").get("num_routes").asInt());
            assertTrue(askJson(sys, "$SYS.REQ.SERVER.PING.GATEWAYZ", null).get("data").has("outbound_gateways"));
            assertEquals(0, askJson(sys, "$SYS.REQ.SERVER.PING.LEAFZ", null).get("data").get("leafnodes").asInt());
            JsonNode accountz = askJson(sys, "$SYS.REQ.SERVER.PING.ACCOUNTZ", null).get("data");
            assertEquals("SYS", accountz.get("system_account").asText());
            List<String> names = new ArrayList<>();
            accountz.get("accounts").forEach(n -> names.add(n.asText()));
            assertTrue(names.containsAll(List.of("$G", "SYS", "A")), names::toString);

            if (impl == Impl.JNATSD) { // IDZ came with 2.10
                JsonNode idz = askJson(sys, "$SYS.REQ.SERVER.PING.IDZ", null);
                assertEquals(id, idz.get("id").asText());
                assertEquals("sys-test", idz.get("name").asText());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aServerFilterThatDoesNotMatchGetsNoReply(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys")) {
            assertNull(ask(sys, "$SYS.REQ.SERVER.PING.VARZ", "{\"server_name\":\"other\"}", SILENCE));
            assertNull(ask(sys, "$SYS.REQ.SERVER.PING", "{\"host\":\"10.9.9.9\"}", SILENCE));
            assertNull(ask(sys, "$SYS.REQ.SERVER.PING.CONNZ", "{\"tags\":[\"eu\"]}", SILENCE));
            assertNull(ask(sys, "$SYS.REQ.SERVER.PING.STATSZ", "{\"cluster\":\"c1\"}", SILENCE));
            // A part of the name matches, as upstream compares.
            assertNotNull(askJson(sys, "$SYS.REQ.SERVER.PING.VARZ", "{\"server_name\":\"sys-\"}").get("data"));
            assertNotNull(askJson(sys, "$SYS.REQ.SERVER.PING", "{\"server_name\":\"test\"}").get("statsz"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void badOptionsAreAnsweredWithAnError(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys")) {
            JsonNode bad = askJson(sys, "$SYS.REQ.SERVER.PING.CONNZ", "{bad json");
            assertEquals(400, bad.get("error").get("code").asInt());
            assertFalse(bad.has("data"));
            assertNotNull(bad.get("server").get("id"));
            JsonNode sort = askJson(sys, "$SYS.REQ.SERVER.PING.CONNZ", "{\"sort\":\"bogus\"}");
            assertEquals(500, sort.get("error").get("code").asInt());
            assertEquals("invalid sorting option: bogus", sort.get("error").get("description").asText());
            assertTrue(sort.get("data").isNull());
            JsonNode missing = askJson(sys, "$SYS.REQ.ACCOUNT.NOPE.INFO", null);
            assertEquals("Account NOPE does not exist", missing.get("error").get("description").asText());
            assertEquals(400, askJson(sys, "$SYS.REQ.SERVER.PING", "[1]").get("error").get("code").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountRequestsAnswerForOneAccount(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys"); Connection a = connect(s, "a", "a-conn")) {
            a.subscribe("x.a");
            a.flush(WAIT);
            JsonNode connz = askJson(sys, "$SYS.REQ.ACCOUNT.A.CONNZ", null).get("data");
            assertEquals(1, connz.get("num_connections").asInt());
            assertEquals("a-conn", connz.get("connections").get(0).get("name").asText());
            JsonNode subsz = askJson(sys, "$SYS.REQ.ACCOUNT.A.SUBSZ", null).get("data");
            List<String> subjects = new ArrayList<>();
            subsz.get("subscriptions_list").forEach(n -> subjects.add(n.get("subject").asText()));
            assertTrue(subjects.contains("x.a"), subjects::toString);
            JsonNode info = askJson(sys, "$SYS.REQ.ACCOUNT.A.INFO", null).get("data");
            assertEquals("A", info.get("account_name").asText());
            assertEquals(1, info.get("client_connections").asInt());
            JsonNode statz = askJson(sys, "$SYS.REQ.ACCOUNT.A.STATZ", null).get("data").get("account_statz");
            assertEquals(1, statz.size());
            assertEquals("A", statz.get(0).get("acc").asText());
            assertEquals(1, statz.get(0).get("conns").asInt());
            JsonNode conns = askJson(sys, "$SYS.REQ.ACCOUNT.A.CONNS", null);
            assertEquals("io.nats.server.advisory.v1.account_connections", conns.get("type").asText());
            assertEquals(1, conns.get("conns").asInt());
            JsonNode all = askJson(sys, "$SYS.REQ.ACCOUNT.PING.STATZ", null).get("data").get("account_statz");
            assertEquals(2, all.size()); // SYS and A have clients
            assertEquals(500, askJson(sys, "$SYS.REQ.ACCOUNT.A.JSZ", null).get("error").get("code").asInt());
            // An account without clients answers only when unused accounts are asked for.
            assertNull(ask(sys, "$SYS.REQ.ACCOUNT.$G.STATZ", null, SILENCE));
            JsonNode unused = askJson(sys, "$SYS.REQ.ACCOUNT.$G.STATZ", "{\"include_unused\":true}");
            assertEquals(0, unused.get("data").get("account_statz").get(0).get("conns").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void otherAccountsReachOnlyTheirImportedServices(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys"); Connection a = connect(s, "a", "a-conn")) {
            for (String subject : List.of("$SYS.REQ.SERVER.PING", "$SYS.REQ.SERVER.PING.VARZ", "$SYS.REQ.ACCOUNT.A.CONNZ")) {
                Message m = ask(a, subject, null, WAIT);
                assertNotNull(m, subject);
                assertTrue(m.isStatusMessage(), subject); // no responders in account A
                assertEquals(503, m.getStatus().getCode(), subject);
            }
            // Imported into every account: its own connections, its own counts.
            for (String subject : List.of("$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.ACCOUNT.PING.CONNZ")) {
                JsonNode connz = askJson(a, subject, null).get("data");
                assertEquals(1, connz.get("num_connections").asInt(), subject);
                assertEquals("a-conn", connz.get("connections").get(0).get("name").asText(), subject);
            }
            JsonNode statz = askJson(a, "$SYS.REQ.ACCOUNT.PING.STATZ", null).get("data").get("account_statz");
            assertEquals(1, statz.size());
            assertEquals("A", statz.get(0).get("acc").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void statszIsPublishedPeriodicallyAndShutdownIsAnnounced(Impl impl) throws Exception {
        TestServer s = start(impl);
        try (Connection sys = connect(s, "sys", "sys")) {
            String id = new MonitorHttp(s).json("/varz").get("server_id").asText();
            BlockingQueue<JsonNode> statsz = listen(sys, "$SYS.SERVER.*.STATSZ");
            BlockingQueue<JsonNode> shutdown = listen(sys, "$SYS.SERVER.*.SHUTDOWN");
            JsonNode st = next(statsz); // the first ones come quickly after start, then every 30 s
            assertServerBlock(st.get("server"), id);
            assertTrue(st.get("statsz").get("connections").asInt() >= 1);
            s.close();
            JsonNode down = next(shutdown);
            assertServerBlock(down, id);
        } finally {
            s.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void authenticationFailuresAreReported(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "sys")) {
            BlockingQueue<JsonNode> errs = listen(sys, "$SYS.SERVER.*.CLIENT.AUTH.ERR");
            Options wrong = new Options.Builder().server(s.url()).userInfo("a", "wrong").connectionName("intruder")
                    .noReconnect().connectionTimeout(Duration.ofSeconds(1)).build();
            try (Connection nc = Nats.connect(wrong)) {
                throw new AssertionError("connected with a wrong password: " + nc);
            } catch (Exception expected) {
                // refused
            }
            JsonNode e = next(errs);
            assertEquals("io.nats.server.advisory.v1.client_disconnect", e.get("type").asText());
            assertEquals("a", e.get("client").get("user").asText());
            assertEquals("intruder", e.get("client").get("name").asText());
            assertEquals("$G", e.get("client").get("acc").asText());
            assertEquals("Authentication Failure", e.get("reason").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theInternalClientIsNotAConnection(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection sys = connect(s, "sys", "only")) {
            MonitorHttp mon = new MonitorHttp(s);
            assertEquals(1, mon.json("/connz").get("num_connections").asInt());
            assertEquals(1, mon.json("/varz").get("connections").asInt());
            assertEquals(1, askJson(sys, "$SYS.REQ.SERVER.PING", null).get("statsz").get("connections").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void userInfoTellsTheCallerWhoItIs(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection limited = connect(s, "limited", "l")) {
            Message m = ask(limited, "$SYS.REQ.USER.INFO", null, WAIT);
            assertNotNull(m);
            if (impl == Impl.UPSTREAM) { // USER.INFO came with 2.10
                assertTrue(m.isStatusMessage());
                return;
            }
            JsonNode data = JSON.readTree(m.getData()).get("data");
            assertEquals("limited", data.get("user").asText());
            assertEquals("A", data.get("account").asText());
            assertEquals("$SYS.REQ.>", data.get("permissions").get("publish").get("allow").get(0).asText());
        }
        if (impl == Impl.JNATSD) {
            try (TestServer s = start(impl); Connection sys = connect(s, "sys", "s")) {
                JsonNode data = askJson(sys, "$SYS.REQ.USER.INFO", null).get("data");
                assertEquals("sys", data.get("user").asText());
                assertEquals("SYS", data.get("account").asText());
                assertFalse(data.has("permissions"));
            }
        }
    }
}
