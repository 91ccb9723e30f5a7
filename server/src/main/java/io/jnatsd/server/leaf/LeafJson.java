package io.jnatsd.server.leaf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The INFO and CONNECT of leaf node connections, as upstream's (leafnode.go, 2.9): read as
 * JSON trees (unknown fields ignored, as Go's decoder does) and written with upstream's field
 * names, so upstream servers on the other end read them as their own.
 */
final class LeafJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private LeafJson() {}

    static ObjectNode parse(byte[] bytes, String what) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (!(n instanceof ObjectNode o)) throw new IOException(what + " is not a JSON object");
        return o;
    }

    static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    static List<String> strings(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isArray()) return null;
        List<String> out = new ArrayList<>();
        n.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** {@code OP {...}\r\n}, with the blank upstream writes before the line end of an INFO. */
    static byte[] line(String op, ObjectNode o) {
        try {
            String tail = op.equals("INFO") ? " \r\n" : "\r\n";
            return (op + " " + JSON.writeValueAsString(o) + tail).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
