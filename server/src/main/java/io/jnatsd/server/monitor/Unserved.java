package io.jnatsd.server.monitor;

import java.time.Instant;
import java.util.Map;

/**
 * The endpoints of features jnatsd does not serve yet (JetStream):
 * what upstream answers when they are not configured.
 */
final class Unserved {
    private Unserved() {}

    static Map<String, Object> jsz(MonitoredServer s, Query q) {
        for (String p : new String[] {"accounts", "streams", "consumers", "config", "leader-only"}) q.bool(p);
        q.integer("offset");
        q.integer("limit");
        Map<String, Object> o = head(s);
        o.put("disabled", true);
        Map<String, Object> config = Json.object();
        config.put("max_memory", 0);
        config.put("max_storage", 0);
        o.put("config", config);
        o.put("memory", 0);
        o.put("storage", 0);
        o.put("reserved_memory", 0);
        o.put("reserved_storage", 0);
        o.put("accounts", 0);
        o.put("ha_assets", 0);
        Map<String, Object> api = Json.object();
        api.put("total", 0);
        api.put("errors", 0);
        o.put("api", api);
        o.put("streams", 0);
        o.put("consumers", 0);
        o.put("messages", 0);
        o.put("bytes", 0);
        return o;
    }

    /** Result of {@code /healthz}: the JSON and the HTTP status. */
    record Health(Map<String, Object> body, int status) {
    }

    /**
     * {@code {"status":"ok"}} while the server accepts clients. A server told to run JetStream
     * is not healthy while JetStream is not available, as upstream reports one whose JetStream
     * failed to start.
     */
    static Health healthz(MonitoredServer s, Query q) {
        for (String p : new String[] {"js-enabled", "js-enabled-only", "js-server-only", "js-meta-only", "details"}) {
            q.bool(p);
        }
        Map<String, Object> o = Json.object();
        if (s.options().jetstream && s.jetStream() == null) {
            o.put("status", "unavailable");
            o.put("error", "JetStream not enabled");
            return new Health(o, 503);
        }
        o.put("status", "ok");
        return new Health(o, 200);
    }

    private static Map<String, Object> head(MonitoredServer s) {
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        return o;
    }
}
