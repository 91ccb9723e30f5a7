package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketReader;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttProperties;
import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttReason;
import io.jnatsd.protocol.mqtt.MqttTopics;
import io.jnatsd.server.core.FlushBatch;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Messages from an MQTT client: PUBLISH at QoS 0, 1 (stored in {@code $MQTT_msgs} before PUBACK) and 2 (held in
 * {@code $MQTT_qos2in} until PUBREL, as upstream 2.10), wills, and PUBACK of what was sent. MQTT 5 adds topic
 * aliases, the properties carried as NATS headers, the reply subject for a response topic, the payload format
 * check and the server's Receive Maximum; the flow is the same for both versions.
 */
final class MqttPublishFlow {
    /** The Topic Alias Maximum the server offers (Mosquitto's default max_topic_alias). */
    static final int TOPIC_ALIAS_MAXIMUM = 10;
    /** The Receive Maximum the server offers: QoS 1 and 2 PUBLISHes a client may have unacknowledged. */
    static final int RECEIVE_MAXIMUM = 1024;

    private final MqttConnection c;
    private final Map<Integer, String> aliases = new ConcurrentHashMap<>();
    /** QoS 1 and 2 PUBLISHes received and not yet answered with PUBACK or PUBCOMP (counted on the event loop). */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Integer> qos2InFlight = ConcurrentHashMap.newKeySet();

    MqttPublishFlow(MqttConnection c) {
        this.c = c;
    }

    /** On the event loop, as a packet arrives: false when the client is past the Receive Maximum. */
    boolean admit(MqttPacket p) {
        if (!c.v5 || !(p instanceof MqttPacket.Publish pub) || pub.qos() == 0) return true;
        if (pub.qos() == 2 && !qos2InFlight.add(pub.packetId())) return true; // a resent one
        return inFlight.incrementAndGet() <= RECEIVE_MAXIMUM;
    }

    void publish(MqttPacket.Publish p) throws MqttProtocolException, JsApi.JsException {
        String topic = c.v5 ? resolveAlias(p) : p.topic();
        String subject = MqttTopics.topicToSubject(topic);
        c.countIn(p.payload().length);
        if (c.v5 && p.props().number(MqttProperties.PAYLOAD_FORMAT, 0) == 1 && !MqttPacketReader.isUtf8(p.payload())) {
            if (p.qos() == 0) {
                throw MqttProtocolException.withReason("payload is not UTF-8", MqttReason.PAYLOAD_FORMAT_INVALID);
            }
            answered(p.qos(), p.packetId()); // a refused QoS 2 exchange ends at its PUBREC
            c.send(MqttPacketWriter.ack(p.qos() == 1 ? MqttPacket.PUBACK : MqttPacket.PUBREC, p.packetId(),
                    MqttReason.PAYLOAD_FORMAT_INVALID));
            return;
        }
        if (p.qos() == 2) {
            Qos2Receiver.received(c.sessions.js, c.session, subject, p, headers(2, p.retain(), p.props()));
            c.send(MqttPacketWriter.ack(MqttPacket.PUBREC, p.packetId()));
            return;
        }
        publishMessage(subject, topic, p.qos(), p.retain(), p.payload(), p.props(), c.publishes);
        if (p.qos() > 0) {
            answered(1, p.packetId());
            c.send(MqttPacketWriter.ack(MqttPacket.PUBACK, p.packetId()));
        }
    }

    /** The topic of an MQTT 5 PUBLISH, setting or using a topic alias (section 3.3.2.3.4). */
    private String resolveAlias(MqttPacket.Publish p) throws MqttProtocolException {
        long alias = p.props().number(MqttProperties.TOPIC_ALIAS, -1);
        if (alias < 0) return p.topic();
        if (alias == 0 || alias > TOPIC_ALIAS_MAXIMUM) {
            throw MqttProtocolException.withReason("topic alias " + alias + " out of range", MqttReason.TOPIC_ALIAS_INVALID);
        }
        if (!p.topic().isEmpty()) {
            aliases.put((int) alias, p.topic());
            return p.topic();
        }
        String topic = aliases.get((int) alias);
        if (topic == null) throw MqttProtocolException.protocolError("unknown topic alias " + alias);
        return topic;
    }

    void pubRel(int packetId) throws JsApi.JsException {
        Qos2Receiver.Released r = Qos2Receiver.released(c.sessions.js, c.session, packetId);
        if (r != null) {
            String reply = c.v5 ? MqttHeaders.replyFor(MqttHeaders.read(new String(r.headers(), StandardCharsets.UTF_8)), c.sessions.responses) : null;
            publish(r.subject(), MqttTopics.subjectToTopic(r.subject()), 2, r.retain(), r.payload(), r.headers(), reply, c.publishes);
        }
        answered(2, packetId);
        c.send(MqttPacketWriter.ack(MqttPacket.PUBCOMP, packetId, r == null && c.v5 ? MqttReason.PACKET_IDENTIFIER_NOT_FOUND : 0));
    }

    void pubAck(int packetId) {
        Session.Pending p = c.session.acked(packetId);
        if (p != null && p.ackSubject() != null) c.sessions.js.publish(p.ackSubject(), new byte[0]);
    }

    /** A QoS 1 PUBLISH acknowledged, or a QoS 2 one completed: one less in flight. */
    private void answered(int qos, int packetId) {
        if (!c.v5) return;
        if (qos == 1 || qos2InFlight.remove(packetId)) inFlight.decrementAndGet();
    }


    /**
     * A PUBLISH or a will: to NATS subscribers (their deliveries in {@code batch}, which the caller
     * flushes), to the retained store, and (QoS 1) to $MQTT_msgs before PUBACK.
     */
    void publishMessage(String subject, String topic, int qos, boolean retain, byte[] payload, MqttProperties props,
                        FlushBatch batch) throws JsApi.JsException {
        publish(subject, topic, qos, retain, payload, headers(qos, retain, props),
                c.v5 ? MqttHeaders.replyFor(props, c.sessions.responses) : null, batch);
    }

    private byte[] headers(int qos, boolean retain, MqttProperties props) {
        String from = c.subscriptions.anyNoLocal() ? c.session.hash : null;
        return MqttHeaders.of(qos, retain, props, from, System.currentTimeMillis());
    }

    private void publish(String subject, String topic, int qos, boolean retain, byte[] payload, byte[] headers,
                         String reply, FlushBatch batch) throws JsApi.JsException {
        if (c.guard != null && !c.guard.canPublish(subject)) {
            c.log().error("%s - Publish Violation - User \"%s\", Subject \"%s\"", c, c.userName, subject);
            return;
        }
        if (retain) c.sessions.retain(subject, topic, payload, qos << 1 | 1, c.userName, c.v5 ? headers : null);
        c.account.publish(InboundMessage.internal(subject, reply, headers, payload), c, batch);
        if (qos > 0) c.sessions.js.store("MS", AccountSessions.MSGS_PREFIX + subject, headers, payload);
    }
}
