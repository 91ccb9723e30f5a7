package io.jnatsd.server.monitor;

import io.jnatsd.server.config.LeafNodeOptions;
import io.jnatsd.server.leaf.LeafNodes;
import io.jnatsd.server.leaf.LeafStats;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /leafz} and the {@code leaf} section of {@code /varz}, with upstream's fields (2.9.10). */
final class Leafz {
    private Leafz() {}

    static Map<String, Object> leafz(MonitoredServer s, Query q) {
        boolean subs = q.bool("subs");
        String acc = q.get("acc");
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        LeafNodes leafs = s.leafNodes();
        List<Object> out = new ArrayList<>();
        if (leafs != null) {
            for (LeafStats l : leafs.leafs()) {
                if (acc != null && !acc.isEmpty() && !acc.equals(l.account())) continue;
                out.add(leaf(l, subs));
            }
        }
        o.put("leafnodes", out.size());
        o.put("leafs", out.isEmpty() ? null : out);
        return o;
    }

    private static Map<String, Object> leaf(LeafStats l, boolean subs) {
        Map<String, Object> o = Json.object();
        o.put("account", l.account());
        o.put("ip", l.ip());
        o.put("port", l.port());
        o.put("rtt", GoFormat.rtt(l.rttNanos()));
        o.put("in_msgs", l.inMsgs());
        o.put("out_msgs", l.outMsgs());
        o.put("in_bytes", l.inBytes());
        o.put("out_bytes", l.outBytes());
        o.put("subscriptions", l.subscriptions());
        if (subs && !l.subjects().isEmpty()) o.put("subscriptions_list", l.subjects());
        return o;
    }

    /** The {@code leaf} object of /varz: empty without a leaf node port or remotes, as upstream writes it. */
    static Map<String, Object> varz(MonitoredServer s) {
        Map<String, Object> o = Json.object();
        LeafNodeOptions lo = s.options().leafNodes;
        LeafNodes leafs = s.leafNodes();
        if (lo.accepts()) {
            o.put("host", lo.listenHost());
            o.put("port", leafs == null ? lo.port : leafs.port());
            o.put("auth_timeout", lo.authTimeout.toNanos() / 1e9);
            o.put("tls_timeout", 2);
        }
        if (!lo.remotes.isEmpty()) {
            List<Object> remotes = new ArrayList<>();
            for (int i = 0; i < lo.remotes.size(); i++) {
                LeafNodeOptions.Remote r = lo.remotes.get(i);
                Map<String, Object> ro = Json.object();
                String account = leafs == null ? r.account : leafs.varzLocalAccount(i);
                if (account != null && !account.isEmpty()) ro.put("local_account", account);
                ro.put("urls", r.urls.stream().map(Leafz::hostPort).toList());
                if (!r.denyImports.isEmpty() || !r.denyExports.isEmpty()) {
                    Map<String, Object> deny = Json.object();
                    if (!r.denyExports.isEmpty()) deny.put("exports", r.denyExports);
                    if (!r.denyImports.isEmpty()) deny.put("imports", r.denyImports);
                    ro.put("deny", deny);
                }
                remotes.add(ro);
            }
            o.put("remotes", remotes);
        }
        return o;
    }

    private static String hostPort(URI u) {
        String a = u.getRawAuthority();
        return a == null ? "" : a.substring(a.lastIndexOf('@') + 1);
    }
}
