package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.MonitorHttp;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AccountStatistics;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Server and account JetStream limits, $JS.API.INFO and /jsz, against jnatsd and upstream. */
class JetStreamLimitsTest {
    @TempDir
    Path dir;

    private String conf(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        return "jetstream { store_dir: \"" + store + "\", max_file_store: 10MB, max_memory_store: 5MB }\n"
                + "accounts {\n"
                + "  A: { jetstream: { max_store: 1MB, max_memory: 512KB, max_streams: 2, max_consumers: 3 },\n"
                + "       users: [{user: a, password: a}] }\n"
                + "  B: { jetstream: enabled, users: [{user: b, password: b}] }\n"
                + "  C: { jetstream: { max_bytes_required: true, store_max_stream_bytes: 1000 }, users: [{user: c, password: c}] }\n"
                + "}\n";
    }

    private static Connection connect(TestServer s, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).userInfo(user, user).build());
    }

    private static int apiError(JetStreamFeaturesTest.Executable e) {
        return assertThrows(JetStreamApiException.class, e::run).getApiErrorCode();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void accountLimitsOnCreateAndOnStore(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection a = connect(s, "a")) {
            JetStreamManagement jsm = a.jetStreamManagement();
            AccountStatistics before = jsm.getAccountStatistics();
            assertEquals(1048576, before.getLimits().getMaxStorage());
            assertEquals(524288, before.getLimits().getMaxMemory());
            assertEquals(2, before.getLimits().getMaxStreams());
            assertEquals(3, before.getLimits().getMaxConsumers());

            assertEquals(10047, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("BIG").subjects("big")
                    .maxBytes(2_000_000).build())));
            assertEquals(10028, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("MEM").subjects("mem")
                    .storageType(StorageType.Memory).maxBytes(600_000).build())));
            assertEquals(10026, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("CONS").subjects("cons")
                    .maxConsumers(5).build())));
            jsm.addStream(StreamConfiguration.builder().name("S1").subjects("s1").maxBytes(600_000).build());
            assertEquals(10047, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("S2").subjects("s2")
                    .maxBytes(600_000).build())));
            jsm.addStream(StreamConfiguration.builder().name("S2").subjects("s2").build());
            assertEquals(10027, apiError(() -> jsm.addStream(StreamConfiguration.builder().name("S3").subjects("s3").build())));

            JetStream js = a.jetStream();
            byte[] big = new byte[400_000];
            js.publish("s2", big);
            js.publish("s2", big);
            assertEquals(10002, apiError(() -> js.publish("s2", big)));
            AccountStatistics after = jsm.getAccountStatistics();
            assertEquals(800_064, after.getStorage());
            assertEquals(2, after.getStreams());
            jsm.purgeStream("S2");
            js.publish("s2", big); // room again
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void serverLimitAndPerStreamLimits(Impl impl) throws Exception {
        try (TestServer s = TestServer.start(impl, conf(impl)); Connection b = connect(s, "b"); Connection c = connect(s, "c")) {
            JetStreamManagement jsmB = b.jetStreamManagement();
            assertEquals(10047, apiError(() -> jsmB.addStream(StreamConfiguration.builder().name("HUGE").subjects("huge")
                    .maxBytes(20L * 1024 * 1024).build())));
            assertEquals(10028, apiError(() -> jsmB.addStream(StreamConfiguration.builder().name("HUGEM").subjects("hugem")
                    .storageType(StorageType.Memory).maxBytes(6L * 1024 * 1024).build())));
            jsmB.addStream(StreamConfiguration.builder().name("FITS").subjects("fits").maxBytes(8L * 1024 * 1024).build());
            assertEquals(10047, apiError(() -> jsmB.addStream(StreamConfiguration.builder().name("NOROOM").subjects("noroom")
                    .maxBytes(3L * 1024 * 1024).build())));

            JetStreamManagement jsmC = c.jetStreamManagement();
            assertEquals(10113, apiError(() -> jsmC.addStream(StreamConfiguration.builder().name("NOMAX").subjects("nomax").build())));
            assertEquals(10122, apiError(() -> jsmC.addStream(StreamConfiguration.builder().name("TOOBIG").subjects("toobig")
                    .maxBytes(2000).build())));
            jsmC.addStream(StreamConfiguration.builder().name("OK").subjects("ok").maxBytes(1000).build());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void jszReportsStreamsMessagesAndBytes(Impl impl) throws Exception {
        try (TestServer s = TestServer.startMonitored(impl, conf(impl), null); Connection b = connect(s, "b")) {
            JetStreamManagement jsm = b.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("J").subjects("j").maxBytes(1_000_000).build());
            jsm.addStream(StreamConfiguration.builder().name("JM").subjects("jm").storageType(StorageType.Memory).build());
            for (int i = 0; i < 3; i++) b.jetStream().publish("j", "hello".getBytes());
            b.jetStream().publish("jm", "hello".getBytes());
            MonitorHttp http = new MonitorHttp(s);
            JsonNode jsz = http.json("/jsz");
            assertFalse(jsz.path("disabled").asBoolean(false));
            assertEquals(10 * 1024 * 1024, jsz.path("config").path("max_storage").asLong());
            assertEquals(5 * 1024 * 1024, jsz.path("config").path("max_memory").asLong());
            assertEquals(2, jsz.path("streams").asInt());
            assertEquals(4, jsz.path("messages").asInt());
            assertEquals(108, jsz.path("storage").asLong());
            assertEquals(23, jsz.path("memory").asLong());
            assertEquals(131, jsz.path("bytes").asLong());
            assertEquals(1_000_000, jsz.path("reserved_storage").asLong());
            assertTrue(jsz.path("api").path("total").asInt() >= 2);
            JsonNode detail = http.json("/jsz?acc=B&streams=true");
            JsonNode streams = detail.path("account_details").get(0).path("stream_detail");
            assertEquals(2, streams.size());
            // Upstream lists the streams in Go's map order: pick J by name.
            JsonNode j = null;
            for (JsonNode st : streams) if ("J".equals(st.path("name").asText())) j = st;
            assertTrue(j != null, streams.toString());
            assertEquals(3, j.path("state").path("messages").asInt());
            assertEquals(200, http.get("/healthz").statusCode());
            JsonNode varz = http.json("/varz");
            assertEquals(10 * 1024 * 1024, varz.path("jetstream").path("config").path("max_storage").asLong());
        }
    }
}
