package io.jnatsd.server.mqtt;

import io.jnatsd.server.config.MqttOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.net.ServerTls;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MQTT side of a server (upstream's srvMQTT): sets up each socket of the {@code mqtt {}} listener, keeps the
 * live MQTT connections for monitoring, and each account's {@link AccountSessions}, made on the account's first
 * MQTT connection.
 */
public final class MqttClients {
    private final MqttServices services;
    private final ServerTls tls;
    private final Set<MqttConnection> connections = ConcurrentHashMap.newKeySet();
    private final Map<Account, java.util.concurrent.CompletableFuture<AccountSessions>> sessions =
            new ConcurrentHashMap<>();

    public MqttClients(MqttServices services, ServerTls tls) {
        this.services = services;
        this.tls = tls;
    }

    MqttServices services() {
        return services;
    }

    MqttOptions mqtt() {
        return services.options().mqtt;
    }

    Duration authTimeout() {
        return mqtt().effectiveAuthTimeout(services.options().effectiveAuthTimeout());
    }

    /** TLS of the listener, or null. */
    public ServerTls tls() {
        return tls;
    }

    /** Sets up one accepted socket: [TLS] → packets → the connection. */
    public void initChannel(Channel ch) {
        if (tls != null) tls.install(ch.pipeline(), ch.alloc(), false);
        addHandlers(ch, false);
    }

    /**
     * Takes over an upgraded socket of the websocket listener's {@code /mqtt} endpoint (its frames already turned
     * into a byte stream in front); the caller fires channelActive. Returns the connection (for its close reason).
     */
    public MqttConnection initWebSocketChannel(Channel ch) {
        return addHandlers(ch, true);
    }

    private MqttConnection addHandlers(Channel ch, boolean websocket) {
        MqttConnection c = new MqttConnection(this, ch, websocket);
        ch.pipeline().addLast(new MqttFrameDecoder(maxRemainingLength()), new MqttChannelHandler(c));
        return c;
    }

    /** A PUBLISH carries up to max_payload bytes plus its topic (at most 64 KiB), its properties and header. */
    private long maxRemainingLength() {
        return (long) services.options().maxPayload + 65_536 + 16;
    }

    /** The largest packet accepted (MQTT 5's Maximum Packet Size: fixed header included). */
    long maxPacketSize() {
        return Math.min(maxRemainingLength() + 5, io.jnatsd.protocol.mqtt.MqttPacketReader.MAX_REMAINING_LENGTH + 5L);
    }

    /** The account's MQTT state, made by the first caller (others wait for it, holding no lock). */
    AccountSessions sessions(Account account) throws JsApi.JsException, InterruptedException {
        var mine = new java.util.concurrent.CompletableFuture<AccountSessions>();
        var made = sessions.putIfAbsent(account, mine);
        if (made == null) {
            try {
                mine.complete(AccountSessions.create(account, services.serverName(), mqtt(), services.jetStreamDomain(),
                        services.log()));
            } catch (JsApi.JsException | RuntimeException e) {
                sessions.remove(account, mine); // the next connection tries again
                mine.completeExceptionally(e);
                throw e;
            }
            made = mine;
        }
        try {
            return made.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof JsApi.JsException js) throw js;
            throw new JsApi.JsException(0, String.valueOf(e.getCause()));
        }
    }

    /** False when the server has max_connections clients already (the connection is then closed, unlisted). */
    boolean opened(MqttConnection c) {
        if (!services.connectionOpened(c)) return false;
        connections.add(c);
        return true;
    }

    void closed(MqttConnection c) {
        if (connections.remove(c)) services.connectionClosed(c);
        synchronized (connections) {
            connections.notifyAll();
        }
    }

    /** The live MQTT connections (a snapshot). */
    public List<MqttConnection> connections() {
        return new ArrayList<>(connections);
    }

    /**
     * Closes every MQTT client (server shutdown) and waits, up to {@code timeoutMillis}, until each has released
     * its session and sent its will: that needs JetStream, which stops next.
     */
    public void closeAll(long timeoutMillis) {
        for (MqttConnection c : connections()) c.close("Server Shutdown", io.jnatsd.protocol.mqtt.MqttReason.SERVER_SHUTTING_DOWN);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (connections) {
            while (!connections.isEmpty() && System.nanoTime() < deadline) {
                try {
                    connections.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
