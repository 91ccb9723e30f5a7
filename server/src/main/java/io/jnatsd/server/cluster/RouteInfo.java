package io.jnatsd.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The INFO a server sends on a route, as upstream's route INFO (2.9.10): who it is, where its
 * route listener is, which client URLs it serves (for clients' {@code connect_urls}), and,
 * when gossiped on to other servers, the {@code ip} URL they can dial it at. Kept as the
 * parsed JSON so that an INFO passed on keeps every field the origin put in it.
 */
final class RouteInfo {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode json;

    private RouteInfo(ObjectNode json) {
        this.json = json;
    }

    static RouteInfo parse(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (!(n instanceof ObjectNode o)) throw new IOException("INFO is not a JSON object");
        return new RouteInfo(o);
    }

    /** This server's route INFO. */
    static RouteInfo of(String serverId, String serverName, String version, String host, int port, String cluster,
                        boolean dynamic, List<String> connectUrls, boolean authRequired, boolean tlsRequired,
                        int maxPayload, String nonce, String leafNodeUrl) {
        ObjectNode o = JSON.createObjectNode();
        o.put("server_id", serverId);
        o.put("server_name", serverName);
        o.put("version", version);
        o.put("proto", 2);
        o.put("host", host);
        o.put("port", port);
        o.put("headers", true);
        if (authRequired) o.put("auth_required", true);
        if (tlsRequired) o.put("tls_required", true);
        o.put("max_payload", maxPayload);
        if (nonce != null) o.put("nonce", nonce);
        o.put("cluster", cluster);
        if (dynamic) o.put("cluster_dynamic", true);
        if (!connectUrls.isEmpty()) {
            ArrayNode urls = o.putArray("connect_urls");
            connectUrls.forEach(urls::add);
        }
        o.put("lnoc", true);
        if (leafNodeUrl != null) o.putArray("leafnode_urls").add(leafNodeUrl);
        return new RouteInfo(o);
    }

    String serverId() { return text("server_id"); }
    String serverName() { return text("server_name"); }
    String cluster() { return text("cluster"); }
    String host() { return text("host"); }
    int port() { return json.path("port").asInt(0); }
    boolean headers() { return json.path("headers").asBoolean(false); }
    boolean authRequired() { return json.path("auth_required").asBoolean(false); }
    boolean dynamicCluster() { return json.path("cluster_dynamic").asBoolean(false); }
    boolean lameDuck() { return json.path("ldm").asBoolean(false); }
    /** The peer takes LMSG and LS+ (messages and interest with a leaf origin cluster). */
    boolean leafOrigin() { return json.path("lnoc").asBoolean(false); }
    /** The route URL a gossiping server saw this one at; null when not gossiped. */
    String ip() { return text("ip"); }

    /** The peer's leaf node URLs, for this server's leaf nodes to fail over to. */
    List<String> leafNodeUrls() {
        List<String> out = new ArrayList<>();
        json.path("leafnode_urls").forEach(u -> out.add(u.asText()));
        return out;
    }

    List<String> connectUrls() {
        List<String> out = new ArrayList<>();
        json.path("connect_urls").forEach(u -> out.add(u.asText()));
        return out;
    }

    /** A copy to pass on to other servers, telling them where to dial the route's server. */
    RouteInfo gossiped(String ipUrl) {
        ObjectNode copy = json.deepCopy();
        copy.remove("nonce");
        if (!copy.hasNonNull("ip") || copy.get("ip").asText().isEmpty()) copy.put("ip", ipUrl);
        return new RouteInfo(copy);
    }

    /** {@code INFO {...} \r\n}, with upstream's space before the line end. */
    byte[] line() {
        try {
            return ("INFO " + JSON.writeValueAsString(json) + " \r\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String text(String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
