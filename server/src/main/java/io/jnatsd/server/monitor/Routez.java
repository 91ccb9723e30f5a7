package io.jnatsd.server.monitor;

import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.cluster.RouteStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /routez} and the {@code cluster} section of {@code /varz}, with upstream's fields (2.9.10). */
final class Routez {
    private Routez() {}

    static Map<String, Object> routez(MonitoredServer s, Query q) {
        boolean subs = q.subsDetail() || q.bool("subs");
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        Instant now = Instant.now();
        o.put("now", now);
        Cluster cluster = s.cluster();
        List<RouteStats> routes = cluster == null ? List.of() : cluster.routes();
        o.put("num_routes", routes.size());
        List<Object> out = new ArrayList<>();
        for (RouteStats r : routes) out.add(route(r, now, subs));
        o.put("routes", out);
        return o;
    }

    private static Map<String, Object> route(RouteStats r, Instant now, boolean subs) {
        Map<String, Object> o = Json.object();
        o.put("rid", r.rid());
        o.put("remote_id", r.remoteId());
        o.put("did_solicit", r.didSolicit());
        o.put("is_configured", r.configured());
        o.put("ip", r.ip());
        o.put("port", r.port());
        o.put("start", r.start());
        o.put("last_activity", r.lastActivity());
        o.put("rtt", GoFormat.rtt(r.rttNanos()));
        o.put("uptime", GoFormat.uptime(Duration.between(r.start(), now).toNanos()));
        o.put("idle", GoFormat.uptime(Math.max(0, Duration.between(r.lastActivity(), now).toNanos())));
        o.put("pending_size", r.pendingBytes());
        o.put("in_msgs", r.inMsgs());
        o.put("out_msgs", r.outMsgs());
        o.put("in_bytes", r.inBytes());
        o.put("out_bytes", r.outBytes());
        o.put("subscriptions", r.subscriptions());
        if (subs && !r.subjects().isEmpty()) o.put("subscriptions_list", r.subjects());
        if (r.account() != null) o.put("account", r.account());
        return o;
    }

    /** The {@code cluster} object of /varz: empty without a cluster, as upstream writes it. */
    static Map<String, Object> varz(MonitoredServer s) {
        Map<String, Object> o = Json.object();
        Cluster c = s.cluster();
        if (c == null) return o;
        o.put("name", c.name());
        o.put("addr", c.listenHost());
        o.put("cluster_port", c.port());
        o.put("auth_timeout", Math.max(1, s.options().cluster.effectiveAuthTimeout().toSeconds()));
        o.put("tls_timeout", 2);
        if (!c.seeds().isEmpty()) o.put("urls", c.seeds().stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
        if (c.poolSize() > 0) o.put("pool_size", c.poolSize());
        return o;
    }
}
