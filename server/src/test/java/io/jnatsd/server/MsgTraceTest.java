package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message tracing of core publishes on one server (upstream 2.11, ADR-41): {@code Nats-Trace-Dest}
 * gets one JSON event per traced message (ingress, subject mapping, imports and exports, one
 * egress per client subscription), {@code Nats-Trace-Only} lists the subscribers without
 * delivering. Upstream 2.9.10, the oracle installed here, predates tracing (it delivers the
 * message and sends no event), so these run against jnatsd only; the JSON is upstream 2.12's.
 */
class MsgTraceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private static Connection connect(TestServer s, String name, boolean echo) throws Exception {
        Options.Builder b = new Options.Builder().server(s.url()).connectionName(name);
        if (!echo) b.noEcho();
        return Nats.connect(b.build());
    }

    private static void publish(Connection c, String subject, String... headers) {
        Headers h = new Headers();
        for (int i = 0; i + 1 < headers.length; i += 2) h.add(headers[i], headers[i + 1]);
        c.publish(NatsMessage.builder().subject(subject).headers(h).data("hello", StandardCharsets.UTF_8).build());
    }

    private static JsonNode event(Subscription traces) throws Exception {
        Message m = traces.nextMessage(WAIT);
        assertNotNull(m, "a trace event");
        return JSON.readTree(m.getData());
    }

    private static List<JsonNode> ofType(JsonNode event, String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : event.path("events")) if (type.equals(e.path("type").asText())) out.add(e);
        return out;
    }

    @Test
    void aTracedMessageIsDeliveredAndItsEventNamesIngressAndEveryEgress() throws Exception {
        try (TestServer s = TestServer.start(Impl.JNATSD); Connection sub = connect(s, "sub-a", true);
             Connection pub = connect(s, "pub", true)) {
            Subscription plain = sub.subscribe("foo");
            Subscription queued = sub.subscribe("foo", "q");
            Subscription traces = pub.subscribe("trace.dest");
            sub.flush(WAIT);
            pub.flush(WAIT);
            publish(pub, "foo", "Nats-Trace-Dest", "trace.dest", "X-App", "y");

            assertNotNull(plain.nextMessage(WAIT), "delivered as usual");
            assertNotNull(queued.nextMessage(WAIT));
            JsonNode ev = event(traces);
            assertFalse(ev.path("server").path("name").asText().isEmpty(), ev.toString());
            assertEquals("[\"trace.dest\"]", ev.path("request").path("header").path("Nats-Trace-Dest").toString());
            assertEquals("[\"y\"]", ev.path("request").path("header").path("X-App").toString());
            assertTrue(ev.path("request").path("msgsize").asInt() > 5, "headers and payload: " + ev);
            JsonNode in = ev.path("events").get(0);
            assertEquals("in", in.path("type").asText());
            assertEquals(0, in.path("kind").asInt());
            assertEquals(pub.getServerInfo().getClientId(), in.path("cid").asInt());
            assertEquals("pub", in.path("name").asText());
            assertEquals("$G", in.path("acc").asText());
            assertEquals("foo", in.path("subj").asText());
            assertFalse(in.path("ts").asText().isEmpty());

            List<JsonNode> eg = ofType(ev, "eg");
            assertEquals(2, eg.size(), ev.toString());
            for (JsonNode e : eg) {
                assertEquals(sub.getServerInfo().getClientId(), e.path("cid").asInt());
                assertEquals("sub-a", e.path("name").asText());
                assertEquals("foo", e.path("sub").asText());
                assertTrue(e.path("error").isMissingNode(), e.toString());
                assertTrue(e.path("acc").isMissingNode(), "same account as the ingress");
            }
            assertEquals(1, eg.stream().filter(e -> "q".equals(e.path("queue").asText())).count());
        }
    }

    @Test
    void traceOnlyListsSubscribersButDeliversToNobodyAndStoresNothing() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection sub = connect(s, "sub", true);
             Connection pub = connect(s, "pub", true)) {
            pub.jetStreamManagement().addStream(StreamConfiguration.builder().name("S").subjects("foo")
                    .storageType(StorageType.Memory).build());
            Subscription plain = sub.subscribe("foo");
            Subscription traces = pub.subscribe("trace.dest");
            sub.flush(WAIT);
            pub.flush(WAIT);
            publish(pub, "foo", "Nats-Trace-Dest", "trace.dest", "Nats-Trace-Only", "true");
            JsonNode ev = event(traces);
            assertEquals(1, ofType(ev, "eg").size(), ev.toString());
            assertEquals("foo", ofType(ev, "eg").get(0).path("sub").asText());

            publish(pub, "foo"); // an untraced message after it, which is delivered and stored
            Message first = plain.nextMessage(WAIT);
            assertNotNull(first);
            assertNull(first.getHeaders() == null ? null : first.getHeaders().getFirst("Nats-Trace-Only"),
                    "the trace-only message was not delivered");
            assertEquals(1, pub.jetStreamManagement().getStreamInfo("S").getStreamState().getMsgCount(),
                    "only the untraced message is stored");
        }
    }

    @Test
    void noEchoMappingsAndImportsAppearInTheEvent() throws Exception {
        String conf = "accounts {\n"
                + "  A: { users: [{user: a, password: a}], exports: [{service: \"svc.>\"}, {stream: \"feed.>\"}],\n"
                + "       mappings: { \"old.*\": \"new.$1\" } }\n"
                + "  B: { users: [{user: b, password: b}], imports: [{service: {account: A, subject: \"svc.>\"}},\n"
                + "       {stream: {account: A, subject: \"feed.>\"}, prefix: \"in\"}] }\n"
                + "}\n";
        try (TestServer s = TestServer.start(Impl.JNATSD, conf);
             Connection a = Nats.connect(new Options.Builder().server(s.url()).userInfo("a", "a").noEcho().build());
             Connection b = Nats.connect(new Options.Builder().server(s.url()).userInfo("b", "b").build())) {
            Subscription traces = a.subscribe("trace.a");
            Subscription own = a.subscribe("new.x");
            Subscription svc = a.subscribe("svc.do");
            Subscription feed = b.subscribe("in.feed.1");
            Subscription btraces = b.subscribe("trace.b");
            a.flush(WAIT);
            b.flush(WAIT);

            publish(a, "old.x", "Nats-Trace-Dest", "trace.a");
            JsonNode ev = event(traces);
            assertEquals("new.x", ofType(ev, "sm").get(0).path("to").asText(), ev.toString());
            JsonNode eg = ofType(ev, "eg").get(0);
            assertEquals("new.x", eg.path("sub").asText());
            assertEquals("Not delivered because of no echo", eg.path("error").asText());
            assertNull(own.nextMessage(Duration.ofMillis(200)), "no echo");

            publish(a, "feed.1", "Nats-Trace-Dest", "trace.a");
            ev = event(traces);
            JsonNode se = ofType(ev, "se").get(0);
            assertEquals("B", se.path("acc").asText());
            assertEquals("in.feed.1", se.path("to").asText());
            assertEquals("B", ofType(ev, "eg").get(0).path("acc").asText(), "a subscriber of another account");
            assertNotNull(feed.nextMessage(WAIT));

            publish(b, "svc.do", "Nats-Trace-Dest", "trace.b");
            ev = event(btraces);
            JsonNode si = ofType(ev, "si").get(0);
            assertEquals("A", si.path("acc").asText());
            assertEquals("svc.do", si.path("from").asText());
            assertEquals("svc.do", si.path("to").asText());
            assertEquals("A", ofType(ev, "eg").get(0).path("acc").asText());
            assertNotNull(svc.nextMessage(WAIT));
        }
    }

    @Test
    void destinationsThatCannotBeUsedAreRefusedAsUpstream() throws Exception {
        String conf = "authorization { users: [{user: u, password: p, permissions: {publish: [\"foo\"], subscribe: \">\"}}] }\n";
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); RawClient raw = s.raw()) {
            String connect = "CONNECT {\"verbose\":false,\"headers\":true,\"user\":\"u\",\"pass\":\"p\"}\r\nSUB foo 1\r\nSUB > 2\r\n";
            String denied = hpub("foo", "Nats-Trace-Dest: not.allowed\r\n");
            assertEquals("-ERR 'Permissions Violation for Publish to \"not.allowed\"'", raw.untilPong(connect + denied),
                    "refused, and the message not delivered");
            String invalid = hpub("foo", "Nats-Trace-Dest: bad.*\r\nNats-Trace-Only: 1\r\n");
            assertEquals("", raw.untilPong(invalid), "trace-only with an invalid destination: dropped");
            String disabled = hpub("foo", "Nats-Trace-Dest: trace disabled\r\n");
            assertTrue(raw.untilPong(disabled).contains("HMSG foo 1 "), "tracing turned off: a plain message");
        }
        try (TestServer s = TestServer.start(Impl.JNATSD, conf);
             Connection c = Nats.connect(new Options.Builder().server(s.url()).userInfo("u", "p").build())) {
            Subscription traces = c.subscribe("foo");
            c.flush(WAIT);
            publish(c, "bar", "Nats-Trace-Dest", "foo");
            JsonNode in = event(traces).path("events").get(0);
            assertEquals("Permissions Violation for Publish to \"bar\"", in.path("error").asText(),
                    "a refused publish is traced with the reason");
        }
    }

    private static String hpub(String subject, String headerLines) {
        String h = "NATS/1.0\r\n" + headerLines + "\r\n";
        return "HPUB " + subject + " " + h.length() + " " + (h.length() + 2) + "\r\n" + h + "hi\r\n";
    }

    /** Other servers do not trace, so a trace-only message stays on the server it entered. */
    @Test
    void aTraceOnlyMessageIsNotForwardedToOtherServers() throws Exception {
        try (io.jnatsd.server.testing.TestCluster cluster = io.jnatsd.server.testing.TestCluster.start(Impl.JNATSD, Impl.JNATSD);
             Connection pub = cluster.connect(0); Connection remote = cluster.connect(1)) {
            cluster.awaitMesh(WAIT);
            Subscription far = remote.subscribe("foo");
            Subscription traces = pub.subscribe("trace.dest");
            io.jnatsd.server.testing.TestCluster.awaitInterest(pub, remote);
            pub.flush(WAIT);
            publish(pub, "foo", "Nats-Trace-Dest", "trace.dest", "Nats-Trace-Only", "on");
            assertTrue(ofType(event(traces), "eg").isEmpty(), "no local subscriber");
            publish(pub, "foo", "Nats-Trace-Dest", "trace.dest");
            Message m = far.nextMessage(WAIT);
            assertNotNull(m);
            assertNull(m.getHeaders().getFirst("Nats-Trace-Only"), "the first delivery is the second, traced message");
        }
    }
}
