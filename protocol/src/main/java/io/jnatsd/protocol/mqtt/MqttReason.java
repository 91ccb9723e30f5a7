package io.jnatsd.protocol.mqtt;

/** MQTT 5 reason codes (section 2.4) the server sends. */
public final class MqttReason {
    public static final int SUCCESS = 0x00;
    public static final int GRANTED_QOS_1 = 0x01;
    public static final int DISCONNECT_WITH_WILL = 0x04;
    public static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    public static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    public static final int UNSPECIFIED_ERROR = 0x80;
    public static final int MALFORMED_PACKET = 0x81;
    public static final int PROTOCOL_ERROR = 0x82;
    public static final int IMPLEMENTATION_SPECIFIC_ERROR = 0x83;
    public static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    public static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    public static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    public static final int NOT_AUTHORIZED = 0x87;
    public static final int SERVER_UNAVAILABLE = 0x88;
    public static final int SERVER_SHUTTING_DOWN = 0x8B;
    public static final int BAD_AUTHENTICATION_METHOD = 0x8C;
    public static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    public static final int SESSION_TAKEN_OVER = 0x8E;
    public static final int TOPIC_FILTER_INVALID = 0x8F;
    public static final int TOPIC_NAME_INVALID = 0x90;
    public static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    public static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    public static final int TOPIC_ALIAS_INVALID = 0x94;
    public static final int PACKET_TOO_LARGE = 0x95;
    public static final int QUOTA_EXCEEDED = 0x97;
    public static final int PAYLOAD_FORMAT_INVALID = 0x99;
    public static final int SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E;

    private MqttReason() {}

    /** The MQTT 5 reason for a 3.1.1 CONNACK return code (section 3.2.2.3 of each). */
    public static int ofConnAckCode(int code) {
        return switch (code) {
            case MqttProtocolException.UNACCEPTABLE_PROTOCOL_VERSION -> UNSUPPORTED_PROTOCOL_VERSION;
            case MqttProtocolException.IDENTIFIER_REJECTED -> CLIENT_IDENTIFIER_NOT_VALID;
            case MqttProtocolException.SERVER_UNAVAILABLE -> SERVER_UNAVAILABLE;
            case MqttProtocolException.BAD_USER_NAME_OR_PASSWORD -> BAD_USER_NAME_OR_PASSWORD;
            case MqttProtocolException.NOT_AUTHORIZED -> NOT_AUTHORIZED;
            default -> UNSPECIFIED_ERROR;
        };
    }
}
