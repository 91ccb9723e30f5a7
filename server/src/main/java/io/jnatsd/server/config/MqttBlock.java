package io.jnatsd.server.config;

import static io.jnatsd.server.config.ConfigReader.typeName;

import io.jnatsd.conf.ConfMap;
import io.jnatsd.server.config.ConfigReader.HostPort;

/**
 * Upstream's parseMQTT: the {@code mqtt {}} block onto {@link MqttOptions}. Only parse errors here (unknown keys,
 * wrong types, bad durations, max_ack_pending out of range); the checks upstream makes when the server is created
 * (server name, JetStream, auth overrides) come later, with positions.
 */
final class MqttBlock {
    private final ConfigReader r;
    private final MqttOptions o;

    private MqttBlock(ConfigReader r, MqttOptions o) {
        this.r = r;
        this.o = o;
    }

    static void parse(ConfigReader r, Object v, MqttOptions o) {
        if (!(v instanceof ConfMap m)) throw r.error("Expected mqtt to be a map, got " + typeName(v));
        o.at = r.at;
        MqttBlock b = new MqttBlock(r, o);
        r.eachKey(m, (mk, k, mv) -> b.key(m, mk, k, mv));
    }

    private void key(ConfMap m, String mk, String k, Object mv) {
        switch (k) {
            case "listen" -> {
                HostPort hp = r.hostPort(mv, o.host);
                o.host = hp.host();
                o.port = hp.port();
            }
            case "port" -> o.port = r.i32(k, mv);
            case "host", "net" -> o.host = r.str(k, mv);
            case "tls" -> o.tls = TlsBlock.client(r, mv);
            case "authorization", "authentication" -> authorization(mv);
            case "no_auth_user" -> {
                o.noAuthUser = r.str(k, mv);
                o.noAuthUserAt = r.at;
            }
            case "ack_wait", "ackwait" -> o.ackWait = r.duration("ack_wait", mv);
            case "max_ack_pending", "max_pending", "max_inflight" -> {
                long n = r.i64(k, mv);
                if (n < 0 || n > 0xFFFF) throw r.error("invalid value " + n + ", should in [0..65535] range");
                o.maxAckPending = (int) n;
            }
            case "js_domain" -> o.jsDomain = r.str(k, mv);
            case "stream_replicas" -> o.streamReplicas = r.i32(k, mv);
            case "consumer_replicas" -> o.consumerReplicas = r.i32(k, mv);
            case "consumer_memory_storage" -> o.consumerMemoryStorage = r.bool(k, mv);
            case "consumer_inactive_threshold", "consumer_auto_cleanup" ->
                    o.consumerInactiveThreshold = r.duration("consumer_inactive_threshold", mv);
            default -> {
                if (!m.isUsedVariable(mk)) throw r.error("unknown field \"" + mk + "\"");
            }
        }
    }

    /** Upstream's parseSimpleAuth: one user or a token, and a timeout. */
    private void authorization(Object v) {
        if (!(v instanceof ConfMap am)) throw r.error("Expected map to define authorization, got " + typeName(v));
        o.authorizationAt = r.at;
        r.eachKey(am, (ak, k, av) -> {
            switch (k) {
                case "user", "username" -> o.username = r.str(k, av);
                case "pass", "password" -> o.password = r.str(k, av);
                case "token" -> o.token = r.str(k, av);
                case "timeout" -> o.authTimeoutSeconds = ConfigReader.authTimeoutSeconds(av);
                default -> {
                    if (!am.isUsedVariable(ak)) throw r.error("unknown field \"" + ak + "\"");
                }
            }
        });
    }
}
