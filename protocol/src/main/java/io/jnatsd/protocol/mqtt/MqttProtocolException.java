package io.jnatsd.protocol.mqtt;

/**
 * A packet the server refuses. When {@link #connAckCode()} is not 0 the client is told with a CONNACK of that
 * return code before the connection is closed (MQTT 3.1.1 section 3.2.2.3); otherwise it is just closed.
 */
public final class MqttProtocolException extends Exception {
    public static final int UNACCEPTABLE_PROTOCOL_VERSION = 1;
    public static final int IDENTIFIER_REJECTED = 2;
    public static final int SERVER_UNAVAILABLE = 3;
    public static final int BAD_USER_NAME_OR_PASSWORD = 4;
    public static final int NOT_AUTHORIZED = 5;

    private final int connAckCode;

    public MqttProtocolException(String message) {
        this(message, 0);
    }

    public MqttProtocolException(String message, int connAckCode) {
        super(message, null, false, false);
        this.connAckCode = connAckCode;
    }

    public int connAckCode() {
        return connAckCode;
    }
}
