package io.jnatsd.server.monitor;

import io.jnatsd.server.jetstream.JetStream;
import io.jnatsd.server.jetstream.JetStreamReport;
import java.time.Instant;
import java.util.Map;

/** {@code /jsz} and the {@code jetstream} part of {@code /varz} while JetStream runs. */
final class Jsz {
    private Jsz() {}

    static Map<String, Object> build(MonitoredServer s, Query q) {
        JetStream js = s.jetStream();
        if (js == null) return Unserved.jsz(s, q);
        boolean accounts = q.bool("accounts");
        boolean streams = q.bool("streams");
        q.bool("consumers");
        boolean config = q.bool("config");
        q.bool("leader-only");
        q.integer("offset");
        q.integer("limit");
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        o.putAll(JetStreamReport.jsz(js, s.serverId(), accounts, q.get("acc"), streams, config));
        return o;
    }

    /** {@code {config, stats}} when JetStream runs, else the empty object upstream writes. */
    static Map<String, Object> varz(MonitoredServer s) {
        Map<String, Object> o = Json.object();
        JetStream js = s.jetStream();
        if (js == null) return o;
        o.put("config", JetStreamReport.config(js));
        o.put("stats", JetStreamReport.stats(js));
        return o;
    }
}
