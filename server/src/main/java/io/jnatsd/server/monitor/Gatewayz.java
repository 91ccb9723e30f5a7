package io.jnatsd.server.monitor;

import io.jnatsd.server.config.GatewayOptions;
import io.jnatsd.server.gateway.GatewayStats;
import io.jnatsd.server.gateway.Gateways;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /gatewayz} and the {@code gateway} section of {@code /varz}, with upstream's fields
 * (2.9.10): {@code gw_name} keeps one remote cluster, {@code accs} adds each connection's
 * accounts and their interest modes, {@code acc_name} keeps one account (and implies accs).
 */
final class Gatewayz {
    /** Upstream's gatewayMaxRUnsubBeforeSwitch, which /gatewayz shows with each account. */
    private static final int INTEREST_ONLY_THRESHOLD = 1000;

    private Gatewayz() {}

    static Map<String, Object> gatewayz(MonitoredServer s, Query q) {
        boolean accs = q.bool("accs");
        String gwName = q.get("gw_name");
        String accName = q.get("acc_name");
        if (!accName.isEmpty()) accs = true;
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        Instant now = Instant.now();
        o.put("now", now);
        Gateways g = s.gateways();
        if (g == null) {
            o.put("outbound_gateways", Json.object());
            o.put("inbound_gateways", Json.object());
            return o;
        }
        o.put("name", g.name());
        String url = g.url();
        o.put("host", url.substring(0, url.lastIndexOf(':')));
        o.put("port", g.port());
        Map<String, Object> outbound = Json.object();
        for (var e : g.outboundStats().entrySet()) {
            if (!gwName.isEmpty() && !gwName.equals(e.getKey())) continue;
            outbound.put(e.getKey(), remote(e.getValue(), now, accs, accName, true));
        }
        o.put("outbound_gateways", !gwName.isEmpty() && outbound.isEmpty() ? null : outbound);
        Map<String, Object> inbound = Json.object();
        for (var e : g.inboundStats().entrySet()) {
            if (!gwName.isEmpty() && !gwName.equals(e.getKey())) continue;
            List<Object> list = new ArrayList<>();
            for (GatewayStats c : e.getValue()) list.add(remote(c, now, accs, accName, false));
            inbound.put(e.getKey(), list);
        }
        o.put("inbound_gateways", inbound);
        return o;
    }

    private static Map<String, Object> remote(GatewayStats c, Instant now, boolean accs, String accName, boolean outbound) {
        Map<String, Object> o = Json.object();
        o.put("configured", c.configured());
        o.put("connection", connection(c, now));
        if (accs) {
            List<Object> accounts = new ArrayList<>();
            for (GatewayStats.AccountMode a : c.accounts()) {
                if (!accName.isEmpty() && !accName.equals(a.name())) continue;
                Map<String, Object> ao = Json.object();
                ao.put("name", a.name());
                ao.put("interest_mode", a.mode());
                if (a.noInterestCount() > 0) ao.put("no_interest_count", a.noInterestCount());
                ao.put("interest_only_threshold", INTEREST_ONLY_THRESHOLD);
                if (outbound && a.subscriptions() > 0) ao.put("num_subs", a.subscriptions());
                if (outbound && a.queueSubscriptions() > 0) ao.put("num_queue_subs", a.queueSubscriptions());
                accounts.add(ao);
            }
            if (!accounts.isEmpty()) o.put("accounts", accounts);
        }
        return o;
    }

    private static Map<String, Object> connection(GatewayStats c, Instant now) {
        Map<String, Object> o = Json.object();
        o.put("cid", c.cid());
        o.put("kind", "Gateway");
        o.put("ip", c.ip());
        o.put("port", c.port());
        o.put("start", c.start());
        long idleNanos = Math.max(0, System.nanoTime() - c.lastInboundNanos());
        o.put("last_activity", now.minusNanos(idleNanos));
        o.put("rtt", GoFormat.rtt(c.rttNanos()));
        o.put("uptime", GoFormat.uptime(Duration.between(c.start(), now).toNanos()));
        o.put("idle", GoFormat.uptime(idleNanos));
        o.put("pending_bytes", c.pendingBytes());
        o.put("in_msgs", c.inMsgs());
        o.put("out_msgs", c.outMsgs());
        o.put("in_bytes", c.inBytes());
        o.put("out_bytes", c.outBytes());
        o.put("subscriptions", c.subscriptions());
        o.put("name", c.remoteServerId());
        return o;
    }

    /** The {@code gateway} object of /varz: empty without a gateway, as upstream writes it. */
    static Map<String, Object> varz(MonitoredServer s) {
        Map<String, Object> o = Json.object();
        GatewayOptions go = s.options().gateway;
        Gateways g = s.gateways();
        if (!go.enabled()) return o;
        o.put("name", go.name);
        o.put("host", go.listenHost());
        o.put("port", g == null ? go.port : g.port());
        o.put("auth_timeout", go.authTimeout.toNanos() / 1e9);
        o.put("tls_timeout", go.tls == null ? 2 : go.tls.timeout.toNanos() / 1e9);
        if (go.tls != null) {
            o.put("tls_required", true);
            o.put("tls_verify", true);
        }
        if (go.advertise != null && !go.advertise.isEmpty()) o.put("advertise", go.advertise);
        if (go.connectRetries != 0) o.put("connect_retries", go.connectRetries);
        List<Object> remotes = new ArrayList<>();
        if (g != null) {
            for (GatewayStats.Remote r : g.remotes().values()) {
                if (r.implicit()) continue;
                Map<String, Object> ro = Json.object();
                ro.put("name", r.name());
                if (!r.urls().isEmpty()) ro.put("urls", r.urls());
                remotes.add(ro);
            }
        }
        if (!remotes.isEmpty()) o.put("gateways", remotes);
        if (go.rejectUnknown) o.put("reject_unknown", true);
        return o;
    }
}
