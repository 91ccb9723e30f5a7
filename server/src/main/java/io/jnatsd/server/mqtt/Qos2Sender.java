package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttReason;
import io.jnatsd.server.config.MqttOptions;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscription;
import java.nio.charset.StandardCharsets;

/**
 * QoS 2 as the sender, as upstream 2.10 does it (2.9.10 grants QoS 1 instead): a QoS 2 PUBLISH goes out from the
 * subscription's consumer like QoS 1; its PUBREC acks that message and stores a PUBREL record
 * ({@code Nmqtt-PubRel: <packet id>}) in {@code $MQTT_out} under {@code $MQTT.out.pubrel.<session hash>}; the
 * session's durable consumer of those records sends the PUBREL, again after ack_wait or a reconnect until PUBCOMP
 * acks the record (interest retention then drops it). So a PUBLISH is never resent once PUBREC came, and a PUBREL
 * is resent until PUBCOMP, across reconnects and restarts (MQTT 3.1.1 section 4.3.3, MQTT 5 section 4.3.3).
 */
final class Qos2Sender {
    static final String DURABLE_PREFIX = "$MQTT_PUBREL_";
    private static final String HEADER = "Nmqtt-PubRel";

    private final MqttConnection c;
    /** The subscription on this session's PUBREL deliver subject, once the session has sent QoS 2. */
    private volatile Subscription sub;

    Qos2Sender(MqttConnection c) {
        this.c = c;
    }

    /** Makes the PUBREL consumer (first QoS 2 subscription) and subscribes to its deliveries; the caller saves. */
    void ensure() throws JsApi.JsException {
        Session s = c.session;
        String deliver = AccountSessions.PUBREL_DELIVER_PREFIX + s.hash;
        if (sub == null) {
            // Subscribed before the consumer exists, so nothing it delivers is missed.
            sub = new Subscription(c, deliver, null, deliver);
            c.account.subscribe(sub);
        }
        synchronized (s) {
            if (s.pubRelConsumer != null) return;
        }
        MqttOptions o = c.sessions.opts;
        ObjectNode cfg = JsApi.JSON.createObjectNode();
        cfg.put("durable_name", DURABLE_PREFIX + s.hash);
        cfg.put("deliver_subject", deliver);
        cfg.put("deliver_policy", "new");
        cfg.put("ack_policy", "explicit");
        cfg.put("filter_subject", AccountSessions.PUBREL_PREFIX + s.hash);
        cfg.put("ack_wait", o.effectiveAckWait().toNanos());
        cfg.put("max_ack_pending", o.effectiveMaxAckPending());
        if (o.consumerMemoryStorage) cfg.put("mem_storage", true);
        if (!o.consumerInactiveThreshold.isZero()) cfg.put("inactive_threshold", o.consumerInactiveThreshold.toNanos());
        ObjectNode req = JsApi.JSON.createObjectNode();
        req.put("stream_name", AccountSessions.OUT_STREAM);
        req.set("config", cfg);
        c.sessions.js.api("CC", "CONSUMER.DURABLE.CREATE." + AccountSessions.OUT_STREAM + "." + cfg.path("durable_name").asText(), req);
        synchronized (s) {
            s.pubRelConsumer = cfg;
        }
    }

    boolean owns(Subscription s) {
        return s == sub;
    }

    /** A PUBREL record from the consumer (a publisher's thread): the PUBREL goes out, its ack subject is kept. */
    boolean delivered(InboundMessage msg, FlushBatch flush) {
        if (!msg.hasHeaders() || msg.reply() == null) return false;
        String block = msg.headers().toString(0, msg.headerLength(), StandardCharsets.US_ASCII);
        int at = block.indexOf(HEADER + ":");
        int end = at < 0 ? -1 : block.indexOf('\r', at);
        int pi = end < 0 ? 0 : parse(block.substring(at + HEADER.length() + 1, end));
        if (pi <= 0 || pi > 0xFFFF) return false;
        c.session.trackPubRel(pi, msg.reply());
        c.outbound.appendControl(MqttPacketWriter.ack(MqttPacket.PUBREL, pi), flush);
        return true;
    }

    /** PUBREC: the PUBLISH is acknowledged in JetStream and a PUBREL is owed (none for an MQTT 5 error reason). */
    void pubRec(int packetId, int reason) throws JsApi.JsException {
        Session s = c.session;
        Session.Pending p = s.acked(packetId);
        if (p == null) {
            // Not a PUBLISH in flight: a PUBREL still completes the client's side (MQTT 5 says the id is unknown).
            c.send(MqttPacketWriter.ack(MqttPacket.PUBREL, packetId, c.v5 ? MqttReason.PACKET_IDENTIFIER_NOT_FOUND : 0));
            return;
        }
        if (reason < 0x80) {
            s.trackPubRel(packetId, null);
            byte[] record = ("NATS/1.0\r\n" + HEADER + ":" + packetId + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            c.sessions.js.store("PR", AccountSessions.PUBREL_PREFIX + s.hash, record, new byte[0]);
        }
        if (p.ackSubject() != null) c.sessions.js.publish(p.ackSubject(), new byte[0]);
    }

    /** PUBCOMP: the PUBREL record is acknowledged, the packet id free again. */
    void pubComp(int packetId) {
        String ack = c.session.pubComp(packetId);
        if (ack != null) c.sessions.js.publish(ack, new byte[0]);
    }

    void release() {
        Subscription s = sub;
        sub = null;
        if (s != null) c.account.unsubscribe(s);
    }

    private static int parse(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
