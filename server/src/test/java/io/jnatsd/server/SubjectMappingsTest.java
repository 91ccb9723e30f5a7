package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code mappings {}} at the top level (global account) and per account, against both servers. */
class SubjectMappingsTest {

    @ParameterizedTest
    @EnumSource(Impl.class)
    void topLevelMappingsRewriteSubjects(Impl impl) throws Exception {
        String conf = "mappings {\n"
                + "  \"orders.*.*\": \"orders.{{wildcard(2)}}.{{wildcard(1)}}\"\n"
                + "  \"old.>\": \"new.>\"\n"
                + "  \"part.*\": \"part.{{partition(3,1)}}.{{wildcard(1)}}\"\n"
                + "  \"legacy.*\": \"modern.$1\"\n"
                + "  \"half\": [{destination: \"half.mapped\", weight: 50%}]\n"
                + "}\n";
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            Subscription all = c.subscribe(">");
            c.flush(Duration.ofSeconds(2));
            c.publish("orders.eu.42", "x".getBytes(StandardCharsets.UTF_8));
            assertEquals("orders.42.eu", all.nextMessage(Duration.ofSeconds(2)).getSubject());
            c.publish("old.a.b", null);
            assertEquals("new.a.b", all.nextMessage(Duration.ofSeconds(2)).getSubject());
            c.publish("legacy.k", null);
            assertEquals("modern.k", all.nextMessage(Duration.ofSeconds(2)).getSubject());
            c.publish("part.foo", null);
            // FNV-1a 32 of "foo" is 0xa9f37ed7 = 2851307223; mod 3 = 0
            assertEquals("part.0.foo", all.nextMessage(Duration.ofSeconds(2)).getSubject());
            int mapped = 0;
            int kept = 0;
            for (int i = 0; i < 200; i++) c.publish("half", null);
            for (int i = 0; i < 200; i++) {
                Message m = all.nextMessage(Duration.ofSeconds(2));
                assertNotNull(m);
                if (m.getSubject().equals("half.mapped")) mapped++;
                else if (m.getSubject().equals("half")) kept++;
            }
            assertEquals(200, mapped + kept);
            assertTrue(mapped > 40 && kept > 40, mapped + " mapped, " + kept + " kept");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountMappingsStayInTheirAccount(Impl impl) throws Exception {
        String conf = "accounts {\n"
                + "  A: { users: [{user: a, password: a}], mappings: { \"in.*\": \"out.$1\" } }\n"
                + "  B: { users: [{user: b, password: b}] }\n"
                + "}\n";
        try (TestServer s = TestServer.start(impl, conf);
             Connection a = Nats.connect(new Options.Builder().server(s.url()).userInfo("a", "a").build());
             Connection b = Nats.connect(new Options.Builder().server(s.url()).userInfo("b", "b").build())) {
            Subscription subA = a.subscribe(">");
            Subscription subB = b.subscribe(">");
            a.flush(Duration.ofSeconds(2));
            b.flush(Duration.ofSeconds(2));
            a.publish("in.x", null);
            b.publish("in.x", null);
            assertEquals("out.x", subA.nextMessage(Duration.ofSeconds(2)).getSubject());
            assertEquals("in.x", subB.nextMessage(Duration.ofSeconds(2)).getSubject());
            assertNull(subA.nextMessage(Duration.ofMillis(200)));
        }
    }
}
