package io.jnatsd.server.jetstream;

import io.jnatsd.server.jetstream.cluster.Coordinator;

import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.consumer.Consumer;
import io.jnatsd.server.jetstream.consumer.StreamConsumers;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsLimits;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamSourcing;
import io.jnatsd.server.jetstream.stream.StreamStateJson;

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
    public static Map<String, Object> config(JetStream service) {
        JsServer js = service.server();
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
    public static Map<String, Object> stats(JetStream service) {
        return stats(service.server().jsAccounts(), true);
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

    /** What a {@code /jsz} request asks for (upstream's JSzOptions). */
    public record JszOptions(boolean accounts, String account, boolean streams, boolean consumers, boolean config,
                             int offset, int limit) {
        /** Upstream's implications: consumers need their streams, streams their accounts; no limit means 1024. */
        public JszOptions {
            streams |= consumers;
            accounts |= streams;
            if (limit == 0) limit = 1024;
        }
    }

    /**
     * The body of {@code /jsz} after {@code server_id} and {@code now}: config, stats, totals
     * (counted from what each stream holds), and the details {@code opts} asks for.
     */
    public static Map<String, Object> jsz(JetStream js, String serverId, JszOptions opts) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("config", config(js));
        o.putAll(stats(js));
        long streamCount = 0;
        long consumers = 0;
        long messages = 0;
        long bytes = 0;
        List<JsAccount> all = new ArrayList<>(js.server().jsAccounts());
        all.sort((a, b) -> a.account.name().compareTo(b.account.name()));
        for (JsAccount a : all) {
            for (Stream s : JsLimits.streamsOf(a)) {
                StreamState st = s.store().state();
                streamCount++;
                consumers += s.consumers().size();
                messages += st.msgs();
                bytes += st.bytes();
            }
        }
        o.put("streams", streamCount);
        o.put("consumers", consumers);
        o.put("messages", messages);
        o.put("bytes", bytes);
        Map<String, Object> meta = js.coordinator().metaCluster();
        if (meta != null) o.put("meta_cluster", meta);
        List<JsAccount> shown = detailed(all, opts);
        if (!shown.isEmpty()) {
            List<Map<String, Object>> details = new ArrayList<>();
            for (JsAccount a : shown) details.add(accountDetail(a, serverId, opts, js.coordinator()));
            o.put("account_details", details);
        }
        return o;
    }

    /** The accounts whose details are shown: the one named, else with {@code accounts} a page of all. */
    private static List<JsAccount> detailed(List<JsAccount> all, JszOptions opts) {
        if (opts.account() != null && !opts.account().isEmpty()) {
            for (JsAccount a : all) if (a.account.name().equals(opts.account())) return List.of(a);
        }
        if (!opts.accounts()) return List.of();
        int from = Math.min(Math.max(opts.offset(), 0), all.size());
        int to = opts.limit() > 0 ? Math.min(all.size(), from + opts.limit()) : all.size();
        return all.subList(from, to);
    }

    private static Map<String, Object> accountDetail(JsAccount a, String serverId, JszOptions opts, Coordinator coordinator) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", a.account.name());
        d.put("id", a.account.name());
        d.putAll(stats(List.of(a), false));
        if (opts.streams()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Stream s : JsLimits.streamsOf(a)) list.add(streamDetail(s, serverId, opts, coordinator));
            if (!list.isEmpty()) d.put("stream_detail", list);
        }
        return d;
    }

    private static Map<String, Object> streamDetail(Stream s, String serverId, JszOptions opts, Coordinator coordinator) {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("name", s.name());
        sd.put("created", GoTime.rfc3339Nano(s.created().getEpochSecond() * 1_000_000_000L + s.created().getNano()));
        Map<String, Object> cluster = coordinator.clusterInfo(s);
        sd.put("cluster", cluster != null ? cluster : Map.of("leader", serverId));
        if (opts.config()) sd.put("config", s.config());
        sd.put("state", StreamStateJson.of(s));
        if (opts.consumers()) {
            List<Map<String, Object>> consumers = new ArrayList<>();
            for (Consumer c : StreamConsumers.of(s).list()) {
                Map<String, Object> info = c.info();
                if (!opts.config()) info.remove("config");
                consumers.add(info);
            }
            if (!consumers.isEmpty()) sd.put("consumer_detail", consumers);
        }
        StreamSourcing.info(s, sd);
        return sd;
    }
}
