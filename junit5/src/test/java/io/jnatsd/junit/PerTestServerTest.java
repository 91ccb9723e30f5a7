package io.jnatsd.junit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** A fresh JetStream server per test: the previous one is stopped and its store removed. */
@Jnatsd(jetStream = true, perTest = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerTestServerTest {
    private static NatsServer first;
    private static Path firstStore;

    @Test
    @Order(1)
    void jetStreamIsOn(NatsServer server, @JnatsdUrl String url) throws Exception {
        try (Connection nc = Nats.connect(url)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            assertNotNull(jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>").build()));
            nc.jetStream().publish("orders.1", new byte[] {1});
        }
        first = server;
        firstStore = Path.of(server.options().storeDir);
        assertTrue(Files.isDirectory(firstStore));
    }

    @Test
    @Order(2)
    void theNextTestHasItsOwnServer(NatsServer server, @JnatsdUrl String url) throws Exception {
        assertNotEquals(first, server);
        assertFalse(first.isRunning(), "the first test's server stopped with it");
        assertFalse(Files.exists(firstStore), "and its store is gone");
        try (Connection nc = Nats.connect(url)) {
            assertTrue(nc.jetStreamManagement().getStreamNames().isEmpty(), "a fresh store");
        }
    }
}
