package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * rate_limit_bps and sample_freq, which upstream 2.9.10 has too: the same tests run against both.
 */
class JetStreamRateLimitAndSamplingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Impl.class)
    void rateLimitThrottlesPushDelivery(Impl impl) throws Exception {
        int burst = 1000; // the stream's max_msg_size is the bucket's depth
        long bytesPerSecond = 10_000;
        int count = 20;
        try (TestServer s = TestServer.startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("R").subjects("r").storageType(StorageType.Memory)
                    .maximumMessageSize(burst).build());
            JetStream js = c.jetStream();
            byte[] payload = new byte[500];
            Arrays.fill(payload, (byte) 'x');
            for (int i = 0; i < count; i++) js.publish("r", payload);
            Subscription sub = c.subscribe("dlv.rate");
            c.flush(Duration.ofSeconds(1));

            long start = System.nanoTime();
            jsm.addOrUpdateConsumer("R", ConsumerConfiguration.builder().durable("slow").deliverSubject("dlv.rate")
                    .ackPolicy(AckPolicy.None).rateLimit(bytesPerSecond * 8).build());
            long bytes = 0;
            for (int i = 0; i < count; i++) {
                Message m = sub.nextMessage(Duration.ofSeconds(10));
                assertNotNull(m, "message " + i + " arrives");
                // what the limit counts: subject, ack reply, headers and payload
                bytes += m.getSubject().length() + m.getReplyTo().length() + m.getData().length;
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            long boundMillis = (bytes - burst) * 1000 / bytesPerSecond;
            assertTrue(bytes > 10 * burst, "enough bytes to measure: " + bytes);
            assertTrue(elapsedMillis >= boundMillis, "delivering " + bytes + " bytes at " + bytesPerSecond
                    + " B/s after a " + burst + " B burst takes at least " + boundMillis + " ms, took " + elapsedMillis);
            assertTrue(elapsedMillis < boundMillis + 3000, "and not much longer: " + elapsedMillis + " ms");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sampledAcksPublishMetrics(Impl impl) throws Exception {
        try (TestServer s = TestServer.startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("SF").subjects("sf").storageType(StorageType.Memory).build());
            JetStream js = c.jetStream();
            for (int i = 0; i < 3; i++) js.publish("sf", TestServer.bytes("m" + i));
            jsm.addOrUpdateConsumer("SF", ConsumerConfiguration.builder().durable("all").ackPolicy(AckPolicy.Explicit)
                    .sampleFrequency("100%").build());
            jsm.addOrUpdateConsumer("SF", ConsumerConfiguration.builder().durable("none").ackPolicy(AckPolicy.Explicit)
                    .build());
            jsm.addOrUpdateConsumer("SF", ConsumerConfiguration.builder().durable("zero").ackPolicy(AckPolicy.Explicit)
                    .sampleFrequency("0").build());
            Subscription metrics = c.subscribe("$JS.EVENT.METRIC.CONSUMER.ACK.SF.*");
            c.flush(Duration.ofSeconds(1));

            for (String unsampled : List.of("none", "zero")) {
                JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("SF", unsampled));
                for (Message m : sub.fetch(3, Duration.ofSeconds(2))) m.ackSync(Duration.ofSeconds(2));
            }
            assertNull(metrics.nextMessage(Duration.ofMillis(300)), "no sample_freq, or 0: no metrics");

            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("SF", "all"));
            List<Message> got = sub.fetch(3, Duration.ofSeconds(2));
            assertEquals(3, got.size());
            for (int i = 0; i < 3; i++) {
                got.get(i).ackSync(Duration.ofSeconds(2));
                Message metric = metrics.nextMessage(Duration.ofSeconds(2));
                assertNotNull(metric, "one metric per ack at 100%");
                assertEquals("$JS.EVENT.METRIC.CONSUMER.ACK.SF.all", metric.getSubject());
                JsonNode e = JSON.readTree(metric.getData());
                assertEquals("io.nats.jetstream.metric.v1.consumer_ack", e.get("type").asText());
                assertEquals("SF", e.get("stream").asText());
                assertEquals("all", e.get("consumer").asText());
                assertEquals(i + 1, e.get("consumer_seq").asLong());
                assertEquals(i + 1, e.get("stream_seq").asLong());
                assertEquals(1, e.get("deliveries").asLong());
                assertTrue(e.get("ack_time").asLong() > 0, "ack_time in ns since delivery");
                assertTrue(e.has("id") && e.has("timestamp"));
                assertNull(e.get("domain"), "no domain configured");
            }
            assertNull(metrics.nextMessage(Duration.ofMillis(200)), "exactly one per ack");
        }
    }
}
