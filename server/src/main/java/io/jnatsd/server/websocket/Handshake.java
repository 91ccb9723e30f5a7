package io.jnatsd.server.websocket;

/**
 * What the upgrade request told about a WebSocket client, for the connection that serves it.
 *
 * @param path      the request's path (upstream serves clients on any path)
 * @param cookieJwt the value of the {@code jwt_cookie} cookie, or null: the user JWT when CONNECT has none
 * @param browser   the User-Agent is a browser's ({@code Mozilla/...}): frames are kept to 4 KiB for it
 * @param noMasking the client asked (Nats-No-Masking) to send unmasked frames, and was allowed to
 */
public record Handshake(String path, String cookieJwt, boolean browser, boolean noMasking) {
    /** Upstream's endpoint for leaf nodes over WebSocket (path prefix {@code /leafnode}). */
    public boolean leafNode() {
        return path != null && path.startsWith("/leafnode");
    }

    /** Upstream's endpoint for MQTT clients over WebSocket (path prefix {@code /mqtt}). */
    public boolean mqtt() {
        return path != null && path.startsWith("/mqtt");
    }
}
