package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.RawClient;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A push consumer's delivery is not held back behind the publisher's ack: a client that
 * publishes, gets its ack and then looks at its subscription finds the message there (jnatsd
 * sends it before the ack on the same connection; upstream's arrives within a bound), and
 * deliveries keep the stream's order however publishes and delivery runs interleave.
 */
class JetStreamDeliveryPromptnessTest {
    @TempDir
    Path dir;

    /** One frame read: a MSG's subject and sid (or "+ack" for the publish ack), and its payload. */
    private record Frame(String sid, String subject, String payload) {}

    private static Frame next(RawClient raw) throws IOException {
        String line;
        do {
            line = raw.readLine();
            assertNotNull(line, "connection closed");
        } while (line.equals("PING") || line.equals("PONG"));
        String[] f = line.split(" ");
        assertEquals("MSG", f[0], line);
        int size = Integer.parseInt(f[f.length - 1]);
        String payload = new String(raw.readBytes(size), StandardCharsets.UTF_8);
        raw.readBytes(2);
        return new Frame(f[2], f[1], payload);
    }

    private static void setUp(TestServer s, RawClient raw) throws Exception {
        try (Connection c = Nats.connect(s.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.*").build());
        }
        raw.connect(null);
        raw.send("SUB deliver.me 1\r\nSUB ack 2\r\nSUB api 3\r\n");
        String body = "{\"stream_name\":\"ORDERS\",\"config\":{\"durable_name\":\"PUSH\",\"deliver_subject\":\"deliver.me\","
                + "\"ack_policy\":\"none\"}}";
        raw.send("PUB $JS.API.CONSUMER.DURABLE.CREATE.ORDERS.PUSH api " + body.length() + "\r\n" + body + "\r\n");
        Frame created = next(raw);
        assertTrue(created.payload().contains("\"name\":\"PUSH\""), created.payload());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void theDeliveryIsThereWhenThePublishAckArrives(Impl impl) throws Exception {
        try (TestServer s = TestServer.startJetStream(impl, dir); RawClient raw = s.raw()) {
            setUp(s, raw);
            int ahead = 0;
            for (int i = 1; i <= 200; i++) {
                raw.send("PUB orders.x ack " + String.valueOf(i).length() + "\r\n" + i + "\r\n");
                Frame first = next(raw);
                Frame second = next(raw); // the other of delivery and ack; a late delivery fails the read's 5 s bound
                Frame delivery = first.sid().equals("1") ? first : second;
                Frame ack = first.sid().equals("2") ? first : second;
                assertEquals("1", delivery.sid());
                assertEquals("orders.x", delivery.subject());
                assertEquals(String.valueOf(i), delivery.payload());
                assertTrue(ack.payload().contains("\"seq\":" + i), ack.payload());
                if (first == delivery) ahead++;
            }
            // jnatsd delivers on the appending thread, into the same flush as the ack
            if (impl == Impl.JNATSD) assertEquals(200, ahead, "deliveries sent before their acks");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pipelinedPublishesAreDeliveredInStreamOrder(Impl impl) throws Exception {
        try (TestServer s = TestServer.startJetStream(impl, dir); RawClient raw = s.raw()) {
            setUp(s, raw);
            StringBuilder burst = new StringBuilder();
            int n = 2000;
            for (int i = 1; i <= n; i++) burst.append("PUB orders.x ack ").append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\n");
            raw.send(burst.toString());
            int delivered = 0;
            int acked = 0;
            while (delivered < n || acked < n) {
                Frame f = next(raw);
                if (f.sid().equals("1")) assertEquals(String.valueOf(++delivered), f.payload(), "deliveries in stream order");
                else assertTrue(f.payload().contains("\"seq\":" + ++acked), f.payload());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void anEphemeralGoesItsInactiveThresholdAfterItsSubscriberLeaves(Impl impl) throws Exception {
        try (TestServer s = TestServer.startJetStream(impl, dir); RawClient raw = s.raw(); Connection c = Nats.connect(s.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.*").build());
            raw.connect(null);
            raw.send("SUB deliver.eph 1\r\nSUB api 2\r\n");
            String body = "{\"stream_name\":\"ORDERS\",\"config\":{\"name\":\"EPH\",\"deliver_subject\":\"deliver.eph\","
                    + "\"ack_policy\":\"none\",\"inactive_threshold\":500000000}}";
            raw.send("PUB $JS.API.CONSUMER.CREATE.ORDERS.EPH api " + body.length() + "\r\n" + body + "\r\n");
            Frame created = next(raw);
            assertTrue(created.payload().contains("\"name\":\"EPH\""), created.payload());
            raw.send("UNSUB 1\r\n");
            raw.untilPong();
            long left = System.nanoTime();
            assertEquals("EPH", TestServer.consumerInfo(c, "ORDERS", "EPH").getName(), "kept within its threshold");
            TestServer.await(5000, () -> {
                try {
                    c.jetStreamManagement().getConsumerInfo("ORDERS", "EPH");
                    return false;
                } catch (io.nats.client.JetStreamApiException gone) {
                    return gone.getApiErrorCode() == 10014;
                } catch (IOException e) {
                    return false;
                }
            });
            assertTrue(System.nanoTime() - left >= 500_000_000L, "not deleted before its threshold");
        }
    }
}
