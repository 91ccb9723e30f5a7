package io.jnatsd.server;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.core.MsgTrace;
import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.Authenticator;
import io.jnatsd.server.auth.Nonces;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClientServices;
import io.jnatsd.server.client.ClosedReason;
import io.jnatsd.server.client.ServerStats;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.config.WebsocketOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.ServerTls;
import io.jnatsd.server.websocket.CloseStatus;
import io.jnatsd.server.websocket.Handshake;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * NATS clients that come over WebSocket: the same {@link ClientConnection}, served by the same registry, with
 * what upstream does differently for them. Their own authorization when the websocket block overrides it (and
 * the block's TLS mapping), {@code auth_required} in INFO accordingly, the {@code jwt_cookie} as the user JWT
 * when CONNECT carries none, the {@code WEBSOCKET} connection type for users limited to some, the block's auth
 * timeout, and {@code websocket} as their type in monitoring. Everything else goes to {@link ClientRegistry}.
 */
final class WebSocketClients {
    private final ClientRegistry registry;
    /** The server's options with the block's auth timeout: what ClientConnection reads its settings from. */
    private volatile ServerOptions opts;
    /** Replaced with the server's on a reload (the users may have changed; the block may not). */
    private volatile Authenticator auth;
    private final ServerTls tls;

    WebSocketClients(NatsServer server, ClientRegistry registry, Authenticator auth, ServerTls tls) {
        this.registry = registry;
        this.opts = withBlockTimeout(server.options());
        this.auth = auth;
        this.tls = tls;
    }

    private static ServerOptions withBlockTimeout(ServerOptions server) {
        WebsocketOptions ws = server.websocket;
        ServerOptions o = server.copy();
        o.authTimeout = ws.effectiveAuthTimeout(server.effectiveAuthTimeout());
        o.authTimeoutSet = true;
        return o;
    }

    /** A reloaded configuration: the options and the authenticator derived from the server's new ones. */
    void reloaded(ServerOptions server, Authenticator derived) {
        this.opts = withBlockTimeout(server);
        this.auth = derived;
    }

    /** The services of one upgraded connection (it carries what its upgrade request said). */
    ClientServices session(Handshake handshake) {
        return new Session(handshake);
    }

    /** TLS of the WebSocket listener, or null for {@code ws://}. */
    ServerTls tls() {
        return tls;
    }

    /** The Close frame's status for an MQTT client over WebSocket, from its close reason's text. */
    static CloseStatus closeStatus(String reason) {
        if (reason == null || reason.equals(ClosedReason.CLIENT_CLOSED.text())) {
            return new CloseStatus(CloseStatus.NORMAL_CLOSURE, ClosedReason.CLIENT_CLOSED.text());
        }
        for (ClosedReason r : ClosedReason.values()) if (r.text().equals(reason)) return closeStatus(r);
        return new CloseStatus(CloseStatus.POLICY_VIOLATION, reason); // Duplicate Client ID
    }

    /** Upstream's wsEnqueueCloseMessage: the Close frame's status for each reason a client is closed. */
    static CloseStatus closeStatus(ClosedReason reason) {
        if (reason == null) return new CloseStatus(CloseStatus.NORMAL_CLOSURE, ClosedReason.CLIENT_CLOSED.text());
        int code = switch (reason) {
            case CLIENT_CLOSED -> CloseStatus.NORMAL_CLOSURE;
            case AUTHENTICATION_TIMEOUT, AUTHENTICATION_VIOLATION, SLOW_CONSUMER_PENDING_BYTES,
                 SLOW_CONSUMER_WRITE_DEADLINE, MAX_CONNECTIONS, MAX_CONTROL_LINE, MAX_SUBSCRIPTIONS,
                 AUTHENTICATION_EXPIRED, REVOCATION -> CloseStatus.POLICY_VIOLATION;
            case TLS_HANDSHAKE_ERROR -> CloseStatus.TLS_HANDSHAKE;
            case PARSE_ERROR, PROTOCOL_VIOLATION -> CloseStatus.PROTOCOL_ERROR;
            case MAX_PAYLOAD -> CloseStatus.MESSAGE_TOO_BIG;
            case SERVER_SHUTDOWN -> CloseStatus.GOING_AWAY;
            case WRITE_ERROR, READ_ERROR, STALE_CONNECTION -> CloseStatus.ABNORMAL_CLOSURE;
        };
        return new CloseStatus(code, reason.text());
    }

    /** One WebSocket client's view of the server. */
    private final class Session implements ClientServices {
        private final Handshake handshake;

        Session(Handshake handshake) {
            this.handshake = handshake;
        }

        @Override
        public ServerOptions options() {
            return opts;
        }

        @Override
        public ServerLog log() {
            return registry.log();
        }

        @Override
        public ServerStats stats() {
            return registry.stats();
        }

        @Override
        public byte[] infoLine(ClientConnection client) {
            // As upstream: the cluster's WebSocket URLs, which routes gossip (ws_connect_urls).
            return registry.infoLine(client, auth.authRequired(), true);
        }

        @Override
        public boolean authRequired() {
            return auth.authRequired();
        }

        @Override
        public User authenticate(ConnectOptions c, ClientConnection client) {
            // As upstream: without a JWT in CONNECT the cookie's is used; outside operator mode there is none.
            if ((c.jwt == null || c.jwt.isEmpty()) && handshake.cookieJwt() != null && auth.operatorMode() != null) {
                c.jwt = handshake.cookieJwt();
            }
            InetSocketAddress remote = client.remoteSocketAddress();
            AuthRequest req = new AuthRequest(c, client.nonce(), client.peerCertificates(), "WEBSOCKET",
                    remote == null ? null : remote.getAddress());
            return auth.authenticate(req);
        }

        @Override
        public String configuredAccount(ConnectOptions c) {
            return auth.configuredAccount(c);
        }

        @Override
        public boolean authIsSlow(ConnectOptions connect) {
            return auth.isSlow(connect);
        }

        @Override
        public Executor authExecutor() {
            return registry.authExecutor();
        }

        @Override
        public String authFailureText(ConnectOptions connect) {
            return auth.failureText(connect);
        }

        @Override
        public User noAuthUser() {
            return auth.noAuthUser();
        }

        @Override
        public String newNonce() {
            return auth.needsNonce() ? Nonces.generate() : null;
        }

        @Override
        public ServerTls tls() {
            return tls;
        }

        @Override
        public Account account(String name) {
            return registry.account(name);
        }

        @Override
        public boolean register(ClientConnection client) {
            return registry.register(client);
        }

        @Override
        public void sendMsgTrace(MsgTrace trace) {
            registry.sendMsgTrace(trace);
        }

        @Override
        public void clientConnected(ClientConnection client) {
            registry.clientConnected(client);
        }

        @Override
        public void unregister(ClientConnection client) {
            registry.unregister(client);
        }

        @Override
        public long nextClientId() {
            return registry.nextClientId();
        }

        @Override
        public String clientType() {
            return "websocket";
        }
    }
}
