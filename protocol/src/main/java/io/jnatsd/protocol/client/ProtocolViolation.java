package io.jnatsd.protocol.client;

/**
 * Why the parser stopped reading a client connection. Each carries the -ERR text upstream
 * sends before closing, or null where upstream closes silently (argument errors).
 */
public enum ProtocolViolation {
    UNKNOWN_OPERATION("Unknown Protocol Operation"),
    MAX_CONTROL_LINE("maximum control line exceeded"),
    MAX_PAYLOAD("Maximum Payload Violation"),
    /** Wrong argument count or a malformed size: upstream closes with no -ERR. */
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
