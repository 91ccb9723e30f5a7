package io.jnatsd.server.config;

import static io.jnatsd.server.config.ConfigReader.typeName;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.GoDuration;
import io.jnatsd.server.config.ConfigReader.HostPort;
import java.time.Duration;

/**
 * Upstream's parseWebsocket: the {@code websocket {}} block (alias {@code ws}) onto {@link WebsocketOptions}.
 * Only what upstream finds while parsing is an error here (unknown keys, wrong types, bad durations, a bad
 * {@code tls} block); the checks upstream makes when the server is created come later, with positions.
 */
final class WebsocketBlock {
    private final ConfigReader r;
    private final WebsocketOptions w;

    private WebsocketBlock(ConfigReader r, WebsocketOptions w) {
        this.r = r;
        this.w = w;
    }

    static void parse(ConfigReader r, Object v, WebsocketOptions w) {
        if (!(v instanceof ConfMap m)) throw r.error("Expected websocket to be a map, got " + typeName(v));
        w.at = r.at;
        WebsocketBlock b = new WebsocketBlock(r, w);
        r.eachKey(m, (mk, k, mv) -> b.key(m, mk, k, mv));
    }

    private void key(ConfMap m, String mk, String k, Object mv) {
        switch (k) {
            case "listen" -> {
                HostPort hp = r.hostPort(mv, w.host);
                w.host = hp.host();
                w.port = hp.port();
            }
            case "port" -> w.port = r.i32(k, mv);
            case "host", "net" -> w.host = r.str(k, mv);
            case "advertise" -> w.advertise = r.str(k, mv);
            case "no_tls" -> w.noTls = r.bool(k, mv);
            case "tls" -> w.tls = TlsBlock.client(r, mv);
            case "same_origin" -> w.sameOrigin = r.bool(k, mv);
            case "allowed_origins", "allowed_origin", "allow_origins", "allow_origin", "origins", "origin" ->
                    w.allowedOrigins = r.stringList(k, mv);
            case "handshake_timeout" -> w.handshakeTimeout = handshakeTimeout(mv);
            case "compress", "compression" -> w.compression = r.bool(k, mv);
            case "authorization", "authentication" -> authorization(mv);
            case "jwt_cookie" -> {
                w.jwtCookie = r.str(k, mv);
                w.jwtCookieAt = r.at;
            }
            case "no_auth_user" -> {
                w.noAuthUser = r.str(k, mv);
                w.noAuthUserAt = r.at;
            }
            default -> {
                if (!m.isUsedVariable(mk)) throw r.error("unknown field \"" + mk + "\"");
            }
        }
    }

    /** An integer is seconds (without upstream's deprecation warning here), a string a Go duration. */
    private Duration handshakeTimeout(Object v) {
        return switch (v) {
            case Long l -> Duration.ofSeconds(l);
            case String s -> {
                try {
                    yield GoDuration.parse(s);
                } catch (IllegalArgumentException e) {
                    throw r.error(e.getMessage());
                }
            }
            default -> throw r.error("error parsing handshake timeout: unsupported type " + typeName(v));
        };
    }

    /** Upstream's parseSimpleAuth: one user or a token, and a timeout; no users list, no permissions. */
    private void authorization(Object v) {
        if (!(v instanceof ConfMap am)) throw r.error("Expected map to define authorization, got " + typeName(v));
        w.authorizationAt = r.at;
        r.eachKey(am, (ak, k, av) -> {
            switch (k) {
                case "user", "username" -> w.username = r.str(k, av);
                case "pass", "password" -> w.password = r.str(k, av);
                case "token" -> w.token = r.str(k, av);
                case "timeout" -> w.authTimeoutSeconds = ConfigReader.authTimeoutSeconds(av);
                default -> {
                    if (!am.isUsedVariable(ak)) throw r.error("unknown field \"" + ak + "\"");
                }
            }
        });
    }
}
