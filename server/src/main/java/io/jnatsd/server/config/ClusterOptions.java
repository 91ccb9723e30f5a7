package io.jnatsd.server.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cluster {}} block and the cluster flags ({@code --cluster}, {@code --routes}, ...), validated, with
 * upstream's defaults (nats-server 2.10+ where 2.9 had no such option). Filled by {@link ClusterBlock} from the
 * file, then by {@link ServerCommandLine} from the flags, which win.
 */
public final class ClusterOptions {
    /** Upstream's DEFAULT_ROUTE_POOL_SIZE. */
    public static final int DEFAULT_POOL_SIZE = 3;
    /** Upstream's routeMaxPingInterval: a longer ping interval is cut to this for routes. */
    public static final Duration MAX_PING_INTERVAL = Duration.ofSeconds(30);
    /** What {@code s2_auto} uses without {@code rtt_thresholds}: uncompressed, fast, better, best above them. */
    public static final List<Duration> DEFAULT_RTT_THRESHOLDS =
            List.of(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100));

    // Compression modes, upstream's names (also what routes send each other in INFO)
    public static final String COMPRESSION_OFF = "off";
    /** Never start compressing, but compress as the remote asks: the default. */
    public static final String COMPRESSION_ACCEPT = "accept";
    public static final String COMPRESSION_S2_FAST = "s2_fast";
    public static final String COMPRESSION_S2_BETTER = "s2_better";
    public static final String COMPRESSION_S2_BEST = "s2_best";
    /** The level follows the route's RTT against {@link #compressionRttThresholds}. */
    public static final String COMPRESSION_S2_AUTO = "s2_auto";
    /** Upstream's test mode: behave as a server that predates compression. */
    public static final String COMPRESSION_NOT_SUPPORTED = "not supported";

    /** Null: generated at start, as upstream (and then it may change to the cluster's). */
    public String name;
    /** The listen address; null means all interfaces (0.0.0.0), see {@link #listenHost()}. */
    public String host;
    /** 0: no cluster listener (clustering off); -1: a random free port, as upstream. */
    public int port;
    /** As written: {@code listen} from the file ("host:port" or a port), or the {@code --cluster} URL. */
    public String listen;
    /** host:port to advertise to other servers instead of the listen address. */
    public String advertise;
    /** Do not tell clients about the other servers of the cluster. */
    public boolean noAdvertise;
    /** For routes learnt through gossip (not in {@link #routes}): how many times to retry; 0 is none. */
    public int connectRetries;
    /** Retry with an exponential back-off instead of a fixed delay (upstream 2.12). */
    public boolean connectBackoff;
    /**
     * The routes to solicit: nats-route://, nats:// or tls:// URLs with a host and a port; user:pass in a URL is
     * kept. Dial {@link #address(URI)}: URI.getHost() is null for a host name with '_', which upstream accepts.
     */
    public List<URI> routes = new ArrayList<>();

    /** What a remote server must present to route to this one ({@code authorization} or the {@code --cluster} URL). */
    public String username;
    public String password;
    /** How long an accepted route has to authenticate; see {@link #effectiveAuthTimeout()}. */
    public Duration authTimeout = Duration.ofSeconds(2);
    /** Whether {@link #authTimeout} was configured (upstream takes 0 as not configured). */
    public boolean authTimeoutSet;

    /**
     * TLS for routes, or null for plaintext. Whatever {@code verify} says, upstream requires and verifies the
     * certificate of a route that connects in, and uses {@code ca_file} for those and for the servers it dials
     * (which {@code insecure} stops verifying).
     */
    public TlsOptions tls;

    /** Connections to each remote server; -1 turns pooling (and {@link #pinnedAccounts}) off, as before 2.10. */
    public int poolSize = DEFAULT_POOL_SIZE;
    /**
     * {@code accounts}: accounts that get a route connection of their own. As configured: upstream also adds the
     * system account when {@link #poolSize} is positive.
     */
    public List<String> pinnedAccounts = new ArrayList<>();
    /** One of the COMPRESSION_ constants (aliases such as {@code fast}, {@code on} or {@code true} are resolved). */
    public String compression = COMPRESSION_ACCEPT;
    /** The RTT thresholds of {@link #COMPRESSION_S2_AUTO} (trailing zeros trimmed); empty for the other modes. */
    public List<Duration> compressionRttThresholds = new ArrayList<>();

    /** What may flow over routes; null when not configured (everything). */
    public RoutePermissions permissions;

    /** Overrides of the server's ping_interval, ping_max and write_deadline for routes; null/0: the server's. */
    public Duration pingInterval;
    public int pingMax;
    public Duration writeDeadline;
    /** {@code write_timeout} (upstream 2.14): {@code default}, {@code close} or {@code retry}; null when not set. */
    public String writeTimeout;

    /**
     * Import: the subjects this server asks remotes for (it sends them SUBs); export: the subjects remotes may
     * ask this server for (the SUBs it accepts). Either may be null: everything. Upstream's RoutePermissions.
     */
    public record RoutePermissions(AllowDeny importPermission, AllowDeny exportPermission) {
    }

    /**
     * Upstream's SubjectPermission, as config can hold it (the auth package's SubjectPermission sits above
     * config; its constructor takes these two lists as they are). A null allow allows everything not denied.
     */
    public record AllowDeny(List<String> allow, List<String> deny) {
        public AllowDeny {
            allow = allow == null ? null : List.copyOf(allow);
            deny = deny == null ? List.of() : List.copyOf(deny);
        }
    }

    /** Where to dial a route of {@link #routes} (unresolved: resolve when dialling, as names may move). */
    public static InetSocketAddress address(URI route) {
        String[] hp = hostAndPort(route);
        if (hp == null) throw new IllegalArgumentException("no port in " + route);
        return InetSocketAddress.createUnresolved(hp[0], Integer.parseInt(hp[1]));
    }

    /** Host (without IPv6 brackets) and port of a URL's authority, as written; null without a port. */
    static String[] hostAndPort(URI url) {
        String authority = url.getRawAuthority();
        if (authority == null) return null;
        return ConfigReader.splitHostPort(authority.substring(authority.lastIndexOf('@') + 1));
    }

    /** Whether a cluster port is configured: clustering is on. */
    public boolean enabled() {
        return port != 0;
    }

    /** The address to listen on: {@link #host}, or all interfaces. */
    public String listenHost() {
        return host == null || host.isEmpty() ? "0.0.0.0" : host;
    }

    /** As upstream: as configured, else the TLS timeout + 1 s with TLS, else 2 s. */
    public Duration effectiveAuthTimeout() {
        if (authTimeoutSet || tls == null) return authTimeout;
        return tls.timeout.plusSeconds(1);
    }

    /** The ping interval of routes: this block's, else the server's, at most {@link #MAX_PING_INTERVAL}. */
    public Duration effectivePingInterval(ServerOptions server) {
        Duration d = pingInterval != null && pingInterval.isPositive() ? pingInterval : server.pingInterval;
        return d.compareTo(MAX_PING_INTERVAL) > 0 ? MAX_PING_INTERVAL : d;
    }

    public int effectivePingMax(ServerOptions server) {
        return pingMax > 0 ? pingMax : server.pingMax;
    }

    public Duration effectiveWriteDeadline(ServerOptions server) {
        return writeDeadline != null && writeDeadline.isPositive() ? writeDeadline : server.writeDeadline;
    }

    /** A copy whose lists can be changed without changing this one's (field by field, as ServerOptions.copy). */
    public ClusterOptions copy() {
        return OptionsCopy.fields(this, new ClusterOptions(), OptionsCopy::lists);
    }
}
