package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream and consumer {@code metadata} (2.10), {@code Nats-Expected-Last-Subject-Sequence-Subject}
 * (2.11), and {@code start_time}/{@code no_hdr} on STREAM.MSG.GET and DIRECT.GET (2.11/2.12).
 * Upstream 2.9.10, the version the tests can compare against, has none of these, so they run
 * against jnatsd only; the expected answers are read from upstream's source at 2.12.
 */
class JetStreamMetadataAndGetTest {
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

    private static int apiError(Executable e) {
        return assertThrows(JetStreamApiException.class, e::run).getApiErrorCode();
    }

    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    @Test
    void streamAndConsumerMetadataAreKeptUpdatedAndSurviveARestart() throws Exception {
        Path store = Files.createDirectories(dir.resolve("meta"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        Map<String, String> meta = new LinkedHashMap<>(Map.of("owner", "team-a", "tier", "gold"));
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            StreamConfiguration cfg = StreamConfiguration.builder().name("META").subjects("meta.>").metadata(meta).build();
            assertEquals(meta, jsm.addStream(cfg).getConfiguration().getMetadata());
            Map<String, String> updated = Map.of("owner", "team-b");
            assertEquals(updated, jsm.updateStream(StreamConfiguration.builder(cfg).metadata(updated).build())
                    .getConfiguration().getMetadata());
            ConsumerConfiguration cc = ConsumerConfiguration.builder().durable("D").metadata(Map.of("purpose", "audit")).build();
            assertEquals(Map.of("purpose", "audit"), jsm.addOrUpdateConsumer("META", cc).getConsumerConfiguration().getMetadata());
            // an update may change a consumer's metadata
            ConsumerConfiguration cc2 = ConsumerConfiguration.builder(cc).metadata(Map.of("purpose", "billing")).build();
            assertEquals(Map.of("purpose", "billing"), jsm.addOrUpdateConsumer("META", cc2).getConsumerConfiguration().getMetadata());
        }
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            assertEquals(Map.of("owner", "team-b"), jsm.getStreamInfo("META").getConfiguration().getMetadata());
            assertEquals(Map.of("purpose", "billing"), jsm.getConsumerInfo("META", "D").getConsumerConfiguration().getMetadata());
            JsonNode raw = request(c, "$JS.API.STREAM.INFO.META", "");
            assertEquals("team-b", raw.path("config").path("metadata").path("owner").asText());
        }
    }

    @Test
    void metadataOverTheLimitIsRefusedWithUpstreamsErrors() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            String big = "v".repeat(128 * 1024 - 1); // key "k" + this: exactly the limit
            assertEquals("", error(request(c, "$JS.API.STREAM.CREATE.M1",
                    "{\"name\":\"M1\",\"subjects\":[\"m1\"],\"metadata\":{\"k\":\"" + big + "\"}}")));
            assertEquals("500 10052 stream metadata exceeds maximum size of 131072 bytes", error(request(c,
                    "$JS.API.STREAM.CREATE.M2", "{\"name\":\"M2\",\"subjects\":[\"m2\"],\"metadata\":{\"k\":\"" + big + "v\"}}")));
            assertEquals("500 10052 stream metadata exceeds maximum size of 131072 bytes", error(request(c,
                    "$JS.API.STREAM.UPDATE.M1", "{\"name\":\"M1\",\"subjects\":[\"m1\"],\"metadata\":{\"kk\":\"" + big + "\"}}")));
            assertEquals("400 10135 consumer metadata exceeds maximum size of 128KB", error(request(c,
                    "$JS.API.CONSUMER.CREATE.M1.C", "{\"stream_name\":\"M1\",\"config\":{\"durable_name\":\"C\","
                            + "\"metadata\":{\"k\":\"" + big + "v\"}}}")));
        }
    }

    @Test
    void expectedLastSubjectSequenceOfAnotherSubjectOrFilter() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("ORD").subjects("ord.>").build());
            JetStream js = c.jetStream();
            js.publish("ord.a.1", bytes("1"));
            js.publish("ord.b.1", bytes("2"));
            js.publish("ord.a.2", bytes("3"));
            // the last message of ord.a.* is 3: a publish on another subject may depend on that
            PublishOptions onA = PublishOptions.builder().expectedLastSubjectSequence(3).expectedLastSubjectSequenceSubject("ord.a.*").build();
            assertEquals(4, js.publish("ord.c", bytes("4"), onA).getSeqno());
            // now ord.a.* still ends at 3, but ord.b.1 ends at 2
            PublishOptions onB = PublishOptions.builder().expectedLastSubjectSequence(3).expectedLastSubjectSequenceSubject("ord.b.1").build();
            JetStreamApiException wrong = assertThrows(JetStreamApiException.class, () -> js.publish("ord.c", bytes("x"), onB));
            assertEquals(10071, wrong.getApiErrorCode());
            assertEquals("wrong last sequence: 2", wrong.getErrorDescription());
            // a subject with no message has last sequence 0
            PublishOptions none = PublishOptions.builder().expectedLastSubjectSequence(0).expectedLastSubjectSequenceSubject("ord.z").build();
            assertEquals(5, js.publish("ord.c", bytes("5"), none).getSeqno());
            // the subject without the sequence is refused
            Headers h = new Headers().add("Nats-Expected-Last-Subject-Sequence-Subject", "ord.a.*");
            JetStreamApiException missing = assertThrows(JetStreamApiException.class,
                    () -> js.publish(NatsMessage.builder().subject("ord.c").headers(h).data(bytes("x")).build()));
            assertEquals(10193, missing.getApiErrorCode());
            assertEquals("missing sequence for expected last sequence per subject", missing.getErrorDescription());
            assertEquals(5, jsm.getStreamInfo("ORD").getStreamState().getLastSequence());
        }
    }

    @Test
    void msgGetByStartTimeAndWithoutHeaders() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("GET").subjects("get.>").allowDirect(true).build());
            JetStream js = c.jetStream();
            Headers h = new Headers().add("X-Kind", "first");
            js.publish(NatsMessage.builder().subject("get.a").headers(h).data(bytes("a1")).build());
            js.publish("get.b", bytes("b1"));
            Instant between = awaitClockPast(jsm.getMessage("GET", 2).getTime().toInstant());
            js.publish("get.a", bytes("a2"));
            js.publish(NatsMessage.builder().subject("get.b").headers(new Headers().add("X-Kind", "last")).data(bytes("b2")).build());

            JsonNode byTime = request(c, "$JS.API.STREAM.MSG.GET.GET", "{\"start_time\":\"" + between + "\"}");
            assertEquals(3, byTime.path("message").path("seq").asLong());
            JsonNode byTimeAndSubject = request(c, "$JS.API.STREAM.MSG.GET.GET",
                    "{\"start_time\":\"" + between + "\",\"next_by_subj\":\"get.b\"}");
            assertEquals(4, byTimeAndSubject.path("message").path("seq").asLong());
            assertTrue(byTimeAndSubject.path("message").has("hdrs"));
            JsonNode bare = request(c, "$JS.API.STREAM.MSG.GET.GET", "{\"seq\":4,\"no_hdr\":true}");
            assertFalse(bare.path("message").has("hdrs"));
            assertArrayEquals(bytes("b2"), Base64.getDecoder().decode(bare.path("message").path("data").asText()));
            JsonNode later = request(c, "$JS.API.STREAM.MSG.GET.GET", "{\"start_time\":\"" + Instant.now().plusSeconds(60) + "\"}");
            assertEquals("404 10037 no message found", error(later));

            // the client's own start-time lookup
            assertEquals(3, jsm.getFirstMessage("GET", java.time.ZonedDateTime.ofInstant(between, java.time.ZoneOffset.UTC)).getSeq());

            // DIRECT.GET: the same lookup, and no_hdr leaves out the stored and the direct-get headers
            Message direct = c.request("$JS.API.DIRECT.GET.GET", bytes("{\"start_time\":\"" + between + "\",\"next_by_subj\":\"get.b\"}"),
                    Duration.ofSeconds(5));
            assertEquals("4", direct.getHeaders().getFirst("Nats-Sequence"));
            assertEquals("last", direct.getHeaders().getFirst("X-Kind"));
            Message directBare = c.request("$JS.API.DIRECT.GET.GET", bytes("{\"seq\":1,\"no_hdr\":true}"), Duration.ofSeconds(5));
            assertNull(directBare.getHeaders());
            assertArrayEquals(bytes("a1"), directBare.getData());
        }
    }

    @Test
    void msgGetRefusesWhatUpstreamRefuses() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("G").subjects("g").build());
            c.jetStream().publish("g", bytes("x"));
            String t = "2026-01-02T03:04:05Z";
            String[][] cases = {
                {"{\"seq\":1,\"batch\":2}", "400 10003 bad request"},
                {"{\"seq\":1,\"max_bytes\":10}", "400 10003 bad request"},
                {"{\"seq\":1,\"start_time\":\"" + t + "\"}", "400 10003 bad request"},
                {"{\"last_by_subj\":\"g\",\"start_time\":\"" + t + "\"}", "400 10003 bad request"},
                {"{\"no_hdr\":true}", "400 10003 bad request"},
                {"{\"start_time\":\"yesterday\"}", "400 10025 invalid JSON: parsing time \"yesterday\" as "
                        + "\"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""},
                {"{\"start_time\":\"2026-01-02 03:04:05Z\"}", "400 10025 invalid JSON: parsing time \"2026-01-02 03:04:05Z\" as "
                        + "\"2006-01-02T15:04:05Z07:00\": cannot parse \" 03:04:05Z\" as \"T\""},
                {"{\"start_time\":\"2026-13-02T03:04:05Z\"}", "400 10025 invalid JSON: parsing time \"2026-13-02T03:04:05Z\": month out of range"},
                {"{\"start_time\":\"2026-01-02T03:04:05Zed\"}", "400 10025 invalid JSON: parsing time \"2026-01-02T03:04:05Zed\": extra text: \"ed\""},
                {"{\"start_time\":12}", "400 10025 invalid JSON: Time.UnmarshalJSON: input is not a JSON string"},
                {"{\"seq\":1,\"no_hdr\":1}", "400 10025 invalid JSON: json: cannot unmarshal number into Go struct field "
                        + "JSApiMsgGetRequest.no_hdr of type bool"},
            };
            for (String[] k : cases) assertEquals(k[1], error(request(c, "$JS.API.STREAM.MSG.GET.G", k[0])), k[0]);
            // the request is checked before the stream is looked up
            assertEquals("400 10003 bad request", error(request(c, "$JS.API.STREAM.MSG.GET.NONE", "{\"seq\":1,\"batch\":2}")));
            assertEquals("404 10059 stream not found", error(request(c, "$JS.API.STREAM.MSG.GET.NONE", "{\"seq\":1}")));
            assertEquals(10037, apiError(() -> c.jetStreamManagement().getMessage("G", 2)));
        }
    }

    /** Waits until the wall clock is past {@code t} and returns a time after {@code t}, before anything published next. */
    private static Instant awaitClockPast(Instant t) throws InterruptedException {
        Instant after = t.plusNanos(1_000);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!Instant.now().isAfter(after.plusMillis(1)) && System.nanoTime() < deadline) Thread.onSpinWait();
        return after;
    }
}
