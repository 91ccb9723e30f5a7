package io.jnatsd.server.config;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that configures one server, with upstream nats-server's defaults.
 * Filled from defaults, then the config file, then the command line (flags win), as upstream.
 * A plain mutable holder on purpose: it is built once at start-up and then only read.
 */
public final class ServerOptions {
    // Listen
    public String host = "0.0.0.0";
    /** 0 picks a free port; -1 means the default 4222 (as upstream's RANDOM_PORT/DEFAULT_PORT). */
    public int port = 4222;
    public String serverName;
    public String clientAdvertise;
    public String portsFileDir;

    // Limits
    public int maxPayload = 1024 * 1024;
    public int maxControlLine = 4096;
    public long maxPending = 64L * 1024 * 1024;
    /** Negative means unlimited. */
    public int maxConnections = 64 * 1024;
    /** 0 means unlimited. */
    public int maxSubscriptions = 0;
    public int maxSubTokens = 0;
    public Duration pingInterval = Duration.ofMinutes(2);
    public int pingMax = 2;
    public Duration writeDeadline = Duration.ofSeconds(10);
    public boolean disableShortFirstPing = false;
    public int maxClosedClients = 10_000;
    public boolean noHeaderSupport = false;

    // Auth (served by the security issue; kept here so the command line can carry them)
    public String username;
    public String password;
    public String authorizationToken;
    public Duration authTimeout = Duration.ofSeconds(2);
    /** Whether {@link #authTimeout} was configured; if not, a TLS server uses the TLS timeout + 1 s, as upstream. */
    public boolean authTimeoutSet;
    public String noAuthUser;
    /**
     * The whole {@code authorization} block of the config file as written (users, permissions, ...), for the
     * security work; user, password, token and timeout are also copied into the fields above.
     */
    public ConfMap authorizationBlock;

    // Logging
    public boolean debug;
    public boolean trace;
    public boolean traceVerbose;
    public boolean logtime = true;
    public boolean logtimeUtc;
    public String logFile;
    public long logSizeLimit;
    public int maxTracedMsgLen;
    public boolean syslog;
    public String remoteSyslog;

    // Monitoring (monitor.MonitorServer); maxClosedClients above sizes the closed-connections ring
    public String httpHost;
    public int httpPort;
    public int httpsPort;
    public String httpBasePath = "";
    /** Profiling port ({@code prof_port}, {@code --profile}); 0 is off. */
    public int profPort;

    // JetStream (served by the JetStream issues)
    public boolean jetstream;
    public String storeDir;
    /** {@code jetstream.max_memory_store}; -1 means not configured (upstream sizes it dynamically). */
    public long jetstreamMaxMemory = -1;
    /** {@code jetstream.max_file_store}; -1 means not configured (upstream sizes it dynamically). */
    public long jetstreamMaxStore = -1;
    public String jetstreamDomain;
    /**
     * {@code jetstream.raft_port} (a jnatsd addition): where clustered JetStream's Raft transport
     * listens; 0 (the default) means the cluster port + 1.
     */
    public int jetstreamRaftPort;
    /** {@code jetstream.sync_interval} (upstream default 2m); {@link #syncAlways} when set to {@code always}. */
    public Duration syncInterval = Duration.ofMinutes(2);
    public boolean syncAlways;
    /** The {@code jetstream} block of the config file as written, when it is a map. */
    public ConfMap jetstreamBlock;
    /**
     * {@code jetstream { limits { batch { max_inflight_per_stream, max_inflight_total, max_msgs,
     * timeout } } }}: the atomic batch publish ceilings (2.12); 0 keeps upstream's default.
     */
    public int jetstreamBatchInflightPerStream;
    public int jetstreamBatchInflightTotal;
    public int jetstreamBatchMaxMsgs;
    public long jetstreamBatchTimeoutNanos;

    // Operations
    public String pidFile;
    public Duration lameDuckDuration = Duration.ofMinutes(2);
    public Duration lameDuckGracePeriod = Duration.ofSeconds(10);

    /** The {@code cluster} block and the cluster flags; never null ({@link ClusterOptions#enabled()} when on). */
    public ClusterOptions cluster = new ClusterOptions();
    /** The {@code leafnodes} block; never null. */
    public LeafNodeOptions leafNodes = new LeafNodeOptions();
    /** The {@code gateway} block; never null ({@link GatewayOptions#enabled()} when on). */
    public GatewayOptions gateway = new GatewayOptions();

    /** The {@code websocket} block; never null ({@link WebsocketOptions#enabled()} when on). */
    public WebsocketOptions websocket = new WebsocketOptions();
    /** The {@code mqtt} block; never null ({@link MqttOptions#enabled()} when on). */
    public MqttOptions mqtt = new MqttOptions();

    // TLS from the command line (served by the TLS work; the config file's {@code tls} block is in otherBlocks)
    public boolean tls;
    public boolean tlsVerify;
    public String tlsCert;
    public String tlsKey;
    public String tlsCaCert;
    /** {@code allow_non_tls}: with TLS configured, clients may also stay plaintext (INFO says {@code tls_available}). */
    public boolean allowNonTls;
    /** The config file's {@code tls} block, parsed (the raw block is also in {@link #otherBlocks}). */
    public TlsOptions tlsBlock;

    /**
     * Upstream top-level keys served by later work (accounts, system_account, operator, resolver, tls, gateway,
     * leafnodes, mqtt, mappings, server_tags, ...), raw as parsed, under upstream's canonical name
     * (e.g. {@code leaf} is stored as {@code leafnodes}).
     */
    public Map<String, Object> otherBlocks = new LinkedHashMap<>();
    /** Where each {@link #otherBlocks} entry's key was written, for error messages of later work. */
    public Map<String, Position> otherPositions = new LinkedHashMap<>();

    /** The parsed config file, with positions, when one was loaded. */
    public ConfMap config;
    /** Warnings from loading the config file, each as {@code file:line:column: message}. */
    public List<String> warnings = new ArrayList<>();
    /**
     * The {@link #warnings} about upstream blocks jnatsd does not serve yet (leafnodes, gateway, mqtt).
     * Upstream's {@code -t} fails on any warning, but these are about jnatsd, not about the file, which upstream
     * accepts: {@code -t} prints them and still passes.
     */
    public List<String> ignoredBlockWarnings = new ArrayList<>();

    /** The config file these options were read from, if any; relative paths resolve against it. */
    public Path configFile;

    /**
     * The TLS settings in force for client connections, or null when TLS is off: the
     * {@code --tls*} flags replace the file's {@code tls} block entirely, as upstream.
     */
    public TlsOptions effectiveTls() {
        if (tls && tlsCert != null && !tlsCert.isEmpty()) return TlsOptions.fromFlags(this);
        return tlsBlock;
    }

    /** How long a client has to authenticate: as configured, else 2 s, or the TLS timeout + 1 s with TLS. */
    public Duration effectiveAuthTimeout() {
        TlsOptions t = effectiveTls();
        if (authTimeoutSet || t == null) return authTimeout;
        return t.timeout.plusSeconds(1);
    }

    public ServerOptions copy() {
        return OptionsCopy.fields(this, new ServerOptions(), v -> {
            if (v instanceof ClusterOptions c) return c.copy();
            if (v instanceof LeafNodeOptions l) return l.copy();
            if (v instanceof WebsocketOptions w) return w.copy();
            if (v instanceof MqttOptions m) return m.copy();
            if (v instanceof GatewayOptions g) return g.copy();
            if (v instanceof Map<?, ?> m && !(v instanceof ConfMap)) return new LinkedHashMap<>(m);
            return OptionsCopy.lists(v);
        });
    }
}
