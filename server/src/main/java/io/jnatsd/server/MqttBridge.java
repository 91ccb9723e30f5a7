package io.jnatsd.server;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.Authenticator;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.events.SystemEvents;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.monitor.ConnInfo;
import io.jnatsd.server.mqtt.MqttServices;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What MQTT connections get from the server: the options, the MQTT authenticator (the server's users with the
 * {@code mqtt} block's overrides, {@link Authenticator#forMqtt}), accounts, client ids shared with NATS clients.
 */
final class MqttBridge implements MqttServices {
    private final NatsServer server;
    private final ClientRegistry registry;
    private final Authenticator auth;

    MqttBridge(NatsServer server, ClientRegistry registry, Authenticator auth) {
        this.server = server;
        this.registry = registry;
        this.auth = auth;
    }

    /**
     * Upstream's validateMQTTOptions, run when the server is built: a server name, JetStream when standalone, a
     * positive ack_wait, consumer replicas within stream replicas, and the block's own authorization.
     */
    static Authenticator validate(ServerOptions o, Authenticator serverAuth) {
        if (!o.mqtt.enabled()) return null;
        if (o.serverName == null || o.serverName.isEmpty()) {
            throw new IllegalArgumentException("mqtt requires server name to be explicitly set");
        }
        if (!o.jetstream && !o.cluster.enabled()) {
            throw new IllegalArgumentException("mqtt requires JetStream to be enabled if running in standalone mode");
        }
        if (o.mqtt.ackWait.isNegative()) throw new IllegalArgumentException("ack wait must be a positive value");
        if (o.mqtt.consumerReplicas > 0 && o.mqtt.streamReplicas > 0 && o.mqtt.consumerReplicas > o.mqtt.streamReplicas) {
            throw new IllegalArgumentException("mqtt: consumer_replicas (" + o.mqtt.consumerReplicas
                    + ") cannot be higher than stream_replicas (" + o.mqtt.streamReplicas + ")");
        }
        try {
            return serverAuth.forMqtt(o);
        } catch (io.jnatsd.server.config.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public ServerOptions options() {
        return server.options();
    }

    @Override
    public ServerLog log() {
        return registry.log();
    }

    @Override
    public String serverName() {
        return server.serverName();
    }

    @Override
    public String jetStreamDomain() {
        return server.options().jetstreamDomain;
    }

    @Override
    public boolean authRequired() {
        return auth.authRequired();
    }

    @Override
    public User authenticate(ConnectOptions connect, List<X509Certificate> certificates, InetSocketAddress remote,
                             boolean websocket) {
        return auth.authenticate(new AuthRequest(connect, null, certificates, websocket ? "MQTT_WS" : "MQTT",
                remote == null ? null : remote.getAddress()));
    }

    @Override
    public Account account(String name) {
        return registry.account(name);
    }

    @Override
    public long nextClientId() {
        return registry.nextClientId();
    }

    @Override
    public boolean connectionOpened(io.jnatsd.server.mqtt.MqttConnection c) {
        return registry.admit();
    }

    @Override
    public void clientJoined(io.jnatsd.server.mqtt.MqttConnection c) {
        SystemEvents events = server.events();
        if (events != null) events.mqttClientConnected(c);
    }

    @Override
    public void connectionClosed(io.jnatsd.server.mqtt.MqttConnection c) {
        registry.release();
        ConnInfo last = ConnInfo.closedMqtt(c, java.time.Instant.now(), System.nanoTime());
        registry.closed().add(last);
        SystemEvents events = server.events();
        if (events != null && c.joinedAccount()) events.mqttClientClosed(c.account(), last);
    }
}
