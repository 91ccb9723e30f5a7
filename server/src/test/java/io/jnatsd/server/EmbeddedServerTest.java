package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The embedding API: one builder call gives a running server on a free port. */
class EmbeddedServerTest {
    @Test
    void startsOnAFreePortServesClientsAndStops() throws Exception {
        int port;
        try (NatsServer server = NatsServer.builder().port(0).host("127.0.0.1").start()) {
            port = server.port();
            assertNotEquals(0, port);
            assertTrue(server.isRunning());
            try (Connection c = Nats.connect(server.clientUrl())) {
                Subscription s = c.subscribe("embedded");
                c.publish("embedded", "hi".getBytes(StandardCharsets.UTF_8));
                Message m = s.nextMessage(Duration.ofSeconds(5));
                assertEquals("hi", new String(m.getData(), StandardCharsets.UTF_8));
                assertEquals(1, server.connectionCount());
            }
        }
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(), "port released");
    }

    @Test
    void twoServersRunSideBySide() throws Exception {
        try (NatsServer a = NatsServer.builder().port(0).start(); NatsServer b = NatsServer.builder().port(0).start()) {
            assertNotEquals(a.port(), b.port());
            assertNotEquals(a.serverId(), b.serverId());
        }
    }

    @Test
    void aRestartedServerCanBindThePortJustReleased() throws Exception {
        NatsServer first = NatsServer.builder().port(0).host("127.0.0.1").start();
        int port = first.port();
        try (Connection c = Nats.connect(first.clientUrl())) {
            c.flush(Duration.ofSeconds(5));
            first.close();
            assertFalse(first.isRunning());
        }
        try (NatsServer second = NatsServer.builder().port(port).host("127.0.0.1").start()) {
            assertEquals(port, second.port());
        }
    }
}
