package io.jnatsd.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    public String noAuthUser;

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

    // Monitoring (served by the observability issue)
    public String httpHost;
    public int httpPort;
    public int httpsPort;
    public String httpBasePath = "";

    // JetStream (served by the JetStream issues)
    public boolean jetstream;
    public String storeDir;

    // Operations
    public String pidFile;
    public Duration lameDuckDuration = Duration.ofMinutes(2);
    public Duration lameDuckGracePeriod = Duration.ofSeconds(10);

    // Cluster (accepted now; served by the clustering issue)
    public String clusterListen;
    public String clusterName;
    public List<String> routes = new ArrayList<>();

    /** The config file these options were read from, if any; relative paths resolve against it. */
    public Path configFile;

    public ServerOptions copy() {
        ServerOptions o = new ServerOptions();
        for (var f : ServerOptions.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
            try {
                Object v = f.get(this);
                if (v instanceof List<?> l) v = new ArrayList<>(l);
                f.set(o, v);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return o;
    }
}
