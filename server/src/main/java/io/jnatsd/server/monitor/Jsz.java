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
        JetStreamReport.JszOptions opts = new JetStreamReport.JszOptions(q.bool("accounts"), q.get("acc"),
                q.bool("streams"), q.bool("consumers"), q.bool("config"), (int) Math.min(Integer.MAX_VALUE, q.integer("offset")),
                (int) Math.min(Integer.MAX_VALUE, q.integer("limit")));
        q.bool("leader-only");
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        o.putAll(JetStreamReport.jsz(js, s.serverId(), opts));
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
