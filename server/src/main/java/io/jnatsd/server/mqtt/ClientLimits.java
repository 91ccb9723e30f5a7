package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttProperties;

/**
 * What an MQTT 5 client's CONNECT asks of the server's sending: at most {@code receiveMaximum} QoS 1 messages
 * unacknowledged, no packet over {@code maximumPacketSize} bytes (0: no limit), topic aliases up to
 * {@code topicAliasMaximum} (0: none). A 3.1.1 client asks nothing of these.
 */
record ClientLimits(int receiveMaximum, long maximumPacketSize, int topicAliasMaximum) {
    static final ClientLimits NONE = new ClientLimits(65_535, 0, 0);

    static ClientLimits of(MqttPacket.Connect c) {
        if (!c.v5()) return NONE;
        MqttProperties p = c.props();
        return new ClientLimits((int) p.number(MqttProperties.RECEIVE_MAXIMUM, 65_535),
                p.number(MqttProperties.MAXIMUM_PACKET_SIZE, 0), (int) p.number(MqttProperties.TOPIC_ALIAS_MAXIMUM, 0));
    }
}
