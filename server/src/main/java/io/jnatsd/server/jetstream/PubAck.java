package io.jnatsd.server.jetstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * Publish acknowledgements, written as upstream writes them (hand-built, with its spacing:
 * {@code {"stream":"S", "seq":1}}, {@code ,"duplicate": true}), and error acks
 * {@code {"error":{...},"stream":"S","seq":0}}.
 */
final class PubAck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PubAck() {}

    static byte[] ok(String stream, String domain, long seq, boolean duplicate) {
        StringBuilder sb = new StringBuilder(64).append("{\"stream\":").append(quote(stream));
        if (domain != null && !domain.isEmpty()) sb.append(", \"domain\":").append(quote(domain));
        sb.append(", \"seq\":").append(seq);
        if (duplicate) sb.append(",\"duplicate\": true");
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] error(String stream, ApiError e) {
        try {
            return ("{\"error\":" + JSON.writeValueAsString(e) + ",\"stream\":" + quote(stream) + ",\"seq\":0}")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
