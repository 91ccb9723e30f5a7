package io.jnatsd.server.jetstream;

import io.jnatsd.store.StreamState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JetStream's figures for monitoring ({@code /jsz}, the {@code jetstream} part of
 * {@code /varz}), in upstream's field names and order: configured limits, bytes used and
 * reserved, accounts, API counters, and the stream, message and byte totals.
 */
public final class JetStreamReport {
    private JetStreamReport() {}

    /** {@code config}: the server's JetStream limits and store directory. */
    public static Map<String, Object> config(JetStream js) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("max_memory", JsLimits.serverMaxMemory(js));
        c.put("max_storage", JsLimits.serverMaxStore(js));
        c.put("store_dir", js.root().toString());
        long sync = js.syncIntervalNanos();
        if (sync > 0) c.put("sync_interval", sync);
        if (js.syncAlways()) c.put("sync_always", true);
        if (js.domain() != null && !js.domain().isEmpty()) c.put("domain", js.domain());
        c.put("compress_ok", true);
        return c;
    }

    /** {@code stats}: memory and storage used and reserved, accounts, API counters. */
    public static Map<String, Object> stats(JetStream js) {
        return stats(js.jsAccounts(), true);
    }

    private static Map<String, Object> stats(List<JsAccount> accounts, boolean server) {
        long[] used = new long[2];
        long total = 0;
        long errors = 0;
        for (JsAccount a : accounts) {
            long[] u = JsLimits.usedBytes(a);
            used[0] += u[0];
            used[1] += u[1];
            total += a.apiTotal.get();
            errors += a.apiErrors.get();
        }
        long[] reserved = JsLimits.reservedBytes(accounts);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("memory", used[0]);
        s.put("storage", used[1]);
        s.put("reserved_memory", reserved[0]);
        s.put("reserved_storage", reserved[1]);
        s.put("accounts", server ? accounts.size() : 0);
        s.put("ha_assets", 0);
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("total", total);
        api.put("errors", errors);
        s.put("api", api);
        return s;
    }

    /**
     * The body of {@code /jsz} after {@code server_id} and {@code now}: config, stats, totals,
     * and with {@code accounts} (or a named {@code account}) the account details, their streams
     * with {@code streams}, the stream configs with {@code config}.
     */
    public static Map<String, Object> jsz(JetStream js, String serverId, boolean accounts, String account,
                                          boolean streams, boolean config) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("config", config(js));
        o.putAll(stats(js));
        long streamCount = 0;
        long messages = 0;
        long bytes = 0;
        List<JsAccount> all = new ArrayList<>(js.jsAccounts());
        all.sort((a, b) -> a.account.name().compareTo(b.account.name()));
        for (JsAccount a : all) {
            for (Stream s : JsLimits.streamsOf(a)) {
                StreamState st = s.store().state();
                streamCount++;
                messages += st.msgs();
                bytes += st.bytes();
            }
        }
        o.put("streams", streamCount);
        o.put("consumers", 0);
        o.put("messages", messages);
        o.put("bytes", bytes);
        if (accounts || (account != null && !account.isEmpty())) {
            List<Map<String, Object>> details = new ArrayList<>();
            for (JsAccount a : all) {
                if (account != null && !account.isEmpty() && !a.account.name().equals(account)) continue;
                details.add(accountDetail(a, serverId, streams, config));
            }
            if (!details.isEmpty()) o.put("account_details", details);
        }
        return o;
    }

    private static Map<String, Object> accountDetail(JsAccount a, String serverId, boolean streams, boolean config) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", a.account.name());
        d.put("id", a.account.name());
        d.putAll(stats(List.of(a), false));
        if (streams) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Stream s : JsLimits.streamsOf(a)) {
                Map<String, Object> sd = new LinkedHashMap<>();
                sd.put("name", s.name());
                sd.put("created", GoTime.rfc3339Nano(s.created().getEpochSecond() * 1_000_000_000L + s.created().getNano()));
                sd.put("cluster", Map.of("leader", serverId));
                if (config) sd.put("config", s.config());
                StreamState st = s.store().state();
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("messages", st.msgs());
                state.put("bytes", st.bytes());
                state.put("first_seq", st.firstSeq());
                state.put("first_ts", GoTime.rfc3339Nano(st.firstTimeNanos()));
                state.put("last_seq", st.lastSeq());
                state.put("last_ts", GoTime.rfc3339Nano(st.lastTimeNanos()));
                if (st.numSubjects() > 0) state.put("num_subjects", st.numSubjects());
                if (st.numDeleted() > 0) state.put("num_deleted", st.numDeleted());
                state.put("consumer_count", 0);
                sd.put("state", state);
                list.add(sd);
            }
            if (!list.isEmpty()) d.put("stream_detail", list);
        }
        return d;
    }
}
