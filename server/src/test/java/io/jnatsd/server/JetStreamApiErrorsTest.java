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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invalid stream configurations and malformed API requests, sent as raw API requests: jnatsd
 * must answer each with upstream's status, error code and text.
 */
class JetStreamApiErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One request and the error expected for it ("" for success). */
    private record Step(String subject, String body, String expected) {}

    private static Step step(String subject, String body, String expected) {
        return new Step("$JS.API." + subject, body, expected);
    }

    private static String answer(Connection c, Step s) throws Exception {
        Message m = c.request(s.subject(), bytes(s.body()), Duration.ofSeconds(5));
        assertNotNull(m, "no answer to " + s.subject());
        JsonNode r = JSON.readTree(m.getData());
        JsonNode e = r.path("error");
        if (e.isMissingNode()) return "";
        return e.path("code").asInt() + " " + e.path("err_code").asInt() + " " + e.path("description").asText();
    }

    private static void run(Impl impl, Connection c, List<Step> steps) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Step s : steps) {
            String got = answer(c, s);
            if (!got.equals(s.expected())) wrong.add(s.subject() + " " + s.body() + "\n   want: " + s.expected() + "\n   got:  " + got);
        }
        assertEquals(List.of(), wrong, impl.name());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void streamConfigurationsUpstreamRefuses(Impl impl) throws Exception {
        String longDescription = "d".repeat(4097);
        String longName = "n".repeat(300);
        List<Step> steps = List.of(
                step("STREAM.CREATE.S1", "{\"name\":\"S1\",\"subjects\":[\"a.>\"],\"max_consumers\":5}", ""),
                step("STREAM.UPDATE.S1", "{\"name\":\"S1\",\"subjects\":[\"a.>\"],\"max_consumers\":6}",
                        "500 10052 stream configuration update can not change MaxConsumers"),
                step("STREAM.UPDATE.S1", "{\"name\":\"S1\",\"subjects\":[\"a.>\"]}",
                        "500 10052 stream configuration update can not change MaxConsumers"),
                step("STREAM.UPDATE.S1", "{\"name\":\"S1\",\"subjects\":[\"a.>\", \"a2\"],\"max_consumers\":5}", ""),
                step("STREAM.CREATE.S2", "{\"name\":\"S2\",\"subjects\":[\"b.>\"],\"sealed\":true}",
                        "500 10052 stream configuration for create can not be sealed"),
                step("STREAM.CREATE.S3", "{\"name\":\"S3\",\"subjects\":[\"c.>\"],\"description\":\"" + longDescription + "\"}",
                        "500 10052 stream description is too long, maximum allowed is 4096"),
                step("STREAM.CREATE.S3", "{\"name\":\"S3\",\"subjects\":[\"c.>\"],\"description\":\"" + longDescription.substring(1) + "\"}", ""),
                step("STREAM.CREATE." + longName, "{\"name\":\"" + longName + "\",\"subjects\":[\"d.>\"]}",
                        "500 10052 stream name is too long, maximum allowed is 255"),
                step("STREAM.CREATE.S4", "{\"name\":\"S4\",\"subjects\":[\"e.>\"],\"mirror_direct\":true}",
                        "500 10052 stream has no mirror but does have mirror direct"),
                step("STREAM.CREATE.S5", "{\"name\":\"S5\",\"subjects\":[\"f.>\"],\"num_replicas\":6}",
                        "500 10052 maximum replicas is 5"),
                step("STREAM.CREATE.S6", "{\"name\":\"S6\",\"subjects\":[\"g.>\"],\"duplicate_window\":50000000}",
                        "500 10052 duplicates window needs to be >= 100ms"),
                step("STREAM.CREATE.S7", "{\"name\":\"S7\",\"subjects\":[\"i.>\",\"i.x\"]}",
                        "500 10052 subject \"i.>\" overlaps with \"i.x\""),
                step("STREAM.CREATE.S7", "{\"name\":\"S7\",\"subjects\":[\"j.x\",\"j.x\"]}",
                        "500 10052 duplicate subjects detected"),
                step("STREAM.CREATE.S8", "{\"name\":\"S8\",\"subjects\":[\"l.>\"],\"discard_new_per_subject\":true}",
                        "500 10052 discard new per subject requires discard new policy to be set"),
                step("STREAM.CREATE.S8", "{\"name\":\"S8\",\"subjects\":[\"l.>\"],\"discard\":\"new\",\"discard_new_per_subject\":true}",
                        "500 10052 discard new per subject requires max msgs per subject > 0"),
                step("STREAM.CREATE.S9", "{\"name\":\"S9\",\"sources\":[{\"name\":\"X\",\"external\":{\"api\":\"$JS.API\",\"deliver\":\"d\"}}]}",
                        "400 10021 stream external api prefix $JS.API must not overlap with $JS.API"),
                step("STREAM.CREATE.S10", "{\"name\":\"S10\",\"subjects\":[\"m\"],\"storage\":\"memory\"}", ""),
                step("STREAM.UPDATE.S10", "{\"name\":\"S10\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"discard_new_per_subject\":true}",
                        "500 10052 discard new per subject requires discard new policy to be set"),
                step("STREAM.UPDATE.S10", "{\"name\":\"S10\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"sealed\":true}", ""),
                step("STREAM.UPDATE.S10", "{\"name\":\"S10\",\"subjects\":[\"m\"],\"storage\":\"memory\"}",
                        "500 10052 stream configuration update can not unseal a sealed stream"));
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            run(impl, c, steps);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void malformedRequestsAreInvalidJson(Impl impl) throws Exception {
        // 2.9.10's table has no {err}; newer upstreams (and jnatsd) add Go's complaint
        boolean detail = impl == Impl.JNATSD;
        String invalid = "400 10025 invalid JSON";
        List<Step> steps = List.of(
                step("STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s.>\"]}", ""),
                step("STREAM.CREATE.X", "xyz",
                        invalid + (detail ? ": invalid character 'x' looking for beginning of value" : "")),
                step("STREAM.CREATE.X", "{\"name\":\"X\",\"max_msgs\":\"5\"}",
                        invalid + (detail ? ": json: cannot unmarshal string into Go struct field StreamConfig.max_msgs of type int64" : "")),
                step("STREAM.MSG.GET.S", "{\"seq\":\"1\"}",
                        invalid + (detail ? ": json: cannot unmarshal string into Go struct field JSApiMsgGetRequest.seq of type uint64" : "")),
                step("STREAM.PURGE.S", "{\"seq\":-1}",
                        invalid + (detail ? ": json: cannot unmarshal number -1 into Go struct field JSApiStreamPurgeRequest.seq of type uint64" : "")),
                step("STREAM.NAMES", "{\"offset\":\"2\"}",
                        invalid + (detail ? ": json: cannot unmarshal string into Go struct field JSApiStreamNamesRequest.offset of type int" : "")),
                step("CONSUMER.CREATE.S", "{\"stream_name\":",
                        invalid + (detail ? ": unexpected end of JSON input" : "")),
                step("STREAM.CREATE.X", "{\"name\":\"X\",\"retention\":\"bogus\"}",
                        invalid + (detail ? ": can not unmarshal \"bogus\"" : "")),
                step("STREAM.CREATE.X", "{\"name\":\"X\",\"storage\":\"disk\"}",
                        invalid + (detail ? ": can not unmarshal \"disk\"" : "")),
                step("CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{\"ack_policy\":true}}",
                        invalid + (detail ? ": can not unmarshal \"true\"" : "")),
                step("CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{\"max_deliver\":\"x\"}}",
                        invalid + (detail ? ": json: cannot unmarshal string into Go struct field CreateConsumerRequest.config.max_deliver of type int64" : "")),
                step("STREAM.MSG.GET.S", "{\"seq\":1}", "404 10037 no message found"));
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            run(impl, c, steps);
        }
    }
}
