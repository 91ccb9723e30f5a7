package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/** What MQTT connections need from the server above them (the root implements it). */
public interface MqttServices {
    ServerOptions options();

    ServerLog log();

    /** The server's name (upstream requires one configured for MQTT: it names the server in subjects). */
    String serverName();

    /** The JetStream domain of this server, or null. */
    String jetStreamDomain();

    boolean authRequired();

    /** Authenticates as the {@code MQTT} (or, over WebSocket, {@code MQTT_WS}) connection type; null when refused. */
    User authenticate(ConnectOptions connect, List<X509Certificate> certificates, InetSocketAddress remote,
                      boolean websocket);

    Account account(String name);

    long nextClientId();

    /** An MQTT connection was accepted: counted with the NATS clients; false when over max_connections. */
    boolean connectionOpened(MqttConnection c);

    /** The connection's CONNECT was accepted and it joined its account (upstream's connect event). */
    void clientJoined(MqttConnection c);

    /** An MQTT connection has closed; its final state is kept for monitoring. */
    void connectionClosed(MqttConnection c);
}
