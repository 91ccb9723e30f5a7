package io.jnatsd.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.conn.PeerJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The INFO and CONNECT of gateway connections, read and written as upstream's (gateway.go,
 * 2.9.10) on {@link PeerJson}: Go's zero values for absent fields, no blank before the line
 * end of a gateway INFO, and the
 * command payload ({@code gateway_cmd_payload}, an account name) in base64 as Go encodes a
 * byte slice.
 */
final class GatewayJson {
    /** INFO commands: a gateway to connect to, and the start and end of an account's interest. */
    static final int CMD_GOSSIP = 1;
    static final int CMD_ALL_SUBS_START = 2;
    static final int CMD_ALL_SUBS_COMPLETE = 3;

    private GatewayJson() {}

    static ObjectNode parse(byte[] bytes, String what) throws IOException {
        return PeerJson.parse(bytes, what);
    }

    /** A text field, empty when absent (Go's zero value). */
    static String text(JsonNode o, String field) {
        String t = PeerJson.text(o, field);
        return t == null ? "" : t;
    }

    /** An array of texts, empty when absent. */
    static List<String> strings(JsonNode o, String field) {
        List<String> l = PeerJson.strings(o, field);
        return l == null ? List.of() : l;
    }

    /** The account an interest command names; null when absent or not base64. */
    static String commandAccount(JsonNode info) {
        String p = text(info, "gateway_cmd_payload");
        if (p.isEmpty()) return null;
        try {
            return new String(Base64.getDecoder().decode(p), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The INFO that starts or ends the interest of {@code account} ({@code cmd} 2 or 3), as upstream writes it. */
    static byte[] commandLine(String gateway, int cmd, String account) {
        ObjectNode o = bareInfo();
        o.put("gateway", gateway);
        o.put("gateway_cmd", cmd);
        o.put("gateway_cmd_payload", Base64.getEncoder().encodeToString(account.getBytes(StandardCharsets.UTF_8)));
        return line("INFO", o);
    }

    /** A gossip INFO: another cluster's gateway and its URLs, for the receiver to dial. */
    static byte[] gossipLine(String serverId, String serverName, String gateway, List<String> urls) {
        ObjectNode o = bareInfo();
        o.put("server_id", serverId);
        if (serverName != null) o.put("server_name", serverName);
        o.put("gateway", gateway);
        var a = o.putArray("gateway_urls");
        urls.forEach(a::add);
        o.put("gateway_cmd", CMD_GOSSIP);
        return line("INFO", o);
    }

    /** Go marshals every field of its Info struct without omitempty, even in a command INFO. */
    private static ObjectNode bareInfo() {
        ObjectNode o = PeerJson.JSON.createObjectNode();
        o.put("server_id", "");
        o.put("server_name", "");
        o.put("version", "");
        o.put("proto", 0);
        o.put("go", "");
        o.put("host", "");
        o.put("port", 0);
        o.put("headers", false);
        o.put("max_payload", 0);
        return o;
    }

    static byte[] line(String op, ObjectNode o) {
        return PeerJson.line(op, o, "\r\n");
    }
}
