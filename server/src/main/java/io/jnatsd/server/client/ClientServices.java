package io.jnatsd.server.client;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.MsgTrace;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.ServerTls;

/** What a client connection needs from the server that owns it. */
public interface ClientServices {
    ServerOptions options();

    ServerLog log();

    ServerStats stats();

    /** The INFO line (with {@code INFO } prefix and the trailing space and CRLF) for this client. */
    byte[] infoLine(ClientConnection client);

    /** Whether clients must authenticate (decides whether ops before CONNECT are allowed). */
    boolean authRequired();

    /** Checks CONNECT's credentials; returns who the client is, or null when they are wrong. */
    User authenticate(ConnectOptions connect, ClientConnection client);

    /** Whether checking these credentials is slow (bcrypt): then it runs on {@link #authExecutor()}. */
    boolean authIsSlow(ConnectOptions connect);

    /** Where slow credential checks run, off the event loops. */
    java.util.concurrent.Executor authExecutor();

    /** The error text logged when a client is refused (names the user or nkey tried, never a secret). */
    String authFailureText(ConnectOptions connect);

    /** The user a client becomes without credentials ({@code no_auth_user}), or null. */
    User noAuthUser();

    /** A fresh nonce for this client's INFO when nkey users need one, else null. */
    String newNonce();

    /** The TLS in force for client connections, or null without TLS. */
    ServerTls tls();

    /** The account a user is bound to, by name; null when there is no such account. */
    Account account(String name);

    /**
     * After a reload: the account the nkey or user named by {@code connect} is bound to now, {@code ""} when it
     * names none, null when that user is no longer configured (see {@code Authenticator.configuredAccount}).
     */
    default String configuredAccount(ConnectOptions connect) {
        return "";
    }

    /** Admits a new connection; false when max_connections is reached. */
    boolean register(ClientConnection client);

    /** CONNECT was accepted: the client is bound to its account (for the connect event). */
    void clientConnected(ClientConnection client);

    /** The connection has closed and its counters are final. */
    void unregister(ClientConnection client);

    long nextClientId();

    /** Sends a traced message's event to its destination (upstream's message tracing). */
    default void sendMsgTrace(MsgTrace trace) {
    }

    /**
     * How the client reaches the server, as upstream's monitoring names it: {@code nats} for a socket,
     * {@code websocket} for a WebSocket connection (the transport in front of the same protocol).
     */
    default String clientType() {
        return "nats";
    }
}
