package io.jnatsd.server.config;

import io.jnatsd.conf.Position;
import java.time.Duration;

/**
 * The {@code mqtt {}} block (upstream's MQTTOpts): a listener for MQTT 3.1.1 clients, whose sessions, retained
 * messages and QoS 1 messages live in JetStream. Filled by {@link MqttBlock}; what needs the rest of the options
 * (a server name, JetStream, the auth overrides against the users) is checked when the server is built.
 */
public final class MqttOptions {
    /** Upstream's defaults (mqttDefaultAckWait, mqttDefaultMaxAckPending). */
    public static final Duration DEFAULT_ACK_WAIT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ACK_PENDING = 1024;

    /** The listen address; null or empty means all interfaces. */
    public String host;
    /** 0: no MQTT listener; -1: a random free port, as upstream. */
    public int port;
    /** TLS for the listener, handshake first (MQTT has no greeting); null for none. */
    public TlsOptions tls;

    // authorization { user, password, token, timeout }: overrides of the server's for MQTT clients
    public String username;
    public String password;
    public String token;
    /** {@code authorization.timeout} in seconds; 0 when not configured (the server's applies). */
    public double authTimeoutSeconds;
    /** A user of the server's {@code users} that clients without credentials become; overrides the server's. */
    public String noAuthUser;

    /** How long a QoS 1 message waits for its PUBACK before JetStream redelivers it; zero: the default. */
    public Duration ackWait = Duration.ZERO;
    /** Unacknowledged QoS 1 messages per subscription; 0: the default. */
    public int maxAckPending;
    /** The JetStream domain the MQTT streams live in (a leaf node's hub); empty: this server's. */
    public String jsDomain;
    /** Replicas of the MQTT streams and consumers; 0: as many as the cluster allows (1 here). */
    public int streamReplicas;
    public int consumerReplicas;
    /** QoS 1 consumers in memory instead of files. */
    public boolean consumerMemoryStorage;
    /** Durable QoS 1 consumers of sessions that never come back are removed after this; zero: never. */
    public Duration consumerInactiveThreshold = Duration.ZERO;

    /** Where the block, and the keys the server-level checks are about, were written; null when not from a file. */
    public Position at;
    public Position noAuthUserAt;
    public Position authorizationAt;

    public boolean enabled() {
        return port != 0;
    }

    public String listenHost() {
        return host == null || host.isEmpty() ? "0.0.0.0" : host;
    }

    /** As upstream's mqttConfigAuth: a user, a token or a no_auth_user here replaces the server's for MQTT clients. */
    public boolean authOverride() {
        return notEmpty(username) || notEmpty(token) || notEmpty(noAuthUser);
    }

    public Duration effectiveAuthTimeout(Duration serverDefault) {
        return authTimeoutSeconds != 0 ? Duration.ofNanos((long) (authTimeoutSeconds * 1e9)) : serverDefault;
    }

    public Duration effectiveAckWait() {
        return ackWait.isZero() ? DEFAULT_ACK_WAIT : ackWait;
    }

    public int effectiveMaxAckPending() {
        return maxAckPending == 0 ? DEFAULT_MAX_ACK_PENDING : maxAckPending;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    public MqttOptions copy() {
        return OptionsCopy.fields(this, new MqttOptions(), OptionsCopy::listsAndTls);
    }
}
