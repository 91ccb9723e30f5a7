package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
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
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subject delete markers (2.11, ADR-43): {@code subject_delete_marker_ttl}, the marker left when
 * max_age or a message's TTL takes the last message of a subject, and the config rules. Upstream
 * 2.9.10 has no markers, so this runs against jnatsd only; the expected behaviour and texts are
 * upstream's at 2.12.
 */
class JetStreamSubjectDeleteMarkersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode request(Connection c, String subject, String body) throws Exception {
        Message m = c.request(subject, bytes(body), Duration.ofSeconds(5));
        assertNotNull(m, "no answer to " + subject);
        return JSON.readTree(m.getData());
    }

    private static String error(JsonNode r) {
        JsonNode e = r.path("error");
        return e.isMissingNode() ? "" : e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    /** The last message of {@code subject}, or null when it has none. */
    private static MessageInfo last(JetStreamManagement jsm, String stream, String subject) {
        try {
            return jsm.getLastMessage(stream, subject);
        } catch (io.nats.client.JetStreamApiException notFound) {
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageInfo awaitMarker(JetStreamManagement jsm, String stream, String subject) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            MessageInfo m = last(jsm, stream, subject);
            if (m != null && m.getHeaders() != null && m.getHeaders().getFirst("Nats-Marker-Reason") != null) return m;
            Thread.sleep(20);
        }
        throw new AssertionError("no marker on " + subject);
    }

    @Test
    void maxAgeLeavesOneMarkerPerSubjectWhichExpiresInItsTurn() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamInfo created = jsm.addStream(StreamConfiguration.builder().name("SDM").subjects("sdm.>")
                    .maxAge(Duration.ofSeconds(1)).subjectDeleteMarkerTtl(Duration.ofSeconds(1)).build());
            // markers are TTL'd roll-ups: the stream allows both without being asked
            assertTrue(created.getConfiguration().isAllowMessageTtl());
            assertTrue(created.getConfiguration().getAllowRollup());
            assertEquals(Duration.ofSeconds(1), created.getConfiguration().getSubjectDeleteMarkerTtl());
            JetStream js = c.jetStream();
            js.publish("sdm.a", bytes("a1"));
            js.publish("sdm.a", bytes("a2"));
            js.publish("sdm.b", bytes("b1"));

            MessageInfo markerA = awaitMarker(jsm, "SDM", "sdm.a");
            assertEquals("MaxAge", markerA.getHeaders().getFirst("Nats-Marker-Reason"));
            assertEquals("1s", markerA.getHeaders().getFirst("Nats-TTL"));
            assertEquals("sub", markerA.getHeaders().getFirst("Nats-Rollup"));
            assertEquals(0, markerA.getData() == null ? 0 : markerA.getData().length);
            MessageInfo markerB = awaitMarker(jsm, "SDM", "sdm.b");
            // one marker per subject, after the three messages: sequences 4 and 5
            assertEquals(9, markerA.getSeq() + markerB.getSeq());
            // a marker going does not leave another: the stream empties
            TestServer.await(10_000, () -> {
                try {
                    return jsm.getStreamInfo("SDM").getStreamState().getMsgCount() == 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(5, jsm.getStreamInfo("SDM").getStreamState().getLastSequence());
        }
    }

    @Test
    void anExpiredTtlLeavesAMarkerAndShorterTtlsAreRaisedToTheMarkers() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("TTLM").subjects("ttlm.>").allowMessageTtl()
                    .subjectDeleteMarkerTtl(Duration.ofSeconds(2)).build());
            JetStream js = c.jetStream();
            long seq = js.publish("ttlm.k", bytes("v"), PublishOptions.builder().messageTtlSeconds(1).build()).getSeqno();
            // the stored TTL is the markers' 2s, in seconds, in place of the publisher's
            assertEquals("2", jsm.getMessage("TTLM", seq).getHeaders().getFirst("Nats-TTL"));
            js.publish("ttlm.keep", bytes("stays"), PublishOptions.builder().messageTtlSeconds(60).build());
            assertEquals("60s", jsm.getLastMessage("TTLM", "ttlm.keep").getHeaders().getFirst("Nats-TTL"));
            MessageInfo marker = awaitMarker(jsm, "TTLM", "ttlm.k");
            assertEquals("MaxAge", marker.getHeaders().getFirst("Nats-Marker-Reason"));
            assertEquals("2s", marker.getHeaders().getFirst("Nats-TTL"));
            assertEquals(3, marker.getSeq());
        }
    }

    @Test
    void aMessageDueWhileTheServerWasDownStillLeavesAMarker() throws Exception {
        Path store = Files.createDirectories(dir.resolve("sdm-restart"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("R").subjects("r.>")
                    .maxAge(Duration.ofMillis(500)).subjectDeleteMarkerTtl(Duration.ofSeconds(30)).build());
            c.jetStream().publish("r.x", bytes("x"));
        }
        Thread.sleep(600); // let the message be due by the time the store opens
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertEquals(Duration.ofSeconds(30), jsm.getStreamInfo("R").getConfiguration().getSubjectDeleteMarkerTtl());
            MessageInfo marker = awaitMarker(jsm, "R", "r.x");
            assertEquals(2, marker.getSeq());
            assertEquals("30s", marker.getHeaders().getFirst("Nats-TTL"));
        }
    }

    @Test
    void aSubjectPublishedAgainBeforeItsMarkerKeepsTheNewMessage() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("NEW").subjects("new.>")
                    .maxAge(Duration.ofSeconds(1)).subjectDeleteMarkerTtl(Duration.ofSeconds(5)).build());
            JetStream js = c.jetStream();
            js.publish("new.a", bytes("old"));
            MessageInfo marker = awaitMarker(jsm, "NEW", "new.a");
            // publishing again after the marker: the marker is rolled past, the new message stays
            long seq = js.publish("new.a", bytes("new")).getSeqno();
            assertEquals(marker.getSeq() + 1, seq);
            assertNull(jsm.getLastMessage("NEW", "new.a").getHeaders());
        }
    }

    @Test
    void configurationsUpstreamRefuses() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            String[][] cases = {
                {"STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"subject_delete_marker_ttl\":500000000}",
                    "500 10052 subject delete marker TTL must be at least 1 second"},
                {"STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"subject_delete_marker_ttl\":-1}",
                    "500 10052 subject delete marker TTL must not be negative"},
                {"STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"subject_delete_marker_ttl\":1000000000,\"deny_purge\":true}", ""},
                {"STREAM.CREATE.O", "{\"name\":\"O\",\"subjects\":[\"o\"]}", ""},
                {"STREAM.CREATE.M", "{\"name\":\"M\",\"mirror\":{\"name\":\"O\"},\"subject_delete_marker_ttl\":1000000000}",
                    "500 10052 subject delete markers forbidden on mirrors"},
                {"STREAM.UPDATE.A", "{\"name\":\"A\",\"subjects\":[\"a\"]}", "500 10052 message TTL status can not be disabled"},
            };
            for (String[] k : cases) assertEquals(k[2], error(request(c, "$JS.API." + k[0], k[1])), k[1]);
            JsonNode info = request(c, "$JS.API.STREAM.INFO.A", "").path("config");
            assertEquals(1_000_000_000L, info.path("subject_delete_marker_ttl").asLong());
            assertTrue(info.path("allow_msg_ttl").asBoolean());
            assertTrue(info.path("allow_rollup_hdrs").asBoolean());
            assertEquals(false, info.path("deny_purge").asBoolean());
            // a stream without markers does not show the field
            assertTrue(request(c, "$JS.API.STREAM.INFO.O", "").path("config").path("subject_delete_marker_ttl").isMissingNode());
        }
    }
}
