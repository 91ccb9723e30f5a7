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
                        int maxPayload, String nonce, RoutePool.Slot slot, List<String> wsConnectUrls,
                        String leafNodeUrl, String gatewayUrl, int raftPort) {
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
        if (!wsConnectUrls.isEmpty()) {
            ArrayNode urls = o.putArray("ws_connect_urls");
            wsConnectUrls.forEach(urls::add);
        }
        o.put("lnoc", true);
        // What this server compresses with: nothing. A 2.10+ peer configured for S2 then runs
        // the route uncompressed, as it does with any peer that answers "off".
        o.put("compression", "off");
        if (slot != null) {
            // Upstream 2.10's pooling fields: a server without them is an old one (no pool).
            o.put("route_pool_size", slot.poolSize());
            if (slot.poolIdx() > 0) o.put("route_pool_idx", slot.poolIdx());
            if (slot.account() != null) o.put("route_account", slot.account());
        }
        if (leafNodeUrl != null) o.putArray("leafnode_urls").add(leafNodeUrl);
        if (gatewayUrl != null) o.put("gateway_url", gatewayUrl);
        // jnatsd's clustered JetStream: where this server's Raft transport listens. Upstream peers
        // ignore the field; "jetstream": true is not sent, for upstream would count this server in
        // its own meta group, whose Raft jnatsd does not speak.
        if (raftPort > 0) o.put("raft_port", raftPort);
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
    /** The peer's {@code pool_size}; 0 from a server without pooling (before 2.10, or pooling off). */
    int poolSize() { return json.path("route_pool_size").asInt(0); }
    /** Which connection of the pool this route is, as the server that dialled it chose. */
    int poolIdx() { return json.path("route_pool_idx").asInt(0); }
    /** The account this route is pinned to, or null. */
    String account() { String a = text("route_account"); return a == null || a.isEmpty() ? null : a; }
    /** The peer takes LMSG and LS+ (messages and interest with a leaf origin cluster). */
    boolean leafOrigin() { return json.path("lnoc").asBoolean(false); }
    /** The peer's gateway URL, for this cluster's gateway INFO; empty without one. */
    List<String> gatewayUrls() {
        String u = text("gateway_url");
        return u == null || u.isEmpty() ? List.of() : List.of(u);
    }

    /** An INFO about another cluster's gateway (gossip), not about the route's server. */
    boolean aboutGateway() {
        String g = text("gateway");
        return g != null && !g.isEmpty();
    }

    /** The route URL a gossiping server saw this one at; null when not gossiped. */
    String ip() { return text("ip"); }
    /** The peer's Raft transport port (clustered JetStream), or 0. */
    int raftPort() { return json.path("raft_port").asInt(0); }

    /** The peer's leaf node URLs, for this server's leaf nodes to fail over to. */
    List<String> leafNodeUrls() {
        List<String> out = new ArrayList<>();
        json.path("leafnode_urls").forEach(u -> out.add(u.asText()));
        return out;
    }

    List<String> connectUrls() {
        return texts("connect_urls");
    }

    /** The server's WebSocket client URLs, for WebSocket clients' {@code connect_urls}. */
    List<String> wsConnectUrls() {
        return texts("ws_connect_urls");
    }

    private List<String> texts(String field) {
        List<String> out = new ArrayList<>();
        json.path(field).forEach(u -> out.add(u.asText()));
        return out;
    }

    /** A copy saying the server is in lame duck mode ({@code ldm}). */
    RouteInfo inLameDuckMode() {
        ObjectNode copy = json.deepCopy();
        copy.put("ldm", true);
        return new RouteInfo(copy);
    }

    /**
     * A copy to pass on to other servers, telling them where to dial the route's server (and, for
     * a pinned route, for which account).
     */
    RouteInfo gossiped(String ipUrl, String pinnedAccount) {
        ObjectNode copy = json.deepCopy();
        copy.remove("nonce");
        if (pinnedAccount != null) copy.put("route_account", pinnedAccount);
        else copy.remove("route_account");
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
