package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.ServerPair;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Publish and subscribe permissions, queue-scoped entries and allow_responses, as upstream enforces them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PermissionsTest {
    private static final String CONF = """
            authorization {
              users: [
                {user: a, password: a, permissions: {
                   publish: {allow: ["foo.>", "req.*"], deny: ["foo.secret"]},
                   subscribe: {allow: ["foo.>", "q.* v1", "both", "both g1"], deny: ["foo.hidden", "q.x v1"]}
                }},
                {user: svc, password: svc, permissions: {publish: "nothing", subscribe: "svc", allow_responses: true}},
                {user: any, password: any}
              ]
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

    private TestServer server(Impl impl) {
        return servers.get(impl);
    }

    static Stream<Arguments> cases() {
        Object[][] table = {
            {"PUB foo.secret 0\r\n\r\n", "-ERR 'Permissions Violation for Publish to \"foo.secret\"'"},
            {"PUB foo.ok 0\r\n\r\n", ""},
            {"PUB bar 0\r\n\r\n", "-ERR 'Permissions Violation for Publish to \"bar\"'"},
            {"SUB foo.* 1\r\n", ""},
            {"SUB foo.> 1\r\n", ""},
            {"SUB > 1\r\n", "-ERR 'Permissions Violation for Subscription to \">\"'"},
            {"SUB foo.hidden 1\r\n", "-ERR 'Permissions Violation for Subscription to \"foo.hidden\"'"},
            {"SUB q.a 1\r\n", "-ERR 'Permissions Violation for Subscription to \"q.a\"'"},
            {"SUB q.a v1 1\r\n", ""},
            {"SUB q.a v2 1\r\n", "-ERR 'Permissions Violation for Subscription to \"q.a\" using queue \"v2\"'"},
            {"SUB q.x v1 1\r\n", "-ERR 'Permissions Violation for Subscription to \"q.x\" using queue \"v1\"'"},
            {"SUB both 1\r\n", ""},
            {"SUB both g1 1\r\n", ""},
            {"SUB both g2 1\r\n", "-ERR 'Permissions Violation for Subscription to \"both\" using queue \"g2\"'"},
            {"SUB foo.* 1\r\nPUB foo.hidden 1\r\nx\r\nPUB foo.vis 1\r\ny\r\n", "MSG foo.vis 1 1\ny"},
            {"SUB \"foo\" 1\r\n", "-ERR 'Permissions Violation for Subscription to \"\\\"foo\\\"\"'"},
        };
        List<Arguments> args = new ArrayList<>();
        for (Impl impl : Impl.values()) for (Object[] row : table) args.add(Arguments.of(impl, row[0], row[1]));
        return args.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void violationsAreReportedAndTheConnectionStaysOpen(Impl impl, String input, String expected) throws Exception {
        try (RawClient c = server(impl).raw()) {
            assertEquals(expected, c.untilPong("CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"a\",\"pass\":\"a\"}\r\n" + input));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void allowResponsesLetsAServiceAnswerEachRequestOnce(Impl impl) throws Exception {
        TestServer s = server(impl);
        try (RawClient service = s.raw();
             Connection requester = Nats.connect(new Options.Builder().server(s.url()).userInfo("any", "any").build())) {
            assertEquals("", service.untilPong("CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"svc\",\"pass\":\"svc\"}\r\nSUB svc 1\r\n"));
            var reply = requester.request("svc", "ping".getBytes());
            String msgLine = service.readLine();
            String[] parts = msgLine.split(" ");
            assertEquals("MSG", parts[0]);
            String replyTo = parts[3];
            service.readLine(); // payload
            assertEquals("", service.untilPong("PUB " + replyTo + " 4\r\npong\r\n"));
            Message m = reply.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(m);
            assertEquals("pong", new String(m.getData()));
            assertEquals("-ERR 'Permissions Violation for Publish to \"" + replyTo + "\"'",
                    service.untilPong("PUB " + replyTo + " 4\r\nmore\r\n"), "only one response allowed");
            assertEquals("-ERR 'Permissions Violation for Publish to \"other\"'", service.untilPong("PUB other 0\r\n\r\n"));
        }
    }
}
