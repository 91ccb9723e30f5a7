package io.jnatsd.server.monitor;

import io.jnatsd.server.core.Account;
import java.util.Map;

/**
 * The {@code statsz} object of upstream's STATSZ events and {@code $SYS.REQ.SERVER.PING}
 * replies (2.9.10's fields): the figures of /varz that a fleet view needs.
 */
final class Statsz {
    private Statsz() {}

    static Map<String, Object> build(MonitoredServer s, ProcessStats proc) {
        MessageTotals t = s.messageTotals();
        int active = 0;
        for (Account a : s.accounts()) if (a.connectionCount() > 0) active++;
        Map<String, Object> o = Json.object();
        o.put("start", s.startTime());
        o.put("mem", proc.residentBytes());
        o.put("cores", Runtime.getRuntime().availableProcessors());
        o.put("cpu", proc.cpuPercent());
        o.put("connections", s.connections().size());
        o.put("total_connections", s.stats().totalConnections.sum());
        o.put("active_accounts", active);
        o.put("subscriptions", Varz.subscriptions(s));
        o.put("sent", Accounts.msgsBytes(t.outMsgs(), t.outBytes()));
        o.put("received", Accounts.msgsBytes(t.inMsgs(), t.inBytes()));
        o.put("slow_consumers", s.stats().slowConsumers.sum());
        var cluster = s.cluster();
        if (cluster != null && cluster.routeCount() > 0) {
            java.util.List<Object> routes = new java.util.ArrayList<>();
            for (var r : cluster.routes()) {
                Map<String, Object> ro = Json.object();
                ro.put("rid", r.rid());
                if (!r.remoteName().isEmpty()) ro.put("name", r.remoteName());
                ro.put("sent", Accounts.msgsBytes(r.outMsgs(), r.outBytes()));
                ro.put("received", Accounts.msgsBytes(r.inMsgs(), r.inBytes()));
                ro.put("pending", r.pendingBytes());
                routes.add(ro);
            }
            o.put("routes", routes);
        }
        var gateways = s.gateways();
        if (gateways != null && gateways.outboundCount() > 0) {
            java.util.List<Object> out = new java.util.ArrayList<>();
            var inbound = gateways.inboundStats();
            for (var e : gateways.outboundStats().entrySet()) {
                Map<String, Object> go = Json.object();
                go.put("gwid", e.getValue().cid());
                go.put("name", e.getKey());
                go.put("sent", Accounts.msgsBytes(e.getValue().outMsgs(), e.getValue().outBytes()));
                long msgs = 0;
                long bytes = 0;
                var in = inbound.getOrDefault(e.getKey(), java.util.List.of());
                for (var c : in) {
                    msgs += c.inMsgs();
                    bytes += c.inBytes();
                }
                go.put("received", Accounts.msgsBytes(msgs, bytes));
                go.put("inbound_connections", in.size());
                out.add(go);
            }
            o.put("gateways", out);
        }
        // This server and every server it has a route to (upstream counts those it hears from;
        // in a full mesh they are the same servers).
        o.put("active_servers", 1 + (cluster == null ? 0 : cluster.peerCount()));
        return o;
    }
}
