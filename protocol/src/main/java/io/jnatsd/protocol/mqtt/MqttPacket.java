package io.jnatsd.protocol.mqtt;

import java.util.List;

/**
 * One decoded MQTT control packet, 3.1.1 or 5: the shapes are shared and MQTT 5's properties and reason codes are
 * fields (empty properties and reason 0 for a 3.1.1 packet), so the session logic above stays one.
 */
public sealed interface MqttPacket {
    // Packet types (the high nibble of the first byte), MQTT 3.1.1 section 2.2.1 / MQTT 5 section 2.1.2.
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
    /** MQTT 5 only. */
    int AUTH = 15;

    int LEVEL_3_1_1 = 4;
    int LEVEL_5 = 5;

    /** The packet type. */
    int type();

    /** What a client asks for when its connection ends without DISCONNECT; {@code props} are MQTT 5's will properties. */
    record Will(String topic, byte[] message, int qos, boolean retain, MqttProperties props) {
        public Will(String topic, byte[] message, int qos, boolean retain) {
            this(topic, message, qos, retain, new MqttProperties());
        }
    }

    /**
     * CONNECT. {@code clientId} may be empty (the server names the client then); {@code password} is raw bytes,
     * as the protocol carries it. {@code cleanSession} is MQTT 5's Clean Start.
     */
    record Connect(int level, boolean cleanSession, int keepAliveSeconds, String clientId, Will will,
                   String username, byte[] password, MqttProperties props) implements MqttPacket {
        public int type() {
            return CONNECT;
        }

        public boolean v5() {
            return level == LEVEL_5;
        }
    }

    /** PUBLISH: {@code packetId} is 0 for QoS 0; {@code topic} may be empty in MQTT 5 when a topic alias stands for it. */
    record Publish(int qos, boolean dup, boolean retain, String topic, int packetId, byte[] payload,
                   MqttProperties props) implements MqttPacket {
        public Publish(int qos, boolean dup, boolean retain, String topic, int packetId, byte[] payload) {
            this(qos, dup, retain, topic, packetId, payload, new MqttProperties());
        }

        public int type() {
            return PUBLISH;
        }
    }

    /** PUBACK, PUBREC, PUBREL and PUBCOMP: a packet identifier, and in MQTT 5 a reason code. */
    record Ack(int type, int packetId, int reason) implements MqttPacket {}

    /**
     * One topic filter of a SUBSCRIBE with its requested QoS and MQTT 5's subscription options (retain handling 0:
     * send retained messages, 1: only for a new subscription, 2: never).
     */
    record Filter(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
        public Filter(String filter, int qos) {
            this(filter, qos, false, false, 0);
        }
    }

    record Subscribe(int packetId, List<Filter> filters, MqttProperties props) implements MqttPacket {
        public int type() {
            return SUBSCRIBE;
        }
    }

    record Unsubscribe(int packetId, List<String> filters) implements MqttPacket {
        public int type() {
            return UNSUBSCRIBE;
        }
    }

    /** DISCONNECT with MQTT 5's reason code and properties (a 3.1.1 one has reason 0 and none). */
    record Disconnect(int reason, MqttProperties props) implements MqttPacket {
        public int type() {
            return DISCONNECT;
        }
    }

    /** PINGREQ, and MQTT 5's AUTH (refused: no enhanced authentication is offered). */
    record Bare(int type) implements MqttPacket {}
}
