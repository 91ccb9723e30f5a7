package io.jnatsd.server.events;

import static io.jnatsd.server.events.SystemEventsTest.WAIT;
import static io.jnatsd.server.events.SystemEventsTest.askJson;
import static io.jnatsd.server.events.SystemEventsTest.connect;
import static io.jnatsd.server.events.SystemEventsTest.listen;
import static io.jnatsd.server.events.SystemEventsTest.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * jnatsd's system events and replies next to upstream nats-server 2.9.10's, from the same
 * config and the same client activity: the same field names, in the same order, at every
 * level. Skipped when nats-server is not installed.
 */
class SystemEventsShapeTest {
    /**
     * Fields that differ by nature: jnatsd's own, and upstream's that depend on what it has
     * measured or configured (an RTT, the account's imports), or on how the test waited for it
     * to start (upstream's /healthz was polled).
     */
    private static final Set<String> IGNORED = Set.of("jnatsd_version", "rtt", "imports", "/healthz");

    @Test
    void eventsAndRepliesHaveUpstreamsFields() throws Exception {
        assumeTrue(TestServer.upstreamBinary() != null, "upstream nats-server is not installed");
        Map<String, List<String>> jnatsd = shapes(Impl.JNATSD);
        Map<String, List<String>> upstream = shapes(Impl.UPSTREAM);
        assertEquals(upstream.keySet(), jnatsd.keySet());
        List<String> differences = new ArrayList<>();
        for (String what : upstream.keySet()) {
            if (!upstream.get(what).equals(jnatsd.get(what))) {
                differences.add(what + ":\n  upstream " + upstream.get(what) + "\n  jnatsd   " + jnatsd.get(what));
            }
        }
        assertEquals("", String.join("\n", differences));
    }

    /** The same activity on one server; every event and reply it gives, as lists of field paths. */
    private static Map<String, List<String>> shapes(Impl impl) throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        TestServer s = SystemEventsTest.start(impl);
        try (Connection sys = connect(s, "sys", "watcher")) {
            BlockingQueue<JsonNode> connect = listen(sys, "$SYS.ACCOUNT.A.CONNECT");
            BlockingQueue<JsonNode> disconnect = listen(sys, "$SYS.ACCOUNT.A.DISCONNECT");
            BlockingQueue<JsonNode> connsOld = listen(sys, "$SYS.SERVER.ACCOUNT.A.CONNS");
            BlockingQueue<JsonNode> connsNew = listen(sys, "$SYS.ACCOUNT.A.SERVER.CONNS");
            BlockingQueue<JsonNode> authErr = listen(sys, "$SYS.SERVER.*.CLIENT.AUTH.ERR");
            BlockingQueue<JsonNode> statsz = listen(sys, "$SYS.SERVER.*.STATSZ");
            BlockingQueue<JsonNode> shutdown = listen(sys, "$SYS.SERVER.*.SHUTDOWN");

            try (Connection a = connect(s, "a", "app")) {
                a.subscribe("x.y");
                a.publish("x.y", new byte[3]);
                a.flush(WAIT);
                out.put("CONNECT", paths(next(connect)));
                out.put("SERVER.CONNS (old subject)", paths(next(connsOld)));
                out.put("ACCOUNT.SERVER.CONNS", paths(next(connsNew)));
                out.put("PING", paths(askJson(sys, "$SYS.REQ.SERVER.PING", null)));
                for (String x : List.of("STATSZ", "VARZ", "CONNZ", "SUBSZ", "ROUTEZ", "GATEWAYZ", "LEAFZ", "ACCOUNTZ",
                        "JSZ", "HEALTHZ")) {
                    out.put("PING." + x, paths(askJson(sys, "$SYS.REQ.SERVER.PING." + x, null)));
                }
                out.put("PING.CONNZ subscriptions", paths(askJson(sys, "$SYS.REQ.SERVER.PING.CONNZ",
                        "{\"subscriptions_detail\":true,\"auth\":true}")));
                for (String x : List.of("SUBSZ", "CONNZ", "LEAFZ", "JSZ", "INFO", "STATZ", "CONNS")) {
                    out.put("ACCOUNT.A." + x, paths(askJson(sys, "$SYS.REQ.ACCOUNT.A." + x, null)));
                }
                out.put("ACCOUNT.PING.STATZ", paths(askJson(sys, "$SYS.REQ.ACCOUNT.PING.STATZ", null)));
                out.put("ACCOUNT.PING.CONNZ from A", paths(askJson(a, "$SYS.REQ.ACCOUNT.PING.CONNZ", null)));
                out.put("error 400", paths(askJson(sys, "$SYS.REQ.SERVER.PING.VARZ", "{nope")));
                out.put("error 500", paths(askJson(sys, "$SYS.REQ.SERVER.PING.SUBSZ", "{\"test\":\"a.*\"}")));
                out.put("STATSZ error 400", paths(askJson(sys, "$SYS.REQ.SERVER.PING", "{\"server_name\":3}")));
            }
            out.put("DISCONNECT", paths(next(disconnect)));
            try (Connection bad = Nats.connect(new Options.Builder().server(s.url()).userInfo("a", "bad")
                    .noReconnect().connectionTimeout(java.time.Duration.ofSeconds(1)).build())) {
                throw new AssertionError("connected: " + bad);
            } catch (Exception expected) {
                // refused
            }
            out.put("CLIENT.AUTH.ERR", paths(next(authErr)));
            out.put("STATSZ event", paths(next(statsz)));
            s.close();
            out.put("SHUTDOWN", paths(next(shutdown)));
        } finally {
            s.close();
        }
        return out;
    }

    /** Every field's path, in document order; an array's elements are described by its first. */
    static List<String> paths(JsonNode n) {
        List<String> out = new ArrayList<>();
        collect("", n, out);
        return out;
    }

    private static void collect(String prefix, JsonNode n, List<String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (IGNORED.contains(e.getKey())) continue;
                String p = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                out.add(p);
                collect(p, e.getValue(), out);
            }
        } else if (n.isArray() && !n.isEmpty()) {
            collect(prefix + "[]", n.get(0), out);
        }
    }
}
