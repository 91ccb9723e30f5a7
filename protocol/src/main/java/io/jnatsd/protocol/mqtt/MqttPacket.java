package io.jnatsd.protocol.mqtt;

import java.util.List;

/**
 * One decoded MQTT control packet. The shapes are MQTT 3.1.1's; MQTT 5 adds properties and reason codes to
 * them, which will be fields here, so the session logic above stays one.
 */
public sealed interface MqttPacket {
    // Packet types (the high nibble of the first byte), MQTT 3.1.1 section 2.2.1.
    int CONNECT = 1;
    int CONNACK = 2;
    int PUBLISH = 3;
    int PUBACK = 4;
    int PUBREC = 5;
    int PUBREL = 6;
    int PUBCOMP = 7;
    int SUBSCRIBE = 8;
    int SUBACK = 9;
    int UNSUBSCRIBE = 10;
    int UNSUBACK = 11;
    int PINGREQ = 12;
    int PINGRESP = 13;
    int DISCONNECT = 14;

    /** The packet type. */
    int type();

    /** What a client asks for when its connection ends without DISCONNECT. */
    record Will(String topic, byte[] message, int qos, boolean retain) {}

    /**
     * CONNECT. {@code clientId} may be empty (the server names the client then); {@code password} is raw bytes,
     * as the protocol carries it.
     */
    record Connect(int level, boolean cleanSession, int keepAliveSeconds, String clientId, Will will,
                   String username, byte[] password) implements MqttPacket {
        public int type() {
            return CONNECT;
        }
    }

    /** PUBLISH: {@code packetId} is 0 for QoS 0. */
    record Publish(int qos, boolean dup, boolean retain, String topic, int packetId, byte[] payload)
            implements MqttPacket {
        public int type() {
            return PUBLISH;
        }
    }

    /** PUBACK, PUBREC, PUBREL and PUBCOMP: a packet identifier and nothing else. */
    record Ack(int type, int packetId) implements MqttPacket {}

    /** One topic filter of a SUBSCRIBE with its requested QoS. */
    record Filter(String filter, int qos) {}

    record Subscribe(int packetId, List<Filter> filters) implements MqttPacket {
        public int type() {
            return SUBSCRIBE;
        }
    }

    record Unsubscribe(int packetId, List<String> filters) implements MqttPacket {
        public int type() {
            return UNSUBSCRIBE;
        }
    }

    /** PINGREQ and DISCONNECT. */
    record Bare(int type) implements MqttPacket {}
}
