package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttProperties;
import io.jnatsd.protocol.mqtt.MqttTopics;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.FlushBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Messages to an MQTT client, on publishers' threads: live ones (QoS 0) through a filter's subscription, QoS 1 ones
 * through a consumer's deliver subject (packet ids mapped to stream sequences, so a redelivery keeps its id and
 * gets DUP), retained ones at SUBSCRIBE. For MQTT 5 the same paths add the properties the NATS headers carry, the
 * subscription identifier, topic aliases (when the client allows them), and honour no local, retain as published,
 * message expiry and the client's Maximum Packet Size.
 */
final class MqttDelivery {
    private final MqttConnection c;
    /** Topic to alias, assigned in order up to the client's Topic Alias Maximum; guarded by itself. */
    private final Map<String, Integer> aliases = new HashMap<>();

    MqttDelivery(MqttConnection c) {
        this.c = c;
    }

    boolean live(SubState st, InboundMessage msg, FlushBatch flush) {
        // JetStream deliveries go to their consumers' subscriptions only (upstream: not from JETSTREAM).
        if (msg.shownUnderAnotherSubject()) return false;
        String subject = shownSubject(msg);
        if (c.guard != null && c.guard.deniedOnDelivery(st.sub.subject(), subject)) return false;
        if (!c.v5) {
            if (st.qos > 0 && MqttHeaders.publishedQos(msg) > 0) return false; // the subscription's consumer delivers it
            return write(0, false, false, MqttTopics.subjectToTopic(subject), 0, null, msg.payload(), msg.payloadLength(), flush);
        }
        MqttHeaders.Read h = MqttHeaders.read(msg);
        if (st.qos > 0 && h.qos() > 0) return false;
        long now = System.currentTimeMillis();
        if (h.expired(now) || st.options.noLocal() && c.session.hash.equals(h.from())) return false;
        MqttProperties props = MqttHeaders.properties(h, msg.reply(), now);
        if (st.options.subscriptionId() > 0) props.put(MqttProperties.SUBSCRIPTION_ID, st.options.subscriptionId());
        boolean retain = st.options.retainAsPublished() && h.retain();
        return write(0, false, retain, MqttTopics.subjectToTopic(subject), 0, props, msg.payload(), msg.payloadLength(), flush);
    }

    boolean fromConsumer(SubState st, InboundMessage msg, FlushBatch flush) {
        String stored = shownSubject(msg);
        if (!stored.startsWith(AccountSessions.MSGS_PREFIX) || stored.length() == AccountSessions.MSGS_PREFIX.length()) {
            return false;
        }
        String subject = stored.substring(AccountSessions.MSGS_PREFIX.length());
        String reply = msg.reply();
        Session s = c.session;
        MqttProperties props = null;
        boolean retain = false;
        boolean drop = c.guard != null && (!c.guard.canSubscribe(st.filter, null) || c.guard.deniedOnDelivery(st.filter, subject));
        String topic = MqttTopics.subjectToTopic(subject);
        if (c.v5 && !drop) {
            MqttHeaders.Read h = MqttHeaders.read(msg);
            long now = System.currentTimeMillis();
            drop = h.expired(now) || st.options.noLocal() && s.hash.equals(h.from());
            props = MqttHeaders.properties(h, null, now);
            if (st.options.subscriptionId() > 0) props.put(MqttProperties.SUBSCRIPTION_ID, st.options.subscriptionId());
            retain = st.options.retainAsPublished() && h.retain();
            drop |= tooLarge(topic, msg.payloadLength(), 1, props);
        }
        if (drop) {
            // Not for this client (permissions changed, expired, its own, too large): acknowledged, never shown.
            if (reply != null) c.runner.execute(() -> c.sessions.js.publish(reply, new byte[0]));
            return true;
        }
        int pi = s.track(reply, st.durable, AckReply.streamSeq(reply));
        if (pi == 0) return false; // max pending reached: JetStream redelivers after ack_wait
        boolean dup = AckReply.deliveryCount(reply) > 1;
        int published = MqttHeaders.publishedQos(msg);
        int qos = Math.min(st.qos, published > 0 ? published : 1); // as sent, at most as subscribed
        return write(qos, dup, retain, topic, pi, props, msg.payload(), msg.payloadLength(), flush);
    }

    /** The retained messages a new subscription matches, permissions applied as on any delivery. */
    void sendRetained(String subject, SubState st) {
        FlushBatch batch = new FlushBatch(c);
        long now = System.currentTimeMillis();
        for (RetainedMessages.Retained r : c.sessions.retained.matching(subject)) {
            String rs = r.record().subject();
            if (c.guard != null && (c.guard.deniedOnDelivery(subject, rs) || !c.guard.canSubscribe(rs, null) && Subjects.isLiteral(subject))) {
                continue;
            }
            MqttProperties props = null;
            if (c.v5) {
                MqttHeaders.Read h = r.record().headers() == null ? MqttHeaders.Read.NONE
                        : MqttHeaders.read(new String(r.record().headers(), StandardCharsets.UTF_8));
                if (h.expired(now)) continue;
                props = MqttHeaders.properties(h, null, now);
                if (st.options.subscriptionId() > 0) props.put(MqttProperties.SUBSCRIPTION_ID, st.options.subscriptionId());
            }
            int qos = Math.min(r.record().qos(), st.qos);
            byte[] payload = r.record().msg();
            if (tooLarge(r.record().topic(), payload.length, qos, props)) continue;
            int pi = qos > 0 ? c.session.trackRetained() : 0;
            if (qos > 0 && pi == 0) continue;
            write(qos, false, true, r.record().topic(), pi, props, Unpooled.wrappedBuffer(payload), payload.length, batch);
        }
        batch.flushAll();
    }

    /** Whether the PUBLISH is over the client's Maximum Packet Size (MQTT 5: such a message is not sent). */
    private boolean tooLarge(String topic, int payloadLength, int qos, MqttProperties props) {
        long max = c.limits.maximumPacketSize();
        if (max <= 0) return false;
        return MqttPacketWriter.publishSize(topic.getBytes(StandardCharsets.UTF_8).length, payloadLength, qos, props) > max;
    }

    private boolean write(int qos, boolean dup, boolean retain, String topic, int pi, MqttProperties props,
                          ByteBuf payload, int length, FlushBatch batch) {
        if (props != null && qos == 0 && tooLarge(topic, length, 0, props)) return false;
        int aliasMax = c.limits.topicAliasMaximum();
        if (props == null || aliasMax == 0) return append(qos, dup, retain, topic.getBytes(StandardCharsets.UTF_8), pi, props, payload, length, batch);
        // Alias and frame are decided together, so the client never sees an alias before the PUBLISH that sets it.
        synchronized (aliases) {
            Integer alias = aliases.get(topic);
            byte[] shown = topic.getBytes(StandardCharsets.UTF_8);
            if (alias != null) {
                shown = new byte[0];
            } else if (aliases.size() < aliasMax) {
                alias = aliases.size() + 1;
                aliases.put(topic, alias);
            }
            if (alias != null) props.put(MqttProperties.TOPIC_ALIAS, alias);
            return append(qos, dup, retain, shown, pi, props, payload, length, batch);
        }
    }

    private boolean append(int qos, boolean dup, boolean retain, byte[] topic, int pi, MqttProperties props,
                           ByteBuf payload, int length, FlushBatch batch) {
        int size = MqttPacketWriter.publishSize(topic.length, length, qos, props);
        return c.outbound.appendFrame(size, length,
                out -> MqttPacketWriter.publish(out, qos, dup, retain, topic, pi, props, payload, length), batch);
    }

    private static String shownSubject(InboundMessage msg) {
        ByteBuf b = Unpooled.buffer(64);
        msg.writeSubject(b);
        String s = b.toString(StandardCharsets.UTF_8);
        b.release();
        return s;
    }
}
