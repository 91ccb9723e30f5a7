package io.jnatsd.server.config;

import static io.jnatsd.server.config.ConfigReader.typeName;
import static io.jnatsd.server.config.ServerCommandLine.goQuote;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.Position;
import io.jnatsd.server.config.ConfigReader.HostPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * Upstream's parseGateway and parseGateways (2.9): the {@code gateway {}} block onto
 * {@link GatewayOptions}, each error at its key's position with upstream's text.
 */
final class GatewayBlock {
    private final ConfigReader r;
    private final GatewayOptions o;

    private GatewayBlock(ConfigReader r, GatewayOptions o) {
        this.r = r;
        this.o = o;
    }

    static void parse(ConfigReader r, Object v, GatewayOptions o) {
        if (!(v instanceof ConfMap cm)) throw r.error("Expected gateway to be a map, got " + ConfigReader.goTypeName(v));
        GatewayBlock b = new GatewayBlock(r, o);
        r.eachKey(cm, (mk, k, mv) -> b.key(cm, mk, k, mv));
    }

    private void key(ConfMap cm, String mk, String k, Object mv) {
        switch (k) {
            case "name" -> o.name = r.str(k, mv);
            case "listen" -> {
                HostPort hp = r.hostPort(mv, o.host);
                o.host = hp.host();
                o.port = hp.port();
            }
            case "port" -> o.port = r.i32(k, mv);
            case "host", "net" -> o.host = r.str(k, mv);
            case "authorization" -> authorization(mv);
            case "tls" -> o.tls = TlsBlock.route(r, mv);
            case "advertise" -> o.advertise = r.str(k, mv);
            case "connect_retries" -> o.connectRetries = r.i32(k, mv);
            case "gateways" -> gateways(mv);
            case "reject_unknown", "reject_unknown_cluster" -> o.rejectUnknown = r.bool(k, mv);
            default -> {
                if (!cm.isUsedVariable(mk)) throw r.error("unknown field \"" + mk + "\"");
            }
        }
    }

    /** One user and password, as upstream: no users list, no token. */
    private void authorization(Object v) {
        if (!(v instanceof ConfMap am)) throw r.error("Expected map to define authorization, got " + typeName(v));
        Position at = r.at;
        boolean[] usersOrToken = new boolean[2];
        String[] userPass = new String[2];
        double[] timeout = {0};
        r.eachKey(am, (ak, k, av) -> {
            switch (k) {
                case "user", "username" -> userPass[0] = r.str(k, av);
                case "pass", "password" -> userPass[1] = r.str(k, av);
                case "token" -> usersOrToken[1] = !r.str(k, av).isEmpty();
                case "timeout" -> timeout[0] = ConfigReader.authTimeoutSeconds(av);
                case "users" -> usersOrToken[0] = true;
                default -> {
                    if (!am.isUsedVariable(ak)) throw r.error("unknown field \"" + ak + "\"");
                }
            }
        });
        r.at = at;
        if (usersOrToken[0]) throw r.error("Gateway authorization does not allow multiple users");
        if (usersOrToken[1]) throw r.error("Gateway authorization does not support tokens");
        o.username = userPass[0];
        o.password = userPass[1];
        if (timeout[0] != 0) o.authTimeout = Duration.ofNanos((long) (timeout[0] * 1e9));
    }

    private void gateways(Object v) {
        if (!(v instanceof List<?> list)) throw r.error("Expected gateways field to be an array, got " + ConfigReader.goTypeName(v));
        Position top = r.at;
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            r.at = ConfigReader.positionOf(list, i, top);
            r.recover(() -> {
                if (!(item instanceof ConfMap gm)) throw r.error("Expected gateway entry to be a map/struct, got " + item);
                GatewayOptions.Remote remote = new GatewayOptions.Remote();
                r.eachKey(gm, (gk, k, gv) -> remoteKey(gm, remote, gk, k, gv));
                o.gateways.add(remote);
            });
        }
        r.at = top;
    }

    private void remoteKey(ConfMap gm, GatewayOptions.Remote remote, String gk, String k, Object gv) {
        switch (k) {
            case "name" -> remote.name = r.str(k, gv);
            case "tls" -> remote.tls = TlsBlock.route(r, gv);
            case "url" -> remote.urls.add(url(r.str(k, gv)));
            case "urls" -> {
                if (!(gv instanceof List<?> l)) throw r.error("Expected urls to be an array, got " + typeName(gv));
                remote.urls.clear();
                for (String u : r.strings(k, l)) remote.urls.add(url(u));
            }
            default -> {
                if (!gm.isUsedVariable(gk)) throw r.error("unknown field \"" + gk + "\"");
            }
        }
    }

    /** Upstream's parseURL for gateways: any URL with a host and port. */
    private URI url(String s) {
        try {
            URI u = new URI(s.trim());
            if (u.getScheme() == null) u = new URI("nats://" + s.trim());
            return u;
        } catch (URISyntaxException e) {
            throw r.error("error parsing gateway url " + goQuote(s) + ": " + e.getReason());
        }
    }
}
