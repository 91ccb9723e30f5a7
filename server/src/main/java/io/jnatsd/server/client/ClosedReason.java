package io.jnatsd.server.client;

/** Why a client connection ended, in upstream's words (as /connz reports them). */
public enum ClosedReason {
    CLIENT_CLOSED("Client Closed"),
    SERVER_SHUTDOWN("Server Shutdown"),
    PROTOCOL_VIOLATION("Protocol Violation"),
    PARSE_ERROR("Parse Error"),
    MAX_PAYLOAD("Maximum Message Payload Exceeded"),
    MAX_CONTROL_LINE("Maximum Control Line Exceeded"),
    MAX_CONNECTIONS("Maximum Connections Exceeded"),
    MAX_SUBSCRIPTIONS("Maximum Subscriptions Exceeded"),
    AUTHENTICATION_TIMEOUT("Authentication Timeout"),
    AUTHENTICATION_VIOLATION("Authentication Failure"),
    AUTHENTICATION_EXPIRED("Authentication Expired"),
    REVOCATION("Credentials Revoked"),
    STALE_CONNECTION("Stale Connection"),
    SLOW_CONSUMER_PENDING_BYTES("Slow Consumer (Pending Bytes)"),
    SLOW_CONSUMER_WRITE_DEADLINE("Slow Consumer (Write Deadline)"),
    WRITE_ERROR("Write Error"),
    READ_ERROR("Read Error"),
    TLS_HANDSHAKE_ERROR("TLS Handshake Failure");

    private final String text;

    ClosedReason(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
