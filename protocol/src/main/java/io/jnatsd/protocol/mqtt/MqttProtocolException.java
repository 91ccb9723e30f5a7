package io.jnatsd.protocol.mqtt;

/**
 * A packet the server refuses. When {@link #connAckCode()} is not 0 a 3.1.1 client is told with a CONNACK of that
 * return code before the connection is closed (MQTT 3.1.1 section 3.2.2.3); otherwise it is just closed. An MQTT 5
 * client is told {@link #reason()}, in a CONNACK during CONNECT and in a DISCONNECT after it (MQTT 5 section 4.13).
 */
public final class MqttProtocolException extends Exception {
    public static final int UNACCEPTABLE_PROTOCOL_VERSION = 1;
    public static final int IDENTIFIER_REJECTED = 2;
    public static final int SERVER_UNAVAILABLE = 3;
    public static final int BAD_USER_NAME_OR_PASSWORD = 4;
    public static final int NOT_AUTHORIZED = 5;

    private final int connAckCode;
    private final int reason;
    /** The protocol level of the CONNECT being refused, when known (0 otherwise). */
    private final int level;

    public MqttProtocolException(String message) {
        this(message, 0);
    }

    public MqttProtocolException(String message, int connAckCode) {
        this(message, connAckCode, connAckCode == 0 ? MqttReason.MALFORMED_PACKET : MqttReason.ofConnAckCode(connAckCode));
    }

    private MqttProtocolException(String message, int connAckCode, int reason) {
        this(message, connAckCode, reason, 0);
    }

    private MqttProtocolException(String message, int connAckCode, int reason, int level) {
        super(message, null, false, false);
        this.connAckCode = connAckCode;
        this.reason = reason;
        this.level = level;
    }

    /** The same refusal, of a CONNECT at protocol {@code level} (so it is answered in that level's CONNACK). */
    public MqttProtocolException atLevel(int level) {
        return new MqttProtocolException(getMessage(), connAckCode, reason, level);
    }

    public int level() {
        return level;
    }

    /** Refused with an MQTT 5 reason code; a 3.1.1 client is just closed. */
    public static MqttProtocolException withReason(String message, int reason) {
        return new MqttProtocolException(message, 0, reason);
    }

    public static MqttProtocolException malformed(String message) {
        return withReason(message, MqttReason.MALFORMED_PACKET);
    }

    public static MqttProtocolException protocolError(String message) {
        return withReason(message, MqttReason.PROTOCOL_ERROR);
    }

    public int connAckCode() {
        return connAckCode;
    }

    /** The MQTT 5 reason code. */
    public int reason() {
        return reason;
    }
}
