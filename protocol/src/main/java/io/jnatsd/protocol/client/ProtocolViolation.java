package io.jnatsd.protocol.client;

/**
 * Why the parser stopped reading a client connection, or a route connection (the route parser
 * reuses these). Each carries the -ERR text upstream sends before closing, or null where
 * upstream closes silently (argument errors). On a route, upstream has no line limit and does
 * not check max_payload, so MAX_CONTROL_LINE and MAX_PAYLOAD only come from this server's
 * safety bounds there; their texts say what happened all the same.
 */
public enum ProtocolViolation {
    UNKNOWN_OPERATION("Unknown Protocol Operation"),
    MAX_CONTROL_LINE("maximum control line exceeded"),
    MAX_PAYLOAD("Maximum Payload Violation"),
    /**
     * Wrong argument count or a malformed size (on a route also a bad reply indicator, a header
     * size over the total, a queue weight that is not positive): upstream closes with no -ERR.
     */
    BAD_ARGUMENTS(null),
    /** HPUB from a client that did not ask for headers: upstream closes with no -ERR. */
    HEADERS_NOT_SUPPORTED(null),
    /** The client sent -ERR: upstream closes the connection. */
    CLIENT_ERROR(null);

    private final String errText;

    ProtocolViolation(String errText) {
        this.errText = errText;
    }

    /** The text inside {@code -ERR '…'}, or null when the connection closes silently. */
    public String errText() {
        return errText;
    }
}
