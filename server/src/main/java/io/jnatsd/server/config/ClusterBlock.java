package io.jnatsd.server.config;

import static io.jnatsd.server.config.ConfigReader.typeName;
import static io.jnatsd.server.config.ServerCommandLine.goQuote;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.GoDuration;
import io.jnatsd.conf.Position;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.config.ClusterOptions.AllowDeny;
import io.jnatsd.server.config.ClusterOptions.RoutePermissions;
import io.jnatsd.server.config.ConfigReader.HostPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Upstream's parseCluster (nats-server 2.10+ keys): the {@code cluster {}} block onto {@link ClusterOptions}.
 * Errors carry the position of the key, and use upstream's text where upstream has one; the checks upstream
 * makes only when the server starts (compression mode, pinned accounts) are made here too, so that {@code -t}
 * reports them with their position.
 */
final class ClusterBlock {
    /** Upstream's ErrClusterNameHasSpaces. */
    static final String NAME_HAS_SPACES = "cluster name cannot contain spaces";
    private static final Set<String> ROUTE_SCHEMES = Set.of("nats-route", "nats", "tls");

    private final ConfigReader r;
    private final ClusterOptions c;
    /** The block's own {@code permissions} win over the deprecated ones in {@code authorization}, in any order. */
    private boolean permissionsSet;
    private RoutePermissions authorizationPermissions;
    private Position poolSizeAt;
    private Position accountsAt;

    private ClusterBlock(ConfigReader r, ClusterOptions c) {
        this.r = r;
        this.c = c;
    }

    static void parse(ConfigReader r, Object v, ClusterOptions c) {
        if (!(v instanceof ConfMap cm)) throw r.error("Expected map to define cluster, got " + typeName(v));
        ClusterBlock b = new ClusterBlock(r, c);
        r.eachKey(cm, (mk, k, mv) -> b.key(cm, mk, k, mv));
        b.afterKeys();
    }

    private void key(ConfMap cm, String mk, String k, Object mv) {
        switch (k) {
            case "name" -> {
                String name = r.str(k, mv);
                if (name.contains(" ")) throw r.error(NAME_HAS_SPACES);
                c.name = name;
            }
            case "listen" -> {
                HostPort hp = r.hostPort(mv, c.host);
                c.host = hp.host();
                c.port = hp.port();
                c.listen = mv instanceof String s ? s : String.valueOf(mv);
            }
            case "port" -> c.port = r.i32(k, mv);
            case "host", "net" -> c.host = r.str(k, mv);
            case "authorization" -> authorization(mk, mv);
            case "routes" -> c.routes = routes(mv);
            case "tls" -> c.tls = TlsBlock.route(r, mv);
            case "cluster_advertise", "advertise" -> c.advertise = r.str(k, mv);
            case "no_advertise" -> c.noAdvertise = r.bool(k, mv);
            case "connect_retries" -> c.connectRetries = r.i32(k, mv);
            case "connect_backoff" -> c.connectBackoff = r.bool(k, mv);
            case "permissions" -> {
                permissionsSet = true;
                c.permissions = permissions(mv);
            }
            case "pool_size" -> {
                c.poolSize = r.i32(k, mv);
                poolSizeAt = r.at;
            }
            case "accounts" -> {
                c.pinnedAccounts = r.stringList(k, mv);
                accountsAt = r.at;
            }
            case "compression" -> compression(mk, mv);
            case "ping_interval" -> {
                c.pingInterval = r.duration(k, mv);
                if (c.pingInterval.compareTo(ClusterOptions.MAX_PING_INTERVAL) > 0) {
                    r.warn("Cluster 'ping_interval' will reset to " + GoDuration.format(ClusterOptions.MAX_PING_INTERVAL)
                            + " which is the max for routes");
                }
            }
            case "ping_max" -> c.pingMax = r.i32(k, mv);
            case "write_deadline" -> c.writeDeadline = r.duration(k, mv);
            case "write_timeout" -> {
                String policy = r.str(k, mv);
                if (!Set.of("default", "close", "retry").contains(policy)) {
                    throw r.error("write_timeout must be 'default', 'close' or 'retry'");
                }
                c.writeTimeout = policy;
            }
            default -> {
                if (!cm.isUsedVariable(mk)) throw r.error("unknown field \"" + mk + "\"");
            }
        }
    }

    /** Checks between keys, each reported at the key it is about. */
    private void afterKeys() {
        if (!permissionsSet && authorizationPermissions != null) c.permissions = authorizationPermissions;
        if (c.pinnedAccounts.isEmpty()) return;
        // error() only records here: these are the last checks, nothing is left to skip
        Position top = r.at;
        if (c.poolSize < 0) {
            r.at = poolSizeAt;
            r.error("pool_size cannot be negative if pinned accounts are specified");
        }
        Set<String> seen = new HashSet<>();
        for (String a : c.pinnedAccounts) {
            if (!seen.add(a)) {
                r.at = accountsAt;
                r.error("found duplicate account name " + goQuote(a) + " in pinned accounts list "
                        + c.pinnedAccounts.stream().map(ServerCommandLine::goQuote).collect(Collectors.joining(" ", "[", "]")));
                break;
            }
        }
        r.at = top;
    }

    // ---- authorization ---------------------------------------------------------------------------------

    /** What a cluster {@code authorization} block held; routes take one user and nothing else. */
    private static final class Auth {
        String user;
        String pass;
        /** Seconds; 0 when not given. */
        double timeout;
        boolean users;
        boolean token;
        boolean callout;
        RoutePermissions permissions;
    }

    private void authorization(String mk, Object v) {
        if (!(v instanceof ConfMap am)) throw r.error("Expected map to define authorization, got " + typeName(v));
        Auth a = new Auth();
        r.eachKey(am, (ak, k, av) -> {
            switch (k) {
                case "user", "username" -> a.user = r.str(k, av);
                case "pass", "password" -> a.pass = r.str(k, av);
                case "token" -> a.token = !r.str(k, av).isEmpty();
                case "timeout" -> a.timeout = ConfigReader.authTimeoutSeconds(av);
                case "users" -> a.users = true;
                case "default_permission", "default_permissions", "permissions" -> a.permissions = permissions(av);
                case "auth_callout", "auth_hook" -> a.callout = true;
                case "proxy_required" -> r.bool(k, av);
                default -> {
                    if (!am.isUsedVariable(ak)) throw r.error("unknown field \"" + ak + "\"");
                }
            }
        });
        if (a.users) throw r.error("Cluster authorization does not allow multiple users");
        if (a.token) throw r.error("Cluster authorization does not support tokens");
        if (a.callout) throw r.error("Cluster authorization does not support callouts");
        c.username = a.user;
        c.password = a.pass;
        if (a.timeout != 0) { // upstream takes 0 as not configured
            c.authTimeout = Duration.ofNanos((long) (a.timeout * 1e9));
            c.authTimeoutSet = true;
        }
        if (a.permissions != null) {
            r.warn("invalid use of field \"" + mk
                    + "\": setting \"permissions\" within cluster authorization block is deprecated");
            authorizationPermissions = a.permissions;
        }
    }

    /**
     * Upstream's parseUserPermissions as routes take it: import (alias pub, publish) and export (sub, subscribe),
     * each a subject, a list, or {allow, deny}. Parsed here rather than by the auth package, which sits above
     * config.
     */
    private RoutePermissions permissions(Object v) {
        if (!(v instanceof ConfMap pm)) throw r.error("Expected permissions to be a map/struct, got " + v);
        AllowDeny[] importExport = new AllowDeny[2];
        boolean[] responses = {false};
        r.eachKey(pm, (pk, k, pv) -> {
            switch (k) {
                case "pub", "publish", "import" -> importExport[0] = allowDeny(pv, "import");
                case "sub", "subscribe", "export" -> importExport[1] = allowDeny(pv, "export");
                case "publish_allow_responses", "allow_responses" -> responses[0] = !Boolean.FALSE.equals(pv);
                default -> {
                    if (!pm.isUsedVariable(pk)) throw r.error("Unknown field " + goQuote(pk) + " parsing permissions");
                }
            }
        });
        if (responses[0]) throw r.error("Cluster permissions do not support dynamic responses");
        return new RoutePermissions(importExport[0], importExport[1]);
    }

    /** An empty map is no permission at all, as upstream. */
    private AllowDeny allowDeny(Object v, String what) {
        if (!(v instanceof ConfMap m)) return new AllowDeny(subjects(v, what + " allow"), null);
        if (m.isEmpty()) return null;
        var lists = new Object() {
            List<String> allow;
            List<String> deny;
        };
        r.eachKey(m, (mk, k, mv) -> {
            switch (k) {
                case "allow" -> lists.allow = subjects(mv, what + " allow");
                case "deny" -> lists.deny = subjects(mv, what + " deny");
                default -> {
                    if (!m.isUsedVariable(mk)) {
                        throw r.error("Unknown field name " + goQuote(mk)
                                + " parsing subject permissions, only 'allow' or 'deny' are permitted");
                    }
                }
            }
        });
        return new AllowDeny(lists.allow, lists.deny);
    }

    /** Upstream's checkClusterPermissionSubjects: plain subjects only (a queue group means nothing to a route). */
    private List<String> subjects(Object v, String what) {
        List<String> subjects = new ArrayList<>();
        switch (v) {
            case String s -> subjects.add(s);
            case List<?> l -> {
                for (Object o : l) {
                    if (!(o instanceof String s)) throw r.error("Subject in permissions array cannot be cast to string");
                    subjects.add(s);
                }
            }
            default -> throw r.error("Expected subject permissions to be a subject, or array of subjects, got " + typeName(v));
        }
        for (String s : subjects) {
            if (!Subjects.isValidSubject(s)) {
                throw r.error("cluster " + what + ": subject " + goQuote(s) + " is not a valid subject");
            }
        }
        return subjects;
    }

    // ---- routes --------------------------------------------------------------------------------------

    /** Each bad URL is reported at its own position; a repeated one is dropped with upstream's warning. */
    private List<URI> routes(Object v) {
        if (!(v instanceof List<?> list)) throw r.error("expected an array for \"routes\", got " + typeName(v));
        List<URI> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Position top = r.at;
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            r.at = ConfigReader.positionOf(list, i, top);
            r.recover(() -> {
                if (!(item instanceof String s)) throw r.error("expected a string in \"routes\", got " + typeName(item));
                if (!seen.add(s)) {
                    r.warn("invalid use of field \"" + s + "\": Duplicate route entry detected");
                    return;
                }
                try {
                    out.add(routeUrl(s));
                } catch (IllegalArgumentException e) {
                    throw r.error(e.getMessage());
                }
            });
        }
        r.at = top;
        return out;
    }

    /**
     * A route URL, for the file and for {@code --routes}. Upstream takes anything Go's url.Parse takes and fails
     * only when dialling; a route must be dialled, so the scheme, host and port are required here. Host names
     * java.net.URI does not take as such (with '_', as Docker's) are accepted: see {@link ClusterOptions#address}.
     *
     * @throws IllegalArgumentException with upstream's {@code error parsing route url ["..."]}, and why
     */
    static URI routeUrl(String s) {
        String url = s.trim();
        String bad = "error parsing route url [" + goQuote(url) + "]";
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(bad);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!ROUTE_SCHEMES.contains(scheme) || u.isOpaque()) {
            throw new IllegalArgumentException(bad + ": the scheme must be nats-route://, nats:// or tls://");
        }
        String[] hp = ClusterOptions.hostAndPort(u);
        if (hp == null) throw new IllegalArgumentException(bad + ": missing port");
        if (hp[0].isEmpty()) throw new IllegalArgumentException(bad + ": missing host");
        if (!hp[1].matches("[0-9]{1,5}") || Integer.parseInt(hp[1]) > 65535) {
            throw new IllegalArgumentException(bad + ": invalid port " + goQuote(hp[1]));
        }
        return u;
    }

    // ---- compression ---------------------------------------------------------------------------------

    /** Upstream's parseCompression (string, bool, or {mode, rtt_thresholds}) and its later normalisation. */
    private void compression(String mk, Object v) {
        String mode;
        List<Duration> rtts = new ArrayList<>();
        switch (v) {
            case String s -> mode = s;
            case Boolean b -> mode = b ? ClusterOptions.COMPRESSION_S2_FAST : ClusterOptions.COMPRESSION_OFF;
            case ConfMap m -> {
                String[] given = {""};
                r.eachKey(m, (ck, k, cv) -> {
                    switch (k) {
                        case "mode" -> given[0] = r.str(k, cv);
                        case "rtt_thresholds", "thresholds", "rtts", "rtt" -> rtts.addAll(thresholds(k, cv));
                        default -> {
                            if (!m.isUsedVariable(ck)) throw r.error("unknown field " + goQuote(ck));
                        }
                    }
                });
                mode = given[0];
            }
            default -> throw r.error("field " + goQuote(mk) + " should be a boolean or a structure, got " + typeName(v));
        }
        normalize(mode, rtts);
    }

    private List<Duration> thresholds(String k, Object v) {
        List<Duration> out = new ArrayList<>();
        for (String s : r.strings(k, v)) {
            try {
                out.add(GoDuration.parse(s));
            } catch (IllegalArgumentException e) {
                throw r.error(e.getMessage());
            }
        }
        return out;
    }

    /** Upstream's validateAndNormalizeCompressionOption, with "on" meaning s2_fast as for routes. */
    private void normalize(String mode, List<Duration> rtts) {
        String m = mode.toLowerCase(Locale.ROOT);
        if (m.equals("on") || m.equals("enabled") || m.equals("true")) m = ClusterOptions.COMPRESSION_S2_FAST;
        List<Duration> thresholds = List.of();
        c.compression = switch (m) {
            case "" -> ClusterOptions.COMPRESSION_ACCEPT;
            case "not supported", "not_supported" -> ClusterOptions.COMPRESSION_NOT_SUPPORTED;
            case "disabled", "off", "false" -> ClusterOptions.COMPRESSION_OFF;
            case "accept" -> ClusterOptions.COMPRESSION_ACCEPT;
            case "auto", "s2_auto" -> {
                thresholds = autoThresholds(mode, rtts);
                yield ClusterOptions.COMPRESSION_S2_AUTO;
            }
            case "fast", "s2_fast" -> ClusterOptions.COMPRESSION_S2_FAST;
            case "better", "s2_better" -> ClusterOptions.COMPRESSION_S2_BETTER;
            case "best", "s2_best" -> ClusterOptions.COMPRESSION_S2_BEST;
            default -> throw r.error("unsupported compression mode " + goQuote(mode));
        };
        c.compressionRttThresholds = new ArrayList<>(thresholds);
    }

    /**
     * At most one threshold per level (uncompressed, fast, better, best), ascending; a 0 turns its level off,
     * and trailing zeros are dropped.
     */
    private List<Duration> autoThresholds(String mode, List<Duration> given) {
        if (given.isEmpty()) return ClusterOptions.DEFAULT_RTT_THRESHOLDS;
        List<Duration> out = new ArrayList<>();
        for (Duration n : given) {
            if (n.isNegative()) n = Duration.ZERO;
            if (!n.isZero()) {
                for (Duration prev : out) {
                    if (n.compareTo(prev) < 0) {
                        throw r.error("RTT threshold values " + goList(given) + " should be in ascending order");
                    }
                }
            }
            out.add(n);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isZero()) out.remove(out.size() - 1);
        if (out.size() > 4) {
            throw r.error("compression mode " + goQuote(mode) + " should have no more than 4 RTT thresholds: "
                    + goList(given));
        }
        if (out.isEmpty()) throw r.error("compression mode " + goQuote(mode) + " requires at least one RTT threshold");
        return out;
    }

    /** Go's %v of a []time.Duration. */
    private static String goList(List<Duration> ds) {
        return ds.stream().map(GoDuration::format).collect(Collectors.joining(" ", "[", "]"));
    }
}
