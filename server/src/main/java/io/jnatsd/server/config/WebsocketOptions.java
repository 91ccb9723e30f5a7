package io.jnatsd.server.config;

import io.jnatsd.conf.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code websocket {}} block (upstream's WebsocketOpts): a second client listener that speaks NATS over
 * WebSocket. Filled by {@link WebsocketBlock}; what can only be checked against the rest of the options (TLS
 * required, the auth overrides against the users) is checked when the server is built. Positions are kept so that
 * those checks, too, name the place in the file.
 */
public final class WebsocketOptions {
    /** The listen address; null or empty means all interfaces. */
    public String host;
    /** 0: no WebSocket listener; -1: a random free port, as upstream. */
    public int port;
    /** host:port to advertise to WebSocket clients instead of the listen address. */
    public String advertise;
    /** Plain {@code ws://} without a {@link #tls} block; upstream refuses a listener with neither. */
    public boolean noTls;
    /** TLS for the listener ({@code wss://}): the handshake comes first, as HTTPS does; null for none. */
    public TlsOptions tls;
    /** The Origin header, when present, must name the host and port the request was sent to. */
    public boolean sameOrigin;
    /** When not empty, the Origin header, when present, must be one of these (scheme, host and port). */
    public List<String> allowedOrigins = new ArrayList<>();
    /** Offer permessage-deflate to clients that ask for it. */
    public boolean compression;
    /** How long the TLS handshake plus the HTTP upgrade may take; zero for no limit (upstream's default). */
    public Duration handshakeTimeout = Duration.ZERO;

    // authorization { user, password, token, timeout }: overrides of the server's for WebSocket clients
    public String username;
    public String password;
    public String token;
    /** {@code authorization.timeout} in seconds; 0 when not configured (the server's applies). */
    public double authTimeoutSeconds;
    /** A user of the server's {@code users} that clients without credentials become; overrides the server's. */
    public String noAuthUser;
    /** The name of the cookie whose value is the user JWT when CONNECT carries none (operator mode). */
    public String jwtCookie;

    /** Where the block, and the keys the server-level checks are about, were written; null when not from a file. */
    public Position at;
    public Position noAuthUserAt;
    public Position jwtCookieAt;
    public Position authorizationAt;

    /** Whether a WebSocket port is configured. */
    public boolean enabled() {
        return port != 0;
    }

    /** The address to listen on: {@link #host}, or all interfaces. */
    public String listenHost() {
        return host == null || host.isEmpty() ? "0.0.0.0" : host;
    }

    /**
     * As upstream's wsConfigAuth: a user, a token or a no_auth_user in the block replaces the server's
     * single user, token and no_auth_user for WebSocket clients (a password or a timeout alone does not).
     */
    public boolean authOverride() {
        return notEmpty(username) || notEmpty(token) || notEmpty(noAuthUser);
    }

    /** The auth timeout of WebSocket clients: this block's when configured, else {@code serverDefault}. */
    public Duration effectiveAuthTimeout(Duration serverDefault) {
        return authTimeoutSeconds != 0 ? Duration.ofNanos((long) (authTimeoutSeconds * 1e9)) : serverDefault;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    /** A copy whose list can be changed without changing this one's. */
    public WebsocketOptions copy() {
        return OptionsCopy.fields(this, new WebsocketOptions(), OptionsCopy::listsAndTls);
    }
}
