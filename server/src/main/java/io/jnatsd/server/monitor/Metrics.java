package io.jnatsd.server.monitor;

import io.jnatsd.protocol.subject.SubjectIndexStats;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /metrics}: the server's figures in the Prometheus exposition formats, computed at scrape
 * time from the same sources as /varz, /connz and /subsz, plus the JVM's own metrics.
 *
 * <p>Names follow prometheus-nats-exporter ({@code gnatsd_<endpoint>_<field>}, label
 * {@code server_id}), so dashboards built for upstream servers behind that exporter work
 * unchanged. Like the exporter's, every server metric is a gauge, counters included (they
 * only grow; take {@code rate()} of them). {@code gnatsd_connz_*} sum over all open connections
 * (the exporter sums one page of /connz, at most 1024).
 */
final class Metrics {
    private final MonitoredServer server;
    private final ProcessStats proc;
    private volatile PrometheusRegistry registry;
    private volatile ExpositionFormats formats;

    record Exposition(byte[] body, String contentType) {
    }

    Metrics(MonitoredServer server, ProcessStats proc) {
        this.server = server;
        this.proc = proc;
    }

    /** One scrape, in the format the {@code Accept} header asks for (Prometheus text by default). */
    Exposition scrape(String accept) throws IOException {
        PrometheusRegistry r = registry();
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, r.scrape());
        return new Exposition(out.toByteArray(), writer.getContentType());
    }

    /** Built on the first scrape, so that a server nobody scrapes pays nothing for it. */
    private PrometheusRegistry registry() {
        PrometheusRegistry r = registry;
        if (r != null) return r;
        synchronized (this) {
            if (registry == null) {
                PrometheusRegistry fresh = new PrometheusRegistry();
                fresh.register(new ServerCollector());
                JvmMetrics.builder().register(fresh);
                formats = ExpositionFormats.init();
                registry = fresh;
            }
            return registry;
        }
    }

    private final class ServerCollector implements MultiCollector {
        @Override
        public MetricSnapshots collect() {
            Labels id = Labels.of("server_id", server.serverId());
            List<MetricSnapshot> out = new ArrayList<>(64);
            varz(id, out);
            connz(id, out);
            subsz(id, out);
            return new MetricSnapshots(out);
        }

        private void varz(Labels id, List<MetricSnapshot> out) {
            ServerOptions o = server.options();
            MessageTotals t = server.messageTotals();
            int cores = Runtime.getRuntime().availableProcessors();
            gauge(out, "gnatsd_varz_connections", "Open client connections", id, server.connections().size());
            gauge(out, "gnatsd_varz_total_connections", "Client connections accepted since start", id,
                    server.stats().totalConnections.sum());
            gauge(out, "gnatsd_varz_in_msgs", "Messages received from clients", id, t.inMsgs());
            gauge(out, "gnatsd_varz_out_msgs", "Messages sent to clients", id, t.outMsgs());
            gauge(out, "gnatsd_varz_in_bytes", "Message bytes received from clients", id, t.inBytes());
            gauge(out, "gnatsd_varz_out_bytes", "Message bytes sent to clients", id, t.outBytes());
            gauge(out, "gnatsd_varz_slow_consumers", "Clients closed as slow consumers since start", id,
                    server.stats().slowConsumers.sum());
            gauge(out, "gnatsd_varz_subscriptions", "Subscriptions", id, Varz.subscriptions(server));
            gauge(out, "gnatsd_varz_mem", "Resident memory in bytes", id, proc.residentBytes());
            gauge(out, "gnatsd_varz_cpu", "CPU use in percent of one core", id, proc.cpuPercent());
            gauge(out, "gnatsd_varz_cores", "Cores available", id, cores);
            gauge(out, "gnatsd_varz_gomaxprocs", "Cores available to the runtime", id, cores);
            gauge(out, "gnatsd_varz_routes", "Connected routes", id, 0);
            gauge(out, "gnatsd_varz_remotes", "Configured route remotes", id, 0);
            gauge(out, "gnatsd_varz_leafnodes", "Connected leaf nodes", id,
                    server.leafNodes() == null ? 0 : server.leafNodes().count());
            gauge(out, "gnatsd_varz_max_connections", "max_connections", id, o.maxConnections);
            gauge(out, "gnatsd_varz_max_payload", "max_payload", id, o.maxPayload);
            gauge(out, "gnatsd_varz_max_pending", "max_pending", id, o.maxPending);
            gauge(out, "gnatsd_varz_max_control_line", "max_control_line", id, o.maxControlLine);
            gauge(out, "gnatsd_varz_ping_max", "ping_max", id, o.pingMax);
            gauge(out, "gnatsd_varz_ping_interval", "ping_interval in nanoseconds", id, o.pingInterval.toNanos());
            gauge(out, "gnatsd_varz_write_deadline", "write_deadline in nanoseconds", id, o.writeDeadline.toNanos());
            gauge(out, "gnatsd_varz_auth_timeout", "auth_timeout in seconds", id, o.authTimeout.toNanos() / 1e9);
            gauge(out, "gnatsd_varz_port", "Client port", id, server.clientPort());
            gauge(out, "gnatsd_varz_http_port", "Monitoring port", id, o.httpPort);
            gauge(out, "gnatsd_varz_proto", "Protocol version", id, server.protocolVersion());
            gauge(out, "gnatsd_varz_server_name", "server_name", id.add("value", server.serverName()), 1);
            gauge(out, "gnatsd_varz_version", "version", id.add("value", server.version()), 1);
            gauge(out, "jnatsd_info", "jnatsd build", id.add("version", server.jnatsdVersion()), 1);
            gauge(out, "jnatsd_start_time_seconds", "When the server started, in seconds since the epoch", id,
                    server.startTime().toEpochMilli() / 1000.0);
            gauge(out, "jnatsd_stale_connections", "Clients closed as stale since start", id,
                    server.stats().staleConnections.sum());
        }

        private void connz(Labels id, List<MetricSnapshot> out) {
            List<ClientConnection> conns = server.connections();
            long pending = 0;
            long subs = 0;
            long inMsgs = 0;
            long outMsgs = 0;
            long inBytes = 0;
            long outBytes = 0;
            for (ClientConnection c : conns) {
                pending += c.pendingBytes();
                subs += c.subscriptionCount();
                inMsgs += c.inMsgs();
                outMsgs += c.outMsgs();
                inBytes += c.inBytes();
                outBytes += c.outBytes();
            }
            gauge(out, "gnatsd_connz_num_connections", "Open client connections", id, conns.size());
            gauge(out, "gnatsd_connz_total", "Open client connections", id, conns.size());
            gauge(out, "gnatsd_connz_offset", "offset", id, 0);
            gauge(out, "gnatsd_connz_limit", "limit", id, Connz.DEFAULT_LIMIT);
            gauge(out, "gnatsd_connz_pending_bytes", "Bytes waiting to be written to open connections", id, pending);
            gauge(out, "gnatsd_connz_subscriptions", "Subscriptions of open connections", id, subs);
            gauge(out, "gnatsd_connz_in_msgs", "Messages received from open connections", id, inMsgs);
            gauge(out, "gnatsd_connz_out_msgs", "Messages sent to open connections", id, outMsgs);
            gauge(out, "gnatsd_connz_in_bytes", "Message bytes received from open connections", id, inBytes);
            gauge(out, "gnatsd_connz_out_bytes", "Message bytes sent to open connections", id, outBytes);
        }

        private void subsz(Labels id, List<MetricSnapshot> out) {
            SubjectIndexStats st = SubjectIndexStats.ZERO;
            for (Account a : server.accounts()) st = st.add(a.subscriptions().stats());
            gauge(out, "gnatsd_subsz_num_subscriptions", "Subscriptions", id, st.numSubscriptions());
            gauge(out, "gnatsd_subsz_num_cache", "Cached subject matches", id, st.numCache());
            gauge(out, "gnatsd_subsz_num_inserts", "Subscriptions inserted since start", id, st.numInserts());
            gauge(out, "gnatsd_subsz_num_removes", "Subscriptions removed since start", id, st.numRemoves());
            gauge(out, "gnatsd_subsz_num_matches", "Subject matches since start", id, st.numMatches());
            gauge(out, "gnatsd_subsz_cache_hit_rate", "Match cache hit rate", id, st.cacheHitRate());
            gauge(out, "gnatsd_subsz_max_fanout", "Largest fan-out of a cached match", id, st.maxFanout());
            gauge(out, "gnatsd_subsz_avg_fanout", "Average fan-out of the cached matches", id, st.avgFanout());
        }

        private void gauge(List<MetricSnapshot> out, String name, String help, Labels labels, double value) {
            out.add(GaugeSnapshot.builder().name(name).help(help)
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build())
                    .build());
        }
    }
}
