package io.jnatsd.server.config;

import io.jnatsd.conf.ConfException;
import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.ConfParser;
import io.jnatsd.conf.GoDuration;
import io.jnatsd.conf.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a config file onto {@link ServerOptions}, as upstream's {@code ProcessConfigFile}: keys are matched
 * case-insensitively, every error is collected (with its file:line:column) and reported together, and
 * unknown top-level keys are errors unless they were only used as {@code $variables}.
 * Durations are Go strings ({@code "2m"}); a bare integer still means seconds, with a warning, as upstream.
 * Warnings go to {@link ServerOptions#warnings}. The blocks of its own parser: {@link ClusterBlock}, {@link TlsBlock},
 * {@link WebsocketBlock}.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Reads {@code file} onto a fresh {@link ServerOptions} (with upstream defaults). */
    public static ServerOptions load(Path file) throws ConfException {
        return load(file, new ServerOptions());
    }

    /** Reads {@code file} onto {@code options} (values not in the file are left as they are) and returns it. */
    public static ServerOptions load(Path file, ServerOptions options) throws ConfException {
        ConfMap map = ConfParser.parseFile(file);
        options.configFile = file;
        apply(map, options);
        return options;
    }

    /**
     * Applies a parsed config onto {@code options}. Warnings are appended to {@link ServerOptions#warnings};
     * if there is any error, a {@link ConfigException} lists them all (and the warnings).
     */
    public static void apply(ConfMap map, ServerOptions options) throws ConfigException {
        Mapper m = new Mapper(options);
        options.config = map;
        m.applyTop(map);
        List<String> warnings = new ArrayList<>(m.warnings);
        warnings.addAll(m.ignoredBlockWarnings);
        options.warnings.addAll(warnings);
        options.ignoredBlockWarnings.addAll(m.ignoredBlockWarnings);
        if (!m.errors.isEmpty()) throw new ConfigException(m.errors, warnings);
    }

    // ---- upstream's other top-level keys, kept raw for later work ----------------------------------

    /** Upstream's top-level keys served by later work: alias (lower case) to canonical name. */
    private static final Map<String, String> OTHER_KEYS = Map.ofEntries(
            Map.entry("accounts", "accounts"),
            Map.entry("system_account", "system_account"), Map.entry("system", "system_account"),
            Map.entry("no_system_account", "no_system_account"), Map.entry("no_system", "no_system_account"),
            Map.entry("no_sys_acc", "no_system_account"),
            Map.entry("operator", "operator"), Map.entry("operators", "operator"), Map.entry("roots", "operator"),
            Map.entry("root", "operator"), Map.entry("root_operators", "operator"), Map.entry("root_operator", "operator"),
            Map.entry("resolver", "resolver"), Map.entry("account_resolver", "resolver"),
            Map.entry("accounts_resolver", "resolver"),
            Map.entry("resolver_tls", "resolver_tls"), Map.entry("resolver_preload", "resolver_preload"),
            Map.entry("resolver_pinned_accounts", "resolver_pinned_accounts"),
            Map.entry("trusted_keys", "trusted_keys"), Map.entry("trusted", "trusted_keys"),
            Map.entry("default_sentinel", "default_sentinel"),
            Map.entry("tls", "tls"), Map.entry("allow_non_tls", "allow_non_tls"), Map.entry("ocsp", "ocsp"),
            Map.entry("ocsp_cache", "ocsp_cache"),
            Map.entry("gateway", "gateway"), Map.entry("leafnodes", "leafnodes"), Map.entry("leaf", "leafnodes"),
            Map.entry("mappings", "mappings"), Map.entry("maps", "mappings"),
            Map.entry("server_tags", "server_tags"), Map.entry("server_metadata", "server_metadata"),
            Map.entry("default_js_domain", "default_js_domain"), Map.entry("feature_flags", "feature_flags"),
            Map.entry("disable_sublist_cache", "disable_sublist_cache"),
            Map.entry("no_sublist_cache", "disable_sublist_cache"),
            Map.entry("connect_error_reports", "connect_error_reports"),
            Map.entry("reconnect_error_reports", "reconnect_error_reports"),
            Map.entry("logfile_max_num", "logfile_max_num"), Map.entry("log_max_num", "logfile_max_num"),
            Map.entry("trace_headers", "trace_headers"), Map.entry("prof_block_rate", "prof_block_rate"),
            Map.entry("proxy_protocol", "proxy_protocol"), Map.entry("proxies", "proxies"),
            Map.entry("write_timeout", "write_timeout"), Map.entry("no_fast_producer_stall", "no_fast_producer_stall"));

    /**
     * Blocks that upstream serves and jnatsd accepts but ignores: canonical name to the subject of the start-up
     * warning. A user moving a config over from upstream must not believe these work.
     */
    private static final Map<String, String> NOT_SERVED = Map.of();

    private static final Set<String> JETSTREAM_KEYS = Set.of("enabled", "enable", "strict", "store", "store_dir",
            "storedir", "sync", "sync_interval", "max_memory_store", "max_mem_store", "max_mem", "max_file_store",
            "max_file", "domain", "key", "ek", "encryption_key", "prev_key", "prev_ek", "prev_encryption_key", "cipher",
            "extension_hint", "limits", "tpm", "unique_tag", "max_outstanding_catchup", "max_buffered_size",
            "max_buffered_msgs", "request_queue_limit", "info_queue_limit", "meta_compact", "meta_compact_size",
            "meta_compact_sync", "max_concurrent_io");

    private static final Set<String> AUTHORIZATION_KEYS = Set.of("user", "username", "pass", "password", "token",
            "timeout", "users", "default_permission", "default_permissions", "permissions", "auth_callout",
            "auth_hook", "proxy_required");

    // ---- the mapping -------------------------------------------------------------------------------

    private static final class Mapper extends ConfigReader {
        final ServerOptions o;
        final List<String> ignoredBlockWarnings = new ArrayList<>();

        Mapper(ServerOptions o) {
            this.o = o;
        }

        void applyTop(ConfMap map) {
            eachKey(map, (key, k, v) -> top(map, key, k, v));
        }

        private void top(ConfMap map, String key, String k, Object v) {
            switch (k) {
                case "listen" -> {
                    HostPort hp = hostPort(v, o.host);
                    o.host = hp.host();
                    o.port = hp.port();
                }
                case "host", "net" -> o.host = str(k, v);
                case "port" -> o.port = i32(k, v);
                case "server_name" -> o.serverName = str(k, v);
                case "client_advertise" -> o.clientAdvertise = str(k, v);

                case "max_payload" -> o.maxPayload = i32Limited(k, v);
                case "max_control_line" -> o.maxControlLine = i32Limited(k, v);
                case "max_pending" -> o.maxPending = i64(k, v);
                case "max_connections", "max_conn" -> {
                    int n = i32(k, v);
                    o.maxConnections = n == 0 ? -1 : n; // a configured 0 means unlimited
                }
                case "max_subscriptions", "max_subs" -> o.maxSubscriptions = i32(k, v);
                case "max_sub_tokens", "max_subscription_tokens" -> {
                    long n = i64(k, v);
                    if (n > 255) throw error(k + " value is too big");
                    if (n <= 0) throw error(k + " value can not be negative");
                    o.maxSubTokens = (int) n;
                }
                case "ping_interval" -> o.pingInterval = duration(k, v);
                case "ping_max" -> o.pingMax = i32(k, v);
                case "write_deadline" -> o.writeDeadline = duration(k, v);
                case "disable_short_first_ping" -> o.disableShortFirstPing = bool(k, v);
                case "max_closed_clients" -> o.maxClosedClients = i32(k, v);
                case "no_header_support" -> o.noHeaderSupport = bool(k, v);

                case "debug" -> o.debug = bool(k, v);
                case "trace" -> o.trace = bool(k, v);
                case "trace_verbose" -> {
                    o.traceVerbose = bool(k, v);
                    o.trace = o.traceVerbose;
                }
                case "logtime" -> o.logtime = bool(k, v);
                case "logtime_utc" -> o.logtimeUtc = bool(k, v);
                case "logfile", "log_file" -> o.logFile = str(k, v);
                case "logfile_size_limit", "log_size_limit" -> o.logSizeLimit = i64(k, v);
                case "syslog" -> o.syslog = bool(k, v);
                case "remote_syslog" -> o.remoteSyslog = str(k, v);
                case "max_traced_msg_len" -> o.maxTracedMsgLen = i32(k, v);

                case "http" -> {
                    HostPort hp = hostPort(v, o.host);
                    o.httpHost = hp.host();
                    o.httpPort = hp.port();
                }
                case "https" -> {
                    HostPort hp = hostPort(v, o.host);
                    o.httpHost = hp.host();
                    o.httpsPort = hp.port();
                }
                case "http_port", "monitor_port" -> o.httpPort = i32(k, v);
                case "https_port" -> o.httpsPort = i32(k, v);
                case "http_base_path" -> o.httpBasePath = str(k, v);
                case "prof_port" -> o.profPort = i32(k, v);

                case "pidfile", "pid_file" -> o.pidFile = str(k, v);
                case "ports_file_dir" -> o.portsFileDir = str(k, v);
                case "lame_duck_duration" -> {
                    Duration d = goDuration(k, v);
                    if (d.compareTo(Duration.ofSeconds(30)) < 0) {
                        throw error("invalid lame_duck_duration of " + GoDuration.format(d) + ", minimum is 30 seconds");
                    }
                    o.lameDuckDuration = d;
                }
                case "lame_duck_grace_period" -> {
                    Duration d = goDuration(k, v);
                    if (d.isNegative()) throw error("invalid lame_duck_grace_period, needs to be positive");
                    o.lameDuckGracePeriod = d;
                }

                case "authorization" -> authorization(v);
                case "no_auth_user" -> o.noAuthUser = str(k, v);

                case "jetstream" -> jetstream(v);
                case "store_dir", "storedir" -> {
                    String dir = str(k, v);
                    if (o.storeDir != null && !o.storeDir.isEmpty()) throw error("Duplicate 'store_dir' configuration");
                    o.storeDir = dir;
                }
                case "cluster" -> ClusterBlock.parse(this, v, o.cluster);
                case "websocket", "ws" -> WebsocketBlock.parse(this, v, o.websocket);
                case "leafnodes", "leaf" -> {
                    o.otherBlocks.put("leafnodes", v);
                    if (at != null) o.otherPositions.put("leafnodes", at);
                    LeafNodeBlock.parse(this, v, o.leafNodes);
                }
                case "mqtt" -> MqttBlock.parse(this, v, o.mqtt);
                case "gateway" -> {
                    o.otherBlocks.put("gateway", v);
                    if (at != null) o.otherPositions.put("gateway", at);
                    GatewayBlock.parse(this, v, o.gateway);
                }
                case "allow_non_tls" -> {
                    o.allowNonTls = bool(k, v);
                    o.otherBlocks.put("allow_non_tls", v);
                }
                case "tls" -> {
                    o.otherBlocks.put("tls", v);
                    if (at != null) o.otherPositions.put("tls", at);
                    o.tlsBlock = TlsBlock.client(this, v);
                }

                default -> {
                    String canonical = OTHER_KEYS.get(k);
                    if (canonical != null) {
                        o.otherBlocks.put(canonical, v);
                        if (at != null) o.otherPositions.put(canonical, at);
                        String notServed = NOT_SERVED.get(canonical);
                        if (notServed != null) {
                            ignoredBlockWarnings.add(prefix() + key + " {} is configured but " + notServed
                                    + " not supported yet by jnatsd; the block is ignored");
                        }
                    } else if (!map.isUsedVariable(key)) {
                        throw error("unknown field \"" + key + "\"");
                    }
                }
            }
        }

        // ---- blocks --------------------------------------------------------------------------------

        private void authorization(Object v) {
            if (!(v instanceof ConfMap am)) throw error("Expected map to define authorization, got " + typeName(v));
            o.authorizationBlock = am;
            String user = null;
            String pass = null;
            String token = null;
            boolean users = false;
            Position top = at;
            for (Map.Entry<String, Object> e : am.entrySet()) {
                String mk = e.getKey();
                String k = mk.toLowerCase(Locale.ROOT);
                Object mv = e.getValue();
                at = am.positionOf(mk);
                try {
                    switch (k) {
                        case "user", "username" -> user = str(k, mv);
                        case "pass", "password" -> pass = str(k, mv);
                        case "token" -> token = str(k, mv);
                        case "timeout" -> {
                            double secs = authTimeoutSeconds(mv);
                            o.authTimeout = Duration.ofNanos((long) (secs * 1e9));
                            o.authTimeoutSet = secs != 0; // upstream treats 0 as "not set"
                        }
                        case "users" -> users = true;
                        default -> {
                            if (!AUTHORIZATION_KEYS.contains(k) && !am.isUsedVariable(mk)) {
                                throw error("unknown field \"" + mk + "\"");
                            }
                        }
                    }
                } catch (Skip ignored) {
                    // recorded
                }
            }
            at = top;
            o.username = user;
            o.password = pass;
            o.authorizationToken = token;
            if ((user != null || pass != null) && token != null) throw error("Cannot have a user/pass and token");
            if (users && user != null) throw error("Can not have a single user/pass and a users array");
            if (users && token != null) throw error("Can not have a token and a users array");
        }

        /** {@code jetstream.limits}: only the atomic batch ceilings are read; the other limits stay accepted and unused. */
        private void jetstreamLimits(Object v) {
            if (!(v instanceof ConfMap lm)) return;
            Object batch = null;
            String batchKey = null;
            for (String key : lm.keySet()) {
                if (key.equalsIgnoreCase("batch")) {
                    batchKey = key;
                    batch = lm.get(key);
                }
            }
            if (batch == null) return;
            Position outer = at;
            at = lm.positionOf(batchKey);
            if (!(batch instanceof ConfMap bm)) throw error("Expected a map to define batch limits, got " + goTypeName(batch));
            for (Map.Entry<String, Object> e : bm.entrySet()) {
                String mk = e.getKey();
                String k = mk.toLowerCase(Locale.ROOT);
                at = bm.positionOf(mk);
                switch (k) {
                    case "max_inflight_per_stream" -> o.jetstreamBatchInflightPerStream = (int) i64(k, e.getValue());
                    case "max_inflight_total" -> o.jetstreamBatchInflightTotal = (int) i64(k, e.getValue());
                    case "max_msgs" -> o.jetstreamBatchMaxMsgs = (int) i64(k, e.getValue());
                    case "timeout" -> o.jetstreamBatchTimeoutNanos = duration(k, e.getValue()).toNanos();
                    default -> {
                        if (!bm.isUsedVariable(mk)) throw error("unknown field \"" + mk + "\"");
                    }
                }
            }
            at = outer;
        }

        private void jetstream(Object v) {
            switch (v) {
                case Boolean b -> o.jetstream = b;
                case String s -> {
                    switch (s.toLowerCase(Locale.ROOT)) {
                        case "enabled", "enable" -> o.jetstream = true;
                        case "disabled", "disable" -> o.jetstream = false;
                        default -> throw error("Expected 'enabled' or 'disabled' for string value, got '" + s + "'");
                    }
                }
                case ConfMap jm -> {
                    o.jetstreamBlock = jm;
                    boolean enable = true;
                    Position top = at;
                    for (Map.Entry<String, Object> e : jm.entrySet()) {
                        String mk = e.getKey();
                        String k = mk.toLowerCase(Locale.ROOT);
                        Object mv = e.getValue();
                        at = jm.positionOf(mk);
                        try {
                            switch (k) {
                                case "store", "store_dir", "storedir" -> {
                                    String dir = str(k, mv);
                                    if (o.storeDir != null && !o.storeDir.isEmpty()) {
                                        throw error("Duplicate 'store_dir' configuration");
                                    }
                                    o.storeDir = dir;
                                }
                                case "max_memory_store", "max_mem_store", "max_mem" ->
                                        o.jetstreamMaxMemory = storageSize("max_mem_store", mv);
                                case "max_file_store", "max_file" -> o.jetstreamMaxStore = storageSize("max_file_store", mv);
                                case "domain" -> o.jetstreamDomain = str(k, mv);
                                case "raft_port" -> o.jetstreamRaftPort = i32(k, mv);
                                case "enable", "enabled" -> enable = bool(k, mv);
                                case "limits" -> jetstreamLimits(mv);
                                case "sync", "sync_interval" -> {
                                    if (mv instanceof String s && s.equalsIgnoreCase("always")) {
                                        o.syncAlways = true;
                                    } else {
                                        o.syncInterval = duration(mk, mv);
                                    }
                                }
                                default -> {
                                    if (!JETSTREAM_KEYS.contains(k) && !jm.isUsedVariable(mk)) {
                                        throw error("unknown field \"" + mk + "\"");
                                    }
                                }
                            }
                        } catch (Skip ignored) {
                            // recorded
                        }
                    }
                    at = top;
                    o.jetstream = enable;
                }
                default -> throw error("Expected map, bool or string to define JetStream, got " + typeName(v));
            }
        }
    }
}
