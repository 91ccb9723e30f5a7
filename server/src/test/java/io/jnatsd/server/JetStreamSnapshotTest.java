package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * STREAM.SNAPSHOT and STREAM.RESTORE through the chunk protocol the nats CLI speaks, written
 * here by hand (the Java client has no backup API). Each server restores its own snapshots:
 * running the same client code against upstream shows the protocol is upstream's.
 */
class JetStreamSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestServer start(Impl impl) throws Exception {
        Path store = Files.createTempDirectory(dir, impl.name().toLowerCase());
        return TestServer.start(impl, "jetstream { store_dir: \"" + store + "\" }");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A snapshot: the API answer ({config, state}) and the chunks' bytes. */
    record Snapshot(JsonNode answer, byte[] data, int chunks) {}

    static Snapshot snapshot(Connection c, String stream, int chunkSize) throws Exception {
        String inbox = c.createInbox();
        Subscription sub = c.subscribe(inbox);
        c.flush(Duration.ofSeconds(2));
        Message resp = c.request("$JS.API.STREAM.SNAPSHOT." + stream,
                bytes("{\"deliver_subject\":\"" + inbox + "\",\"chunk_size\":" + chunkSize + "}"), Duration.ofSeconds(5));
        JsonNode answer = JSON.readTree(resp.getData());
        assertFalse(answer.has("error"), answer.toString());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int chunks = 0;
        while (true) {
            Message m = sub.nextMessage(Duration.ofSeconds(10));
            assertNotNull(m, "snapshot stalled after " + chunks + " chunks");
            byte[] d = m.getData();
            if (d == null || d.length == 0) {
                if (m.isStatusMessage()) assertEquals(204, m.getStatus().getCode(), m.getStatus().toString());
                break;
            }
            data.write(d);
            chunks++;
            if (m.getReplyTo() != null) c.publish(m.getReplyTo(), null);
        }
        sub.unsubscribe();
        return new Snapshot(answer, data.toByteArray(), chunks);
    }

    static JsonNode restore(Connection c, String stream, Snapshot s, int chunkSize) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        req.set("config", s.answer().get("config"));
        req.set("state", s.answer().get("state"));
        JsonNode started = JSON.readTree(c.request("$JS.API.STREAM.RESTORE." + stream, JSON.writeValueAsBytes(req),
                Duration.ofSeconds(5)).getData());
        if (started.has("error")) return started;
        assertEquals("io.nats.jetstream.api.v1.stream_restore_response", started.path("type").asText());
        String deliver = started.path("deliver_subject").asText();
        for (int off = 0; off < s.data().length; off += chunkSize) {
            byte[] chunk = Arrays.copyOfRange(s.data(), off, Math.min(s.data().length, off + chunkSize));
            Message ack = c.request(deliver, chunk, Duration.ofSeconds(5));
            assertNotNull(ack, "no ack for the chunk at " + off);
        }
        Message done = c.request(deliver, new byte[0], Duration.ofSeconds(20));
        return JSON.readTree(done.getData());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void snapshotAndRestoreRoundTrip(Impl impl) throws Exception {
        for (StorageType storage : StorageType.values()) {
            if (impl == Impl.UPSTREAM && storage == StorageType.Memory) continue; // 2.9.10: "snapshot failed: no impl"
            try (TestServer s = start(impl); Connection c = Nats.connect(s.url())) {
                JetStreamManagement jsm = c.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("SNAP").subjects("snap.>").storageType(storage)
                        .maxMessagesPerSubject(100).build());
                JetStream js = c.jetStream();
                byte[] big = new byte[3000];
                for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 7);
                for (int i = 1; i <= 60; i++) {
                    if (i % 10 == 0) {
                        js.publish(NatsMessage.builder().subject("snap.h").headers(new Headers().add("X-I", "" + i)).data(big).build());
                    } else {
                        js.publish("snap." + (i % 3), bytes("m" + i));
                    }
                }
                jsm.deleteMessage("SNAP", 1);
                jsm.deleteMessage("SNAP", 25);
                var before = jsm.getStreamInfo("SNAP").getStreamState();

                Snapshot snap = snapshot(c, "SNAP", 1024);
                assertEquals("SNAP", snap.answer().path("config").path("name").asText());
                assertEquals(58, snap.answer().path("state").path("messages").asInt());
                assertTrue(snap.chunks() >= 1);

                JsonNode exists = restore(c, "SNAP", snap, 1024);
                assertEquals(10130, exists.path("error").path("err_code").asInt(), exists.toString());

                jsm.deleteStream("SNAP");
                JsonNode restored = restore(c, "SNAP", snap, 1024);
                assertFalse(restored.has("error"), restored.toString());
                assertEquals("io.nats.jetstream.api.v1.stream_create_response", restored.path("type").asText());
                assertEquals(58, restored.path("state").path("messages").asInt());

                var after = jsm.getStreamInfo("SNAP").getStreamState();
                assertEquals(before.getMsgCount(), after.getMsgCount());
                assertEquals(before.getFirstSequence(), after.getFirstSequence());
                assertEquals(before.getLastSequence(), after.getLastSequence());
                assertEquals(storage, jsm.getStreamInfo("SNAP").getConfiguration().getStorageType());
                assertEquals(10037, assertThrows(JetStreamApiException.class, () -> jsm.getMessage("SNAP", 25)).getApiErrorCode());
                MessageInfo h = jsm.getMessage("SNAP", 30);
                assertArrayEquals(big, h.getData());
                assertEquals("30", h.getHeaders().getFirst("X-I"));
                assertArrayEquals(bytes("m59"), jsm.getMessage("SNAP", 59).getData());
                assertEquals(61, js.publish("snap.0", bytes("after")).getSeqno());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void snapshotErrors(Impl impl) throws Exception {
        try (TestServer s = start(impl); Connection c = Nats.connect(s.url())) {
            JsonNode missing = JSON.readTree(c.request("$JS.API.STREAM.SNAPSHOT.NOPE", bytes("{\"deliver_subject\":\"x\"}"),
                    Duration.ofSeconds(2)).getData());
            assertEquals(10059, missing.path("error").path("err_code").asInt());
            c.jetStreamManagement().addStream(StreamConfiguration.builder().name("S").subjects("s").build());
            JsonNode empty = JSON.readTree(c.request("$JS.API.STREAM.SNAPSHOT.S", bytes("{}"), Duration.ofSeconds(2)).getData());
            assertEquals(10003, empty.path("error").path("err_code").asInt());
            JsonNode wildcard = JSON.readTree(c.request("$JS.API.STREAM.SNAPSHOT.S", bytes("{\"deliver_subject\":\"a.*\"}"),
                    Duration.ofSeconds(2)).getData());
            if (impl == Impl.JNATSD) assertEquals(10015, wildcard.path("error").path("err_code").asInt()); // newer upstream checks it
        }
    }
}
