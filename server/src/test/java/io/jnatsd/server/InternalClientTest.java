package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Internal services use the ordinary subscribe/publish path (no side doors). */
class InternalClientTest {
    @Test
    void anInternalServiceAnswersRequestsAndPublishesWithHeaders() throws Exception {
        var executor = Executors.newSingleThreadExecutor();
        try (NatsServer server = NatsServer.builder().port(0).start();
             Connection c = Nats.connect(server.clientUrl())) {
            InternalClient svc = new InternalClient("test", ConnectionKind.SYSTEM, executor);
            var account = server.accounts().global();
            svc.subscribe(account, "svc.upper", null, (sub, msg) -> svc.publish(account, msg.reply(), null, null,
                    new String(msg.payload(), StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8)));
            Message reply = c.request("svc.upper", "hello".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
            assertNotNull(reply);
            assertEquals("HELLO", new String(reply.getData(), StandardCharsets.UTF_8));

            Subscription events = c.subscribe("events.x");
            c.flush(Duration.ofSeconds(5));
            svc.publish(account, "events.x", null, "NATS/1.0\r\nK: v\r\n\r\n".getBytes(StandardCharsets.UTF_8),
                    "body".getBytes(StandardCharsets.UTF_8));
            Message m = events.nextMessage(Duration.ofSeconds(5));
            assertEquals("v", m.getHeaders().getFirst("K"));
            assertEquals("body", new String(m.getData(), StandardCharsets.UTF_8));

            svc.subscribe(account, "to.svc", null, (sub, msg) -> svc.publish(account, "echo.back", null, msg.headers(), msg.payload()));
            Subscription back = c.subscribe("echo.back");
            c.flush(Duration.ofSeconds(5));
            c.publish(NatsMessage.builder().subject("to.svc").headers(new Headers().add("H", "1"))
                    .data("p".getBytes(StandardCharsets.UTF_8)).build());
            Message echoed = back.nextMessage(Duration.ofSeconds(5));
            assertEquals("1", echoed.getHeaders().getFirst("H"));
            assertEquals("p", new String(echoed.getData(), StandardCharsets.UTF_8));
        } finally {
            executor.shutdownNow();
        }
    }
}
