package io.jnatsd.server.conn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The INFO and CONNECT JSON of connections to other servers (leaf nodes, gateways): read as
 * trees (unknown fields ignored, as Go's decoder does) and written with upstream's field names.
 */
public final class PeerJson {
    public static final ObjectMapper JSON = new ObjectMapper();

    private PeerJson() {}

    /** The argument of an INFO or CONNECT ({@code what}), which must be a JSON object. */
    public static ObjectNode parse(byte[] bytes, String what) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (!(n instanceof ObjectNode o)) throw new IOException(what + " is not a JSON object");
        return o;
    }

    /** A text field; null when absent or null. */
    public static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** An array of texts; null when absent or not an array. */
    public static List<String> strings(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isArray()) return null;
        List<String> out = new ArrayList<>();
        n.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** {@code OP {...}} and {@code end} (upstream ends a route or leaf INFO with a blank before CRLF, a gateway's without). */
    public static byte[] line(String op, ObjectNode o, String end) {
        try {
            return (op + " " + JSON.writeValueAsString(o) + end).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
