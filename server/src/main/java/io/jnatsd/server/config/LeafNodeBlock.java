package io.jnatsd.server.config;

import static io.jnatsd.server.config.ConfigReader.typeName;
import static io.jnatsd.server.config.ServerCommandLine.goQuote;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.Position;
import io.jnatsd.server.config.ConfigReader.HostPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Upstream's parseLeafNodes, parseLeafAuthorization and parseRemoteLeafNodes (2.9): the
 * {@code leafnodes {}} block onto {@link LeafNodeOptions}, each error at its key's position.
 */
final class LeafNodeBlock {
    private static final Set<String> SCHEMES = Set.of("nats-leaf", "nats", "tls", "ws", "wss");

    private final ConfigReader r;
    private final LeafNodeOptions o;

    private LeafNodeBlock(ConfigReader r, LeafNodeOptions o) {
        this.r = r;
        this.o = o;
    }

    static void parse(ConfigReader r, Object v, LeafNodeOptions o) {
        if (!(v instanceof ConfMap cm)) throw r.error("Expected map to define a leafnode, got " + typeName(v));
        LeafNodeBlock b = new LeafNodeBlock(r, o);
        r.eachKey(cm, (mk, k, mv) -> b.key(cm, mk, k, mv));
    }

    private void key(ConfMap cm, String mk, String k, Object mv) {
        switch (k) {
            case "listen" -> {
                HostPort hp = r.hostPort(mv, o.host);
                o.host = hp.host();
                o.port = hp.port();
            }
            case "port" -> o.port = r.i32(k, mv);
            case "host", "net" -> o.host = r.str(k, mv);
            case "authorization" -> authorization(mv);
            case "remotes" -> remotes(mv);
            case "reconnect", "reconnect_delay", "reconnect_interval" -> o.reconnect = Duration.ofSeconds(r.i64(k, mv));
            case "tls" -> o.tls = TlsBlock.route(r, mv);
            case "leafnode_advertise", "advertise" -> o.advertise = r.str(k, mv);
            case "no_advertise" -> o.noAdvertise = r.bool(k, mv);
            case "min_version", "minimum_version" -> {
                try {
                    o.minVersion = ServerVersion.checkLeafMinimum(r.str(k, mv));
                } catch (IllegalArgumentException e) {
                    throw r.error(e.getMessage());
                }
            }
            default -> {
                if (!cm.isUsedVariable(mk)) throw r.error("unknown field \"" + mk + "\"");
            }
        }
    }

    private void authorization(Object v) {
        if (!(v instanceof ConfMap am)) throw r.error("Expected map to define authorization, got " + typeName(v));
        r.eachKey(am, (ak, k, av) -> {
            switch (k) {
                case "user", "username" -> o.username = r.str(k, av);
                case "pass", "password" -> o.password = r.str(k, av);
                case "timeout" -> o.authTimeout = Duration.ofNanos((long) (ConfigReader.authTimeoutSeconds(av) * 1e9));
                case "account" -> o.account = r.str(k, av);
                case "users" -> users(av);
                default -> {
                    if (!am.isUsedVariable(ak)) throw r.error("unknown field \"" + ak + "\"");
                }
            }
        });
        if (!o.users.isEmpty() && o.username != null && !o.username.isEmpty()) {
            throw r.error("can not have a single user/pass and a users array");
        }
    }

    private void users(Object v) {
        if (!(v instanceof List<?> list)) throw r.error("Expected users field to be an array, got " + v);
        Set<String> seen = new HashSet<>();
        Position top = r.at;
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            r.at = ConfigReader.positionOf(list, i, top);
            r.recover(() -> {
                if (!(item instanceof ConfMap um)) throw r.error("Expected user entry to be a map/struct, got " + item);
                String[] f = new String[3];
                r.eachKey(um, (uk, k, uv) -> {
                    switch (k) {
                        case "user", "username" -> f[0] = r.str(k, uv);
                        case "pass", "password" -> f[1] = r.str(k, uv);
                        case "account" -> f[2] = r.str(k, uv);
                        default -> {
                            if (!um.isUsedVariable(uk)) throw r.error("unknown field \"" + uk + "\"");
                        }
                    }
                });
                if (!seen.add(f[0] == null ? "" : f[0])) {
                    throw r.error("duplicate user " + goQuote(f[0]) + " detected in leafnode authorization");
                }
                o.users.add(new LeafNodeOptions.LeafUser(f[0], f[1], f[2]));
            });
        }
        r.at = top;
    }

    private void remotes(Object v) {
        if (!(v instanceof List<?> list)) throw r.error("Expected remotes field to be an array, got " + typeName(v));
        Position top = r.at;
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            r.at = ConfigReader.positionOf(list, i, top);
            r.recover(() -> {
                if (!(item instanceof ConfMap rm)) throw r.error("Expected remote leafnode entry to be a map/struct, got " + item);
                LeafNodeOptions.Remote remote = new LeafNodeOptions.Remote();
                r.eachKey(rm, (rk, k, rv) -> remoteKey(rm, remote, rk, k, rv));
                boolean urlGiven = rm.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("url") || k.equalsIgnoreCase("urls"));
                if (remote.urls.isEmpty() && !urlGiven) throw r.error("remote leafnode entry must have at least one url");
                if (remote.urls.stream().map(LeafNodeBlock::isWebSocket).distinct().count() > 1) {
                    throw r.error("remote leaf node configuration cannot have a mix of websocket and non-websocket urls: "
                            + goQuote(remote.urls.toString()));
                }
                o.remotes.add(remote);
            });
        }
        r.at = top;
    }

    private void remoteKey(ConfMap rm, LeafNodeOptions.Remote remote, String rk, String k, Object rv) {
        switch (k) {
            case "no_randomize", "dont_randomize" -> remote.noRandomize = r.bool(k, rv);
            case "url", "urls" -> {
                List<String> urls = switch (rv) {
                    case String s -> List.of(s);
                    case List<?> l -> r.strings(k, l);
                    default -> throw r.error("Expected remote leafnode url to be an array or string, got " + rv);
                };
                for (String u : urls) remote.urls.add(url(u));
            }
            case "account", "local" -> remote.account = r.str(k, rv);
            case "creds", "credentials" -> remote.credentials = r.str(k, rv);
            case "tls" -> remote.tls = TlsBlock.route(r, rv);
            case "hub" -> remote.hub = r.bool(k, rv);
            case "deny_imports", "deny_import" -> remote.denyImports = r.stringList(k, rv);
            case "deny_exports", "deny_export" -> remote.denyExports = r.stringList(k, rv);
            case "ws_compress", "ws_compression", "websocket_compress", "websocket_compression" -> remote.wsCompression = r.bool(k, rv);
            case "ws_no_masking", "websocket_no_masking" -> remote.wsNoMasking = r.bool(k, rv);
            case "jetstream_cluster_migrate", "js_cluster_migrate" -> {
                // accepted for compatibility: JetStream is not extended across leaf connections here
            }
            default -> {
                if (!rm.isUsedVariable(rk)) throw r.error("unknown field \"" + rk + "\"");
            }
        }
    }

    private static boolean isWebSocket(URI u) {
        String s = u.getScheme();
        return s != null && (s.equalsIgnoreCase("ws") || s.equalsIgnoreCase("wss"));
    }

    /** A remote URL: a scheme leaf connections use, a host and a port (upstream's default 7422 when none). */
    private URI url(String s) {
        String bad = "error parsing remote leafnode url " + goQuote(s);
        URI u;
        try {
            u = new URI(s.trim());
        } catch (URISyntaxException e) {
            throw r.error(bad + ": " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme) || u.isOpaque()) {
            throw r.error(bad + ": the scheme must be nats-leaf://, nats://, tls://, ws:// or wss://");
        }
        String[] hp = ClusterOptions.hostAndPort(u);
        if (hp == null) {
            try {
                u = new URI(u.getScheme(), u.getRawUserInfo(), u.getHost(), 7422, u.getRawPath(), null, null);
            } catch (URISyntaxException e) {
                throw r.error(bad);
            }
        } else if (hp[0].isEmpty()) {
            throw r.error(bad + ": missing host");
        }
        return u;
    }
}
