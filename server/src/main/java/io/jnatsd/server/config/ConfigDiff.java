package io.jnatsd.server.config;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.server.config.ConfigChange.Effect;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compares the running options with reloaded ones, as upstream's reload (2.9.10) does: option by
 * option in upstream's order, each change either applicable (a {@link ConfigChange}) or refused
 * with upstream's message, the first refusal ending the comparison. Users and accounts count as
 * changed on every reload, as upstream's, so clients are always authorized again.
 */
public final class ConfigDiff {
    private final ServerOptions old;
    private final ServerOptions neu;
    private final boolean jetStreamRunning;
    private final List<ConfigChange> changes = new ArrayList<>();

    private ConfigDiff(ServerOptions old, ServerOptions neu, boolean jetStreamRunning) {
        this.old = old;
        this.neu = neu;
        this.jetStreamRunning = jetStreamRunning;
    }

    /**
     * The changes from {@code old} to {@code neu}, or the refusal of the first option that cannot
     * change at run time. {@code neu} keeps what upstream silently keeps ({@code disable_short_first_ping}).
     */
    public static List<ConfigChange> between(ServerOptions old, ServerOptions neu, boolean jetStreamRunning)
            throws ReloadRefusedException {
        ConfigDiff d = new ConfigDiff(old, neu, jetStreamRunning);
        d.listen();
        d.limitsAndLogging();
        d.authorization();
        d.monitoringAndLimits();
        d.cluster();
        d.jetStream();
        d.processAndTls();
        d.trustAndReports();
        return List.copyOf(d.changes);
    }

    private void listen() throws ReloadRefusedException {
        refuse("ServerName", nz(old.serverName), nz(neu.serverName));
        refuse("Host", old.host, neu.host);
        if (neu.port != 0) refuse("Port", old.port, neu.port); // a random port stays what it is
        apply("ClientAdvertise", old.clientAdvertise, neu.clientAdvertise, Effect.OPTIONS_ONLY,
                "Reload: client_advertise = " + nz(neu.clientAdvertise));
    }

    private void limitsAndLogging() throws ReloadRefusedException {
        apply("Trace", old.trace, neu.trace, Effect.LOGGING, "Reloaded: trace = " + neu.trace);
        apply("Debug", old.debug, neu.debug, Effect.LOGGING, "Reloaded: debug = " + neu.debug);
        apply("TraceVerbose", old.traceVerbose, neu.traceVerbose, Effect.LOGGING,
                "Reloaded: trace_verbose = " + neu.traceVerbose);
        refuse("NoHeaderSupport", old.noHeaderSupport, neu.noHeaderSupport);
        neu.disableShortFirstPing = old.disableShortFirstPing; // upstream keeps the running value without a word
        apply("Logtime", old.logtime, neu.logtime, Effect.LOGGING, "Reloaded: logtime = " + neu.logtime);
        apply("LogtimeUTC", old.logtimeUtc, neu.logtimeUtc, Effect.LOGGING, "Reloaded: logtime_utc = " + neu.logtimeUtc);
        apply("MaxConn", old.maxConnections, neu.maxConnections, Effect.MAX_CONNECTIONS,
                "Reloaded: max_connections = " + neu.maxConnections);
        refuse("MaxSubs", old.maxSubscriptions, neu.maxSubscriptions);
        refuse("MaxSubTokens", old.maxSubTokens, neu.maxSubTokens);
    }

    private void authorization() throws ReloadRefusedException {
        // upstream logs "authorization nkey users" only when they differ; the caller knows (it parses users)
        changes.add(new ConfigChange("Users", Effect.AUTHORIZATION, "Reloaded: authorization users"));
        changes.add(new ConfigChange("Accounts", Effect.AUTHORIZATION, "Reloaded: accounts"));
        noAuthUser();
        refuse("SystemAccount", systemAccount(old), systemAccount(neu));
        refuse("NoSystemAccount", truthy(old.otherBlocks.get("no_system_account")),
                truthy(neu.otherBlocks.get("no_system_account")));
        apply("Username", old.username, neu.username, Effect.AUTHORIZATION, "Reloaded: authorization username");
        apply("Password", old.password, neu.password, Effect.AUTHORIZATION, "Reloaded: authorization password");
        apply("Authorization", old.authorizationToken, neu.authorizationToken, Effect.AUTHORIZATION,
                "Reloaded: authorization token");
        apply("PingInterval", old.pingInterval, neu.pingInterval, Effect.OPTIONS_ONLY,
                "Reloaded: ping_interval = " + GoDuration.format(neu.pingInterval));
        apply("MaxPingsOut", old.pingMax, neu.pingMax, Effect.OPTIONS_ONLY, "Reloaded: ping_max = " + neu.pingMax);
    }

    /**
     * Upstream lets no_auth_user go only together with its user; setting or changing it is refused.
     * Whether the user is still configured is read from the raw {@code authorization.users} list.
     */
    private void noAuthUser() throws ReloadRefusedException {
        String o = nz(old.noAuthUser);
        String n = nz(neu.noAuthUser);
        if (o.equals(n)) return;
        if (!o.isEmpty() && n.isEmpty() && !userConfigured(neu, o)) return;
        throw ReloadRefusedException.notSupported("NoAuthUser", o, n);
    }

    private static boolean userConfigured(ServerOptions o, String name) {
        if (o.authorizationBlock == null) return false;
        Object users = o.authorizationBlock.get("users");
        if (!(users instanceof List<?> list)) return false;
        for (Object u : list) {
            if (u instanceof java.util.Map<?, ?> m) {
                Object n = m.get("user") != null ? m.get("user") : m.get("username");
                if (name.equals(String.valueOf(n))) return true;
            }
        }
        return false;
    }

    private void monitoringAndLimits() throws ReloadRefusedException {
        refuse("HTTPHost", nz(old.httpHost), nz(neu.httpHost));
        refuse("HTTPPort", old.httpPort, neu.httpPort);
        refuse("HTTPBasePath", nz(old.httpBasePath), nz(neu.httpBasePath));
        refuse("HTTPSPort", old.httpsPort, neu.httpsPort);
        double oldAuth = old.authTimeoutSet ? old.authTimeout.toNanos() / 1e9 : 0;
        double newAuth = neu.authTimeoutSet ? neu.authTimeout.toNanos() / 1e9 : 0;
        apply("AuthTimeout", oldAuth, newAuth, Effect.OPTIONS_ONLY,
                "Reloaded: authorization timeout = " + GoValue.format(newAuth));
        apply("MaxControlLine", old.maxControlLine, neu.maxControlLine, Effect.CLIENT_LIMITS,
                "Reloaded: max_control_line = " + neu.maxControlLine);
        apply("MaxPayload", old.maxPayload, neu.maxPayload, Effect.CLIENT_LIMITS,
                "Reloaded: max_payload = " + neu.maxPayload);
        refuse("MaxPending", old.maxPending, neu.maxPending);
    }

    /** Upstream's validateClusterOpts: the listener stays; everything else of the block may change. */
    private void cluster() throws ReloadRefusedException {
        ClusterOptions o = old.cluster;
        ClusterOptions n = neu.cluster;
        if (n.port == -1 && o.port != 0) n.port = o.port; // a random port stays the one bound
        if (!nz(o.host).equals(nz(n.host))) {
            throw new ReloadRefusedException("config reload not supported for cluster host: old=" + nz(o.host)
                    + ", new=" + nz(n.host));
        }
        if (o.port != n.port) {
            throw new ReloadRefusedException("config reload not supported for cluster port: old=" + o.port
                    + ", new=" + n.port);
        }
        // Upstream 2.10+ rebuilds its routes for these; jnatsd fixes the pools when it starts.
        if (o.poolSize != n.poolSize) {
            throw new ReloadRefusedException("config reload not supported for cluster pool_size: old=" + o.poolSize
                    + ", new=" + n.poolSize);
        }
        if (!o.pinnedAccounts.equals(n.pinnedAccounts)) {
            throw new ReloadRefusedException("config reload not supported for cluster accounts: old=" + o.pinnedAccounts
                    + ", new=" + n.pinnedAccounts);
        }
        if (!sameClusterBlock(o, n)) changes.add(new ConfigChange("Cluster", Effect.CLUSTER, "Reloaded: cluster"));
        refuseBlock("Gateway", "gateway");
        refuseBlock("LeafNode", "leafnodes");
    }

    /** The block without its seed routes (upstream keeps those apart, as Routes) and without the listen text. */
    private static boolean sameClusterBlock(ClusterOptions o, ClusterOptions n) {
        ClusterOptions a = o.copy();
        ClusterOptions b = n.copy();
        a.routes = List.of();
        b.routes = List.of();
        a.listen = null;
        b.listen = null;
        return SameOptions.same(a, b);
    }

    /**
     * Upstream 2.9.10 may turn JetStream on or off at run time; jnatsd refuses that (see
     * docs/design.md). Limits and the store directory may not change while it runs, as upstream.
     */
    private void jetStream() throws ReloadRefusedException {
        refuse("JetStream", old.jetstream, neu.jetstream);
        if (jetStreamRunning) {
            if (old.jetstreamMaxMemory != neu.jetstreamMaxMemory || old.jetstreamMaxStore != neu.jetstreamMaxStore) {
                boolean fromUnset = old.jetstreamMaxMemory == -1 && neu.jetstreamMaxMemory != -1
                        || old.jetstreamMaxStore == -1 && neu.jetstreamMaxStore != -1;
                throw new ReloadRefusedException(fromUnset
                        ? "config reload not supported for jetstream dynamic max memory and store"
                        : "config reload not supported for jetstream max memory and store");
            }
            if (!nz(old.storeDir).equals(nz(neu.storeDir))) {
                throw new ReloadRefusedException("config reload not supported for jetstream storage directory");
            }
        }
        refuse("JetStreamDomain", nz(old.jetstreamDomain), nz(neu.jetstreamDomain));
        refuse("JetStreamRaftPort", old.jetstreamRaftPort, neu.jetstreamRaftPort);
        if (!SameOptions.same(old.websocket, neu.websocket)) {
            throw new ReloadRefusedException("config reload not supported for Websocket: old="
                    + GoValue.format(old.config == null ? null : old.config.get("websocket")) + ", new="
                    + GoValue.format(neu.config == null ? null : neu.config.get("websocket")));
        }
        refuseBlock("MQTT", "mqtt");
    }

    private void processAndTls() throws ReloadRefusedException {
        refuse("ProfPort", old.profPort, neu.profPort);
        apply("PidFile", old.pidFile, neu.pidFile, Effect.PID_FILE, "Reloaded: pid_file = " + nz(neu.pidFile));
        apply("PortsFileDir", old.portsFileDir, neu.portsFileDir, Effect.OPTIONS_ONLY,
                "Reloaded: ports_file_dir = " + nz(neu.portsFileDir));
        apply("LogFile", old.logFile, neu.logFile, Effect.LOGGING, "Reloaded: log_file = " + nz(neu.logFile));
        refuse("LogSizeLimit", old.logSizeLimit, neu.logSizeLimit);
        apply("Syslog", old.syslog, neu.syslog, Effect.LOGGING, "Reloaded: syslog = " + neu.syslog);
        apply("RemoteSyslog", old.remoteSyslog, neu.remoteSyslog, Effect.LOGGING,
                "Reloaded: remote_syslog = " + nz(neu.remoteSyslog));
        routes();
        TlsOptions ot = old.effectiveTls();
        TlsOptions nt = neu.effectiveTls();
        double oldTimeout = ot == null ? 0 : ot.timeout.toNanos() / 1e9;
        double newTimeout = nt == null ? 0 : nt.timeout.toNanos() / 1e9;
        apply("TLSTimeout", oldTimeout, newTimeout, Effect.OPTIONS_ONLY, "Reloaded: tls timeout = " + GoValue.format(newTimeout));
        refuse("TLS", old.tls, neu.tls);
        refuse("TLSVerify", old.tlsVerify, neu.tlsVerify);
        refuse("TLSMap", ot != null && ot.verifyAndMap, nt != null && nt.verifyAndMap);
        refuse("TLSCert", nz(old.tlsCert), nz(neu.tlsCert));
        refuse("TLSKey", nz(old.tlsKey), nz(neu.tlsKey));
        refuse("TLSCaCert", nz(old.tlsCaCert), nz(neu.tlsCaCert));
        if (ot != null || nt != null) {
            // certificates are read again on every reload (the files may have been replaced); the notice only on change
            changes.add(new ConfigChange("TLSConfig", Effect.TLS,
                    sameTls(ot, nt) ? null : "Reloaded: tls = " + (nt == null ? "disabled" : "enabled")));
        }
        List<String> op = ot == null || ot.pinnedCerts == null ? List.of() : ot.pinnedCerts;
        List<String> np = nt == null || nt.pinnedCerts == null ? List.of() : nt.pinnedCerts;
        apply("TLSPinnedCerts", op, np, Effect.TLS, "Reloaded: " + np.size() + " pinned_certs");
        refuse("TLSRateLimit", ot == null ? 0L : ot.rateLimit, nt == null ? 0L : nt.rateLimit);
        refuse("AllowNonTLS", old.allowNonTls, neu.allowNonTls);
        apply("WriteDeadline", old.writeDeadline, neu.writeDeadline, Effect.OPTIONS_ONLY,
                "Reloaded: write_deadline = " + GoDuration.format(neu.writeDeadline));
        refuse("MaxClosedClients", old.maxClosedClients, neu.maxClosedClients);
        refuse("LameDuckDuration", old.lameDuckDuration, neu.lameDuckDuration);
        refuse("LameDuckGracePeriod", old.lameDuckGracePeriod, neu.lameDuckGracePeriod);
        apply("MaxTracedMsgLen", old.maxTracedMsgLen, neu.maxTracedMsgLen, Effect.OPTIONS_ONLY,
                "Reloaded: max_traced_msg_len = " + neu.maxTracedMsgLen);
    }

    /** Seed routes are compared as a set: added ones are dialled, removed ones closed. */
    private void routes() {
        List<URI> o = old.cluster.routes;
        List<URI> n = neu.cluster.routes;
        if (o.size() == n.size() && o.containsAll(n)) return;
        changes.add(new ConfigChange("Routes", Effect.ROUTES, "Reloaded: cluster routes"));
    }

    /** Same settings; the files are read again anyway (a certificate may have been replaced in place). */
    private static boolean sameTls(TlsOptions a, TlsOptions b) {
        return SameOptions.same(a, b);
    }

    private void trustAndReports() throws ReloadRefusedException {
        refuseBlock("TrustedKeys", "trusted_keys");
        refuseBlock("TrustedOperators", "operator");
        Object or = old.otherBlocks.get("resolver");
        Object nr = neu.otherBlocks.get("resolver");
        if ((or == null) != (nr == null)) {
            throw new ReloadRefusedException("config reload does not support moving to or from an account resolver");
        }
        if (!Objects.equals(or, nr)) changes.add(new ConfigChange("AccountResolver", Effect.AUTHORIZATION, null));
        apply("ConnectErrorReports", old.otherBlocks.get("connect_error_reports"),
                neu.otherBlocks.get("connect_error_reports"), Effect.OPTIONS_ONLY,
                "Reloaded: connect_error_reports = " + GoValue.format(neu.otherBlocks.get("connect_error_reports")));
        apply("ReconnectErrorReports", old.otherBlocks.get("reconnect_error_reports"),
                neu.otherBlocks.get("reconnect_error_reports"), Effect.OPTIONS_ONLY,
                "Reloaded: reconnect_error_reports = " + GoValue.format(neu.otherBlocks.get("reconnect_error_reports")));
        apply("Tags", old.otherBlocks.get("server_tags"), neu.otherBlocks.get("server_tags"), Effect.OPTIONS_ONLY,
                "Reloaded: tags");
    }

    // ---- the two outcomes ----

    private void apply(String field, Object o, Object n, Effect effect, String notice) {
        if (!Objects.equals(o, n)) changes.add(new ConfigChange(field, effect, notice));
    }

    private static void refuse(String field, Object o, Object n) throws ReloadRefusedException {
        if (!Objects.equals(o, n)) throw ReloadRefusedException.notSupported(field, o, n);
    }

    private void refuseBlock(String field, String key) throws ReloadRefusedException {
        Object o = old.otherBlocks.get(key);
        Object n = neu.otherBlocks.get(key);
        if (!Objects.equals(o, n)) throw ReloadRefusedException.notSupported(field, o, n);
    }

    /** The system account's name, {@code $SYS} when none is configured (upstream's baseline). */
    private static String systemAccount(ServerOptions o) {
        Object v = o.otherBlocks.get("system_account");
        return v == null ? "$SYS" : String.valueOf(v);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static boolean truthy(Object v) {
        return Boolean.TRUE.equals(v);
    }
}
