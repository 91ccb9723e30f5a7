package io.jnatsd.server.websocket;

/**
 * The status and reason of the Close frame the server sends before it closes a WebSocket connection
 * (RFC 6455 section 7.4). The connection kind decides them from why it closes, as upstream maps its closed
 * states; the reason is cut to fit a control frame.
 */
public record CloseStatus(int code, String reason) {
    public static final int NORMAL_CLOSURE = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int ABNORMAL_CLOSURE = 1006;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    public static final int TLS_HANDSHAKE = 1015;

    /** What a close frame's payload may hold besides the 2-byte status. */
    static final int MAX_REASON_BYTES = 125 - 2;

    /** The reason as sent: at most {@link #MAX_REASON_BYTES} bytes, else cut and ended with "...", as upstream. */
    public String wireReason() {
        String r = reason == null ? "" : reason;
        if (r.length() > MAX_REASON_BYTES) r = r.substring(0, MAX_REASON_BYTES - 3) + "...";
        return r;
    }
}
