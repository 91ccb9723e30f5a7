package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counter streams (2.12, ADR-49): {@code allow_msg_counter}, {@code Nats-Incr}, the
 * {@code {"val":"N"}} body, the ack's {@code val}, aggregation of sourced counters with
 * {@code Nats-Counter-Sources}, and upstream's refusals. Upstream 2.9.10 has no counters, so this
 * runs against jnatsd only; the expected bytes and texts are upstream's at 2.12. Publishes are
 * raw (jnats 2.25 has no counter API), acks read as the bytes the server sent.
 */
class JetStreamCountersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String publish(Connection c, String subject, String payload, String... headerPairs) throws Exception {
        return TestServer.publishForAck(c, subject, payload, headerPairs);
    }

    private static String incr(Connection c, String subject, String by) throws Exception {
        return publish(c, subject, "", "Nats-Incr", by);
    }

    private static String errorOf(String ack) throws Exception {
        JsonNode e = JSON.readTree(ack).path("error");
        return e.isMissingNode() ? "" : e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    private static String create(Connection c, String name, String json) throws Exception {
        Message m = c.request("$JS.API.STREAM.CREATE." + name, bytes(json), Duration.ofSeconds(5));
        JsonNode e = JSON.readTree(m.getData()).path("error");
        return e.isMissingNode() ? "" : e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    @Test
    void incrementsAddUpPerSubjectAndTheAckCarriesTheTotal() throws Exception {
        Path store = Files.createDirectories(dir.resolve("counters"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("C").subjects("cnt.>").allowMessageCounter().allowDirect(true).build());
            assertEquals("{\"stream\":\"C\", \"seq\":1,\"val\":\"5\"}", incr(c, "cnt.a", "5"));
            assertEquals("{\"stream\":\"C\", \"seq\":2,\"val\":\"3\"}", incr(c, "cnt.a", "-2"));
            assertEquals("{\"stream\":\"C\", \"seq\":3,\"val\":\"7\"}", incr(c, "cnt.b", "+7"));
            assertEquals("{\"stream\":\"C\", \"seq\":4,\"val\":\"9223372036854775807\"}", incr(c, "cnt.big", "9223372036854775807"));
            // arbitrary precision: past a long
            assertEquals("{\"stream\":\"C\", \"seq\":5,\"val\":\"9223372036854775808\"}", incr(c, "cnt.big", "1"));
            MessageInfo last = jsm.getLastMessage("C", "cnt.a");
            assertEquals("{\"val\":\"3\"}", new String(last.getData(), StandardCharsets.UTF_8));
            assertEquals("-2", last.getHeaders().getFirst("Nats-Incr")); // the increment is kept with the total
            // a duplicate is answered as one, without a value
            assertEquals("{\"stream\":\"C\", \"seq\":6,\"val\":\"4\"}", publish(c, "cnt.a", "", "Nats-Incr", "1", "Nats-Msg-Id", "m1"));
            assertEquals("{\"stream\":\"C\", \"seq\":6,\"duplicate\": true}", publish(c, "cnt.a", "", "Nats-Incr", "1", "Nats-Msg-Id", "m1"));
        }
        try (TestServer s = TestServer.start(Impl.JNATSD, conf); Connection c = Nats.connect(s.url())) {
            assertEquals("{\"stream\":\"C\", \"seq\":7,\"val\":\"14\"}", incr(c, "cnt.a", "10"));
        }
    }

    @Test
    void publishesUpstreamRefuses() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name("C").subjects("cnt.>").allowMessageCounter().build());
            jsm.addStream(StreamConfiguration.builder().name("P").subjects("plain").build());
            assertEquals("400 10168 message counters is disabled", errorOf(incr(c, "plain", "1")));
            assertEquals("400 10171 message counter increment is invalid", errorOf(incr(c, "plain", "one")));
            assertEquals("400 10171 message counter increment is invalid", errorOf(incr(c, "cnt.a", "1.5")));
            assertEquals("400 10169 message counter increment is missing", errorOf(publish(c, "cnt.a", "")));
            assertEquals("400 10169 message counter increment is missing", errorOf(publish(c, "cnt.a", "", "X-Other", "1")));
            assertEquals("400 10170 message counter has payload", errorOf(publish(c, "cnt.a", "body", "Nats-Incr", "1")));
            for (String header : new String[] {"Nats-Rollup", "Nats-Expected-Stream", "Nats-Expected-Last-Msg-Id",
                    "Nats-Expected-Last-Sequence", "Nats-Expected-Last-Subject-Sequence", "Nats-Expected-Last-Subject-Sequence-Subject"}) {
                String value = header.endsWith("Sequence") ? "0" : header.equals("Nats-Rollup") ? "sub" : "C";
                assertEquals("400 10171 message counter increment is invalid", errorOf(publish(c, "cnt.a", "", "Nats-Incr", "1", header, value)),
                        header);
            }
            assertEquals(0, jsm.getStreamInfo("C").getStreamState().getMsgCount());
        }
    }

    @Test
    void configurationsUpstreamRefuses() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            assertEquals("500 10052 counter stream cannot use discard new",
                    create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_counter\":true,\"discard\":\"new\"}"));
            assertEquals("500 10052 counter stream cannot use message TTLs",
                    create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_counter\":true,\"allow_msg_ttl\":true}"));
            assertEquals("500 10052 counter stream can only use limits retention",
                    create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_counter\":true,\"retention\":\"workqueue\"}"));
            assertEquals("", create(c, "A", "{\"name\":\"A\",\"subjects\":[\"a\"],\"allow_msg_counter\":true}"));
            assertEquals("400 10173 stream mirrors can not also calculate counters",
                    create(c, "M", "{\"name\":\"M\",\"mirror\":{\"name\":\"A\"},\"allow_msg_counter\":true}"));
            Message m = c.request("$JS.API.STREAM.UPDATE.A", bytes("{\"name\":\"A\",\"subjects\":[\"a\"]}"), Duration.ofSeconds(5));
            assertEquals("stream configuration update can not change message counter setting",
                    JSON.readTree(m.getData()).path("error").path("description").asText());
            JsonNode info = JSON.readTree(c.request("$JS.API.STREAM.INFO.A", new byte[0], Duration.ofSeconds(5)).getData());
            assertEquals(true, info.path("config").path("allow_msg_counter").asBoolean());
        }
    }

    @Test
    void aCounterStreamSourcingCountersAddsWhatEachOriginChanged() throws Exception {
        try (TestServer s = TestServer.startJetStream(Impl.JNATSD, dir); Connection c = Nats.connect(s.url())) {
            assertEquals("", create(c, "EU", "{\"name\":\"EU\",\"subjects\":[\"eu.*\"],\"allow_msg_counter\":true}"));
            assertEquals("", create(c, "US", "{\"name\":\"US\",\"subjects\":[\"us.*\"],\"allow_msg_counter\":true}"));
            assertEquals("", create(c, "ALL", "{\"name\":\"ALL\",\"allow_msg_counter\":true,\"sources\":["
                    + "{\"name\":\"EU\",\"subject_transforms\":[{\"src\":\"eu.*\",\"dest\":\"all.{{wildcard(1)}}\"}]},"
                    + "{\"name\":\"US\",\"subject_transforms\":[{\"src\":\"us.*\",\"dest\":\"all.{{wildcard(1)}}\"}]}]}"));
            incr(c, "eu.hits", "5");
            incr(c, "us.hits", "3");
            incr(c, "eu.hits", "2");
            JetStreamManagement jsm = c.jetStreamManagement();
            TestServer.await(10_000, () -> "{\"val\":\"10\"}".equals(lastPayload(jsm, "ALL", "all.hits")));
            MessageInfo total = jsm.getLastMessage("ALL", "all.hits");
            assertEquals("{\"EU\":{\"eu.hits\":\"7\"},\"US\":{\"us.hits\":\"3\"}}", total.getHeaders().getFirst("Nats-Counter-Sources"));
            // each stored increment is what its origin's total moved by (the origins interleave in any order)
            long running = 0;
            java.util.List<String> increments = new java.util.ArrayList<>();
            for (long seq = 1; seq <= 3; seq++) {
                MessageInfo m = jsm.getMessage("ALL", seq);
                String by = m.getHeaders().getFirst("Nats-Incr");
                increments.add(by);
                running += Long.parseLong(by);
                assertEquals("{\"val\":\"" + running + "\"}", new String(m.getData(), StandardCharsets.UTF_8));
            }
            assertEquals(java.util.List.of("2", "3", "5"), increments.stream().sorted().toList());
        }
    }

    private static String lastPayload(JetStreamManagement jsm, String stream, String subject) {
        try {
            return new String(jsm.getLastMessage(stream, subject).getData(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null;
        }
    }
}
