package io.jnatsd.server.monitor;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.config.WebsocketOptions;
import io.jnatsd.server.core.Account;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** {@code /varz}: the server's identity, configuration and counters, in upstream 2.9.10's fields and order. */
final class Varz {
    /** Upstream's TLS timeout default, in seconds (jnatsd has no TLS settings yet). */
    private static final double TLS_TIMEOUT_SECONDS = 2;

    private Varz() {}

    static Map<String, Object> build(MonitoredServer s, ProcessStats proc, Map<String, Long> httpReqStats) {
        ServerOptions o = s.options();
        Instant now = Instant.now();
        int cores = Runtime.getRuntime().availableProcessors();
        MessageTotals t = s.messageTotals();

        Map<String, Object> v = Json.object();
        v.put("server_id", s.serverId());
        v.put("server_name", s.serverName());
        v.put("version", s.version());
        v.put("proto", s.protocolVersion());
        // Upstream's "go" is the toolchain that built it; ours is the Java runtime that runs it.
        v.put("go", "java" + Runtime.version());
        v.put("host", s.clientHost());
        v.put("port", s.clientPort());
        if (s.authRequired()) v.put("auth_required", true);
        v.put("max_connections", o.maxConnections);
        if (o.maxSubscriptions != 0) v.put("max_subscriptions", o.maxSubscriptions);
        v.put("ping_interval", nanos(o.pingInterval));
        v.put("ping_max", o.pingMax);
        v.put("http_host", httpHost(s));
        v.put("http_port", o.httpPort);
        v.put("http_base_path", o.httpBasePath == null ? "" : o.httpBasePath);
        v.put("https_port", o.httpsPort);
        v.put("auth_timeout", seconds(o.authTimeout));
        v.put("max_control_line", o.maxControlLine);
        v.put("max_payload", o.maxPayload);
        v.put("max_pending", o.maxPending);
        v.put("cluster", Routez.varz(s));
        v.put("gateway", Gatewayz.varz(s));
        v.put("leaf", Leafz.varz(s));
        v.put("mqtt", mqtt(s));
        v.put("websocket", websocket(s));
        v.put("jetstream", Jsz.varz(s));
        v.put("tls_timeout", TLS_TIMEOUT_SECONDS);
        v.put("write_deadline", nanos(o.writeDeadline));
        v.put("start", s.startTime());
        v.put("now", now);
        v.put("uptime", GoFormat.uptime(Duration.between(s.startTime(), now).toNanos()));
        v.put("mem", proc.residentBytes());
        v.put("cores", cores);
        v.put("gomaxprocs", cores);
        v.put("cpu", proc.cpuPercent());
        v.put("connections", s.connections().size() + s.mqttConnections().size());
        v.put("total_connections", s.stats().totalConnections.sum());
        int routes = s.cluster() == null ? 0 : s.cluster().routeCount();
        v.put("routes", routes);
        v.put("remotes", routes);
        v.put("leafnodes", s.leafNodes() == null ? 0 : s.leafNodes().count());
        v.put("in_msgs", t.inMsgs());
        v.put("out_msgs", t.outMsgs());
        v.put("in_bytes", t.inBytes());
        v.put("out_bytes", t.outBytes());
        v.put("slow_consumers", s.stats().slowConsumers.sum());
        v.put("subscriptions", subscriptions(s));
        v.put("http_req_stats", httpReqStats);
        v.put("config_load_time", s.configLoadTime());
        String sys = s.systemAccount();
        if (sys != null && !sys.isEmpty()) v.put("system_account", sys);
        v.put("jnatsd_version", s.jnatsdVersion());
        return v;
    }

    /** Upstream's WebsocketOptsVarz: the block's settings, empty ones left out (an empty object without one). */
    static Map<String, Object> websocket(MonitoredServer s) {
        WebsocketOptions w = s.options().websocket;
        Map<String, Object> m = Json.object();
        if (w.host != null && !w.host.isEmpty()) m.put("host", w.host);
        int port = w.enabled() ? s.websocketPort() : 0;
        if (port != 0) m.put("port", port);
        putIfPresent(m, "advertise", w.advertise);
        putIfPresent(m, "no_auth_user", w.noAuthUser);
        putIfPresent(m, "jwt_cookie", w.jwtCookie);
        if (w.handshakeTimeout != null && !w.handshakeTimeout.isZero()) m.put("handshake_timeout", nanos(w.handshakeTimeout));
        if (w.authTimeoutSeconds != 0) m.put("auth_timeout", w.authTimeoutSeconds);
        if (w.noTls) m.put("no_tls", true);
        if (w.tls != null && w.tls.verifyAndMap) m.put("tls_map", true);
        // 2.9.10 declares tls_pinned_certs but never fills it in.
        if (w.sameOrigin) m.put("same_origin", true);
        if (!w.allowedOrigins.isEmpty()) m.put("allowed_origins", w.allowedOrigins);
        if (w.compression) m.put("compression", true);
        return m;
    }

    /** Upstream's MQTTOptsVarz: the block's settings as configured, empty ones left out. */
    static Map<String, Object> mqtt(MonitoredServer s) {
        io.jnatsd.server.config.MqttOptions q = s.options().mqtt;
        Map<String, Object> m = Json.object();
        if (q.host != null && !q.host.isEmpty()) m.put("host", q.host);
        int port = q.enabled() ? s.mqttPort() : 0;
        if (port != 0) m.put("port", port);
        putIfPresent(m, "no_auth_user", q.noAuthUser);
        if (q.authTimeoutSeconds != 0) m.put("auth_timeout", q.authTimeoutSeconds);
        if (q.tls != null) {
            if (q.tls.verifyAndMap) m.put("tls_map", true);
            m.put("tls_timeout", q.tls.timeout.toNanos() / 1e9);
        }
        putIfPresent(m, "js_domain", q.jsDomain);
        if (!q.ackWait.isZero()) m.put("ack_wait", nanos(q.ackWait));
        if (q.maxAckPending != 0) m.put("max_ack_pending", q.maxAckPending);
        return m;
    }

    private static void putIfPresent(Map<String, Object> m, String key, String value) {
        if (value != null && !value.isEmpty()) m.put(key, value);
    }

    /** The monitoring host: {@code http: host:port} when given, else the client listen host, as upstream. */
    static String httpHost(MonitoredServer s) {
        String h = s.options().httpHost;
        return h == null || h.isEmpty() ? s.clientHost() : h;
    }

    static long subscriptions(MonitoredServer s) {
        long n = 0;
        for (Account a : s.accounts()) n += Accounts.subscriptions(s, a);
        return n;
    }

    private static long nanos(Duration d) {
        return d == null ? 0 : d.toNanos();
    }

    private static double seconds(Duration d) {
        return d == null ? 0 : d.toNanos() / 1e9;
    }
}
