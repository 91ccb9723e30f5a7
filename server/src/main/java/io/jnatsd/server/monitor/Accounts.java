package io.jnatsd.server.monitor;

import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.mqtt.MqttConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /accountz} and {@code /accstatz}, and the account figures of the system account's events. */
final class Accounts {
    private Accounts() {}

    /** The account names, or with {@code acc=NAME} that account's details. */
    static Map<String, Object> accountz(MonitoredServer s, Query q) {
        String name = q.get("acc");
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        String sys = s.systemAccount();
        if (sys != null && !sys.isEmpty()) o.put("system_account", sys);
        if (name.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (Account a : s.accounts()) names.add(a.name());
            o.put("accounts", names);
            return o;
        }
        o.put("account_detail", detail(s, name));
        return o;
    }

    /** One account's details; fails with upstream's text when there is no such account. */
    static Map<String, Object> detail(MonitoredServer s, String name) {
        Account acc = find(s, name);
        if (acc == null) throw new Query.BadRequest("Account " + name + " does not exist");
        Map<String, Object> d = Json.object();
        d.put("account_name", acc.name());
        d.put("update_time", s.startTime());
        d.put("expired", false);
        d.put("complete", true);
        d.put("jetstream_enabled", false);
        d.put("leafnode_connections", 0);
        d.put("client_connections", connections(s, acc));
        d.put("subscriptions", subscriptions(s, acc));
        Map<String, Object> stats = Json.object();
        Subsz.putStats(stats, acc.subscriptions().stats());
        d.put("sublist_stats", stats);
        return d;
    }

    /**
     * Per-account connection and message counts, of the accounts named (every account when
     * {@code names} is null or empty); accounts without connections only with {@code unused}.
     */
    static Map<String, Object> accstatz(MonitoredServer s, boolean unused, List<String> names) {
        List<Map<String, Object>> list = new ArrayList<>();
        List<Account> accounts = s.accounts();
        if (names != null && !names.isEmpty()) {
            List<Account> named = new ArrayList<>();
            for (String n : names) {
                Account a = find(s, n);
                if (a != null) named.add(a);
            }
            accounts = named;
        }
        for (Account a : accounts) {
            Map<String, Object> st = stat(s, a);
            if ((int) st.get("conns") == 0 && !unused) continue;
            list.add(st);
        }
        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        o.put("account_statz", list);
        return o;
    }

    /** One account's counts: "sent" is what its clients were sent, "received" what they sent. */
    static Map<String, Object> stat(MonitoredServer s, Account a) {
        int conns = connections(s, a);
        MessageTotals t = s.accountTotals(a);
        Map<String, Object> st = Json.object();
        st.put("acc", a.name());
        st.put("conns", conns);
        int leafs = s.leafNodes() == null ? 0 : s.leafNodes().count(a.name());
        st.put("leafnodes", leafs);
        st.put("total_conns", conns + leafs);
        st.put("sent", msgsBytes(t.outMsgs(), t.outBytes()));
        st.put("received", msgsBytes(t.inMsgs(), t.inBytes()));
        st.put("slow_consumers", a.slowConsumerCount());
        return st;
    }

    static Map<String, Object> msgsBytes(long msgs, long bytes) {
        Map<String, Object> m = Json.object();
        m.put("msgs", msgs);
        m.put("bytes", bytes);
        return m;
    }

    private static Account find(MonitoredServer s, String name) {
        for (Account a : s.accounts()) if (a.name().equals(name)) return a;
        return null;
    }

    /** Its live clients, MQTT ones included (upstream's MQTT clients are clients of their account). */
    private static int connections(MonitoredServer s, Account acc) {
        int n = 0;
        for (ClientConnection c : s.connections()) if (c.account() == acc) n++;
        for (MqttConnection c : s.mqttConnections()) if (c.joinedAccount() && c.account() == acc) n++;
        return n;
    }

    /** The account's subscriptions as upstream counts them: without those gateways hold in its index. */
    static long subscriptions(MonitoredServer s, Account a) {
        var g = s.gateways();
        return a.subscriptions().count() - (g == null ? 0 : g.subscriptionsIn(a));
    }
}
