package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.startJetStream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Leader stepdowns on a server that is not clustered: the coordinator has no leader to move, as upstream says. */
class JetStreamLeaderStepDownTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String answer(Connection c, String subject) throws Exception {
        Message m = c.request("$JS.API." + subject, bytes(""), Duration.ofSeconds(5));
        assertNotNull(m, "no answer to " + subject);
        JsonNode r = JSON.readTree(m.getData());
        JsonNode e = r.path("error");
        return r.path("type").asText() + " " + e.path("code").asInt() + " " + e.path("err_code").asInt() + " "
                + e.path("description").asText();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void streamAndConsumerStepDownNeedAClusterWhetherOrNotTheyExist(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            c.request("$JS.API.STREAM.CREATE.S", bytes("{\"name\":\"S\",\"subjects\":[\"s\"]}"), Duration.ofSeconds(5));
            c.request("$JS.API.CONSUMER.DURABLE.CREATE.S.D",
                    bytes("{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}"),
                    Duration.ofSeconds(5));
            String stream = "io.nats.jetstream.api.v1.stream_leader_stepdown_response 503 10010 JetStream clustering support required";
            String consumer = "io.nats.jetstream.api.v1.consumer_leader_stepdown_response 503 10010 JetStream clustering support required";
            assertEquals(stream, answer(c, "STREAM.LEADER.STEPDOWN.S"));
            assertEquals(stream, answer(c, "STREAM.LEADER.STEPDOWN.NOPE"));
            assertEquals(consumer, answer(c, "CONSUMER.LEADER.STEPDOWN.S.D"));
            assertEquals(consumer, answer(c, "CONSUMER.LEADER.STEPDOWN.S.NOPE"));
        }
    }
}
