package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.ServerPair;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Accounts: isolation, stream and service imports, response routing, account limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONF = """
            accounts {
              A: { users: [{user: a, password: a}], imports: [
                     {stream: {account: B, subject: "events.>"}, prefix: "b"},
                     {service: {account: B, subject: "help"}, to: "b.help"},
                     {service: {account: B, subject: "feed"}} ] }
              B: { users: [{user: b, password: b}], exports: [
                     {stream: "events.>"}, {service: "help"}, {service: "feed", response_type: stream} ] }
              C: { users: [{user: c, password: c}], limits: {max_connections: 1} }
            }
            """;
    private ServerPair servers;

    @BeforeAll
    void start() throws Exception {
        servers = ServerPair.start(CONF);
    }

    @AfterAll
    void stop() throws Exception {
        servers.close();
    }

    private Connection connect(Impl impl, String user) throws Exception {
        TestServer s = servers.get(impl);
        return Nats.connect(new Options.Builder().server(s.url()).userInfo(user, user).build());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountsUsingTheSameSubjectNeverSeeEachOthersMessages(Impl impl) throws Exception {
        try (Connection a = connect(impl, "a"); Connection b = connect(impl, "b")) {
            Subscription sa = a.subscribe("shared.subject");
            Subscription sb = b.subscribe("shared.subject");
            a.flush(WAIT);
            b.flush(WAIT);
            a.publish("shared.subject", "from-a".getBytes(StandardCharsets.UTF_8));
            b.publish("shared.subject", "from-b".getBytes(StandardCharsets.UTF_8));
            assertEquals("from-a", new String(sa.nextMessage(WAIT).getData(), StandardCharsets.UTF_8));
            assertEquals("from-b", new String(sb.nextMessage(WAIT).getData(), StandardCharsets.UTF_8));
            a.flush(WAIT);
            b.flush(WAIT);
            assertNull(sa.nextMessage(Duration.ofMillis(200)));
            assertNull(sb.nextMessage(Duration.ofMillis(200)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void streamImportDeliversWithItsPrefix(Impl impl) throws Exception {
        try (Connection a = connect(impl, "a"); Connection b = connect(impl, "b")) {
            Subscription imported = a.subscribe("b.events.>");
            Subscription unprefixed = a.subscribe("events.>");
            a.flush(WAIT);
            b.publish("events.order.created", "o1".getBytes(StandardCharsets.UTF_8));
            b.publish("other.thing", "x".getBytes(StandardCharsets.UTF_8));
            Message m = imported.nextMessage(WAIT);
            assertEquals("b.events.order.created", m.getSubject());
            assertEquals("o1", new String(m.getData(), StandardCharsets.UTF_8));
            b.flush(WAIT);
            assertNull(imported.nextMessage(Duration.ofMillis(200)), "only exported subjects cross");
            assertNull(unprefixed.nextMessage(Duration.ofMillis(100)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void serviceImportAnswersRequestsAcrossAccounts(Impl impl) throws Exception {
        try (Connection a = connect(impl, "a"); Connection b = connect(impl, "b")) {
            b.createDispatcher(msg -> b.publish(msg.getReplyTo(),
                    ("answer:" + new String(msg.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)))
                    .subscribe("help");
            b.flush(WAIT);
            for (int i = 0; i < 5; i++) {
                Message reply = a.request("b.help", ("q" + i).getBytes(StandardCharsets.UTF_8), WAIT);
                assertEquals("answer:q" + i, new String(reply.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * A response that itself carries a reply subject (a responder asking the requester back) gets
     * that reply mapped into the importing account, and the requester's answer crosses back to
     * the responder's subject; the requester never sees the exporting account's own subject.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void aResponseWithAReplyIsAnsweredAcrossTheImportToo(Impl impl) throws Exception {
        try (Connection a = connect(impl, "a"); Connection b = connect(impl, "b")) {
            Subscription followUps = b.subscribe("b.followup");
            b.createDispatcher(msg -> b.publish(msg.getReplyTo(), "b.followup", "need more".getBytes(StandardCharsets.UTF_8)))
                    .subscribe("help");
            b.flush(WAIT);
            Subscription inbox = a.subscribe("a.inbox");
            a.flush(WAIT);
            a.publish("b.help", "a.inbox", "question".getBytes(StandardCharsets.UTF_8));
            Message response = inbox.nextMessage(WAIT);
            assertEquals("need more", new String(response.getData(), StandardCharsets.UTF_8));
            assertTrue(response.getReplyTo() != null && !response.getReplyTo().equals("b.followup"),
                    "reply mapped into account A: " + response.getReplyTo());
            a.publish(response.getReplyTo(), "more".getBytes(StandardCharsets.UTF_8));
            Message followUp = followUps.nextMessage(WAIT);
            assertEquals("more", new String(followUp.getData(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void streamResponseTypeCarriesSeveralResponses(Impl impl) throws Exception {
        try (Connection a = connect(impl, "a"); Connection b = connect(impl, "b")) {
            b.createDispatcher(msg -> {
                for (int i = 0; i < 3; i++) b.publish(msg.getReplyTo(), new byte[] {(byte) i});
            }).subscribe("feed");
            b.flush(WAIT);
            Subscription inbox = a.subscribe("my.inbox");
            a.flush(WAIT);
            a.publish("feed", "my.inbox", new byte[0]);
            for (int i = 0; i < 3; i++) assertEquals(i, inbox.nextMessage(WAIT).getData()[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountConnectionLimit(Impl impl) throws Exception {
        TestServer s = servers.get(impl);
        try (RawClient first = s.raw(); RawClient second = s.raw()) {
            String connect = "CONNECT {\"verbose\":false,\"user\":\"c\",\"pass\":\"c\"}\r\n";
            assertEquals("", first.untilPong(connect));
            assertEquals("-ERR 'maximum account active connections exceeded'\n<closed>", second.untilPong(connect));
        }
    }

    @org.junit.jupiter.api.Test
    void importingWhatIsNotExportedIsAConfigError() {
        String bad = """
                accounts {
                  A: { users: [{user: a, password: a}], imports: [ {stream: {account: B, subject: "nope.>"}} ] }
                  B: { users: [{user: b, password: b}], exports: [ {stream: "events.>"} ] }
                }
                """;
        Exception e = assertThrows(Exception.class, () -> TestServer.start(Impl.JNATSD, bad).close());
        assertTrue(String.valueOf(e.getMessage()).contains("nope.>"), e.getMessage());
    }
}
