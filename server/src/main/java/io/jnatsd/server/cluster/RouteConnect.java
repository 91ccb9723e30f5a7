package io.jnatsd.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The CONNECT a soliciting server sends on a route, as upstream's: its server id as
 * {@code name}, the cluster name, credentials from the route URL or the cluster's
 * authorization, and whether it takes headers and leaf-origin interest (LS+).
 */
record RouteConnect(String name, String cluster, boolean headers, boolean lnoc, String user, String pass,
                    String lang, String gateway, boolean dynamic, boolean tlsRequired) {

    static RouteConnect parse(byte[] bytes) throws IOException {
        JsonNode n = RouteInfo.JSON.readTree(bytes);
        if (!(n instanceof ObjectNode o)) throw new IOException("CONNECT is not a JSON object");
        return new RouteConnect(text(o, "name"), text(o, "cluster"), o.path("headers").asBoolean(false),
                o.path("lnoc").asBoolean(false), text(o, "user"), text(o, "pass"),
                text(o, "lang"), text(o, "gateway"), o.path("dynamic").asBoolean(false),
                o.path("tls_required").asBoolean(false));
    }

    byte[] line() {
        ObjectNode o = RouteInfo.JSON.createObjectNode();
        o.put("echo", true);
        o.put("verbose", false);
        o.put("pedantic", false);
        if (user != null) o.put("user", user);
        if (pass != null) o.put("pass", pass);
        o.put("tls_required", tlsRequired);
        o.put("name", name);
        o.put("headers", headers);
        o.put("cluster", cluster);
        o.put("dynamic", dynamic);
        o.put("lnoc", lnoc);
        try {
            return ("CONNECT " + RouteInfo.JSON.writeValueAsString(o) + "\r\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String text(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
