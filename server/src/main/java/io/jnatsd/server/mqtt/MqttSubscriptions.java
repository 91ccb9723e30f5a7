package io.jnatsd.server.mqtt;

import io.jnatsd.server.core.NameHash;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttReason;
import io.jnatsd.protocol.mqtt.MqttTopics;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.config.MqttOptions;
import io.jnatsd.server.core.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An MQTT client's subscriptions, for 3.1.1 and 5 alike: each filter is a NATS subscription on the mapped subject
 * (sid = the subject, {@code <parent> fwc} for {@code #}'s parent level) and, for QoS 1, a durable consumer of
 * {@code $MQTT_msgs} whose deliver subject the client subscribes to (upstream's processJSConsumer); QoS 2 uses the
 * same consumer and {@link Qos2Sender}. An MQTT 5
 * shared subscription {@code $share/<group>/<filter>} is the same NATS subscription in queue group
 * {@code <group>} (sid {@code $share/<group>/<subject>}), and at QoS 1 or 2 one consumer for the whole group whose
 * deliver subject the members subscribe to in that queue group; options are kept with the session.
 */
final class MqttSubscriptions {
    static final String SHARE = "$share/";
    /** A shared subscription's consumer serves every member: never deleted when one of them leaves. */
    static final String SHARED_DURABLE_PREFIX = "share_";

    private final MqttConnection c;
    final Map<Subscription, SubState> bySub = new ConcurrentHashMap<>();
    private final Map<String, SubState> filterSubs = new ConcurrentHashMap<>();
    private final Map<String, SubState> consumerSubs = new ConcurrentHashMap<>();

    MqttSubscriptions(MqttConnection c) {
        this.c = c;
    }

    /** A subscription's sid: its subject, or for a shared one {@code $share/<group>/<subject>}. */
    static String sid(String subject, String group) {
        return group == null ? subject : SHARE + group + "/" + subject;
    }

    /** The subject and group ({@code [subject, group or null]}) of a sid made by {@link #sid}. */
    static String[] parseSid(String sid) {
        if (!sid.startsWith(SHARE)) return new String[] {sid, null};
        int slash = sid.indexOf('/', SHARE.length());
        return new String[] {sid.substring(slash + 1), sid.substring(SHARE.length(), slash)};
    }

    void subscribe(MqttPacket.Subscribe s) throws JsApi.JsException, MqttProtocolException {
        Session session = c.session;
        List<Integer> ids = s.props().subscriptionIds();
        int subId = ids.isEmpty() ? 0 : ids.get(0);
        byte[] codes = new byte[s.filters().size()];
        List<String> retainedFor = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            MqttPacket.Filter f = s.filters().get(i);
            String filter = f.filter();
            String group = null;
            if (c.v5 && filter.startsWith(SHARE)) {
                int slash = filter.indexOf('/', SHARE.length());
                group = slash < 0 ? "" : filter.substring(SHARE.length(), slash);
                if (f.noLocal()) throw MqttProtocolException.protocolError("no local on a shared subscription");
                if (slash < 0 || group.isEmpty() || group.contains("+") || group.contains("#")
                        || slash == filter.length() - 1) {
                    codes[i] = (byte) MqttReason.TOPIC_FILTER_INVALID;
                    continue;
                }
                filter = filter.substring(slash + 1);
            }
            int qos = Math.min(f.qos(), 2);
            String subject = natsFilter(filter);
            if (subject == null) {
                codes[i] = (byte) (c.v5 ? MqttReason.NOT_AUTHORIZED : 0x80);
                continue;
            }
            String sid = sid(subject, group);
            boolean existed = filterSubs.containsKey(sid);
            if (qos == 2) c.qos2.ensure();
            SubOptions opts = new SubOptions(f.noLocal(), f.retainAsPublished(), subId);
            if (!subscribeFilter(sid, qos, opts, true)) {
                codes[i] = (byte) (c.v5 ? MqttReason.UNSPECIFIED_ERROR : 0x80);
                continue;
            }
            codes[i] = (byte) qos;
            synchronized (session) {
                session.subs.put(sid, qos);
                if (opts.isDefault()) session.options.remove(sid);
                else session.options.put(sid, opts);
            }
            // Retained messages: not for shared subscriptions; MQTT 5's retain handling 1 only for a new one, 2 never.
            if (group == null && (f.retainHandling() == 0 || f.retainHandling() == 1 && !existed)) retainedFor.add(sid);
        }
        session.save(c.sessions.js, c.sessions.serverHash);
        c.send(c.v5 ? MqttPacketWriter.subAck5(s.packetId(), codes) : MqttPacketWriter.subAck(s.packetId(), codes));
        for (String sid : retainedFor) {
            SubState st = filterSubs.get(sid);
            if (st == null) st = filterSubs.get(sid + " fwc");
            if (st != null) c.delivery.sendRetained(sid, st);
        }
    }

    /** The filter as a NATS subject this client may subscribe to, or null (a SUBACK failure). */
    private String natsFilter(String filter) {
        String subject;
        try {
            subject = MqttTopics.filterToSubject(filter);
        } catch (MqttProtocolException e) {
            c.log().error("%s - MQTT: invalid topic \"%s\": %s", c, filter, e.getMessage());
            return null;
        }
        if (subject.startsWith(AccountSessions.SUB_PREFIX) || !Subjects.isValidSubject(subject)) return null;
        if (c.guard != null && !c.guard.canSubscribe(subject, null)) {
            c.log().error("%s - Subscription Violation - User \"%s\", Subject \"%s\"", c, c.userName, subject);
            return null;
        }
        return subject;
    }

    /** The filter's subscriptions (and its parent level's for {@code .>}); false when one could not be made. */
    private boolean subscribeFilter(String sid, int qos, SubOptions opts, boolean fromSubscribe)
            throws JsApi.JsException {
        String[] sg = parseSid(sid);
        if (!subscribeOne(sg[0], sg[1], sid, qos, opts, fromSubscribe)) return false;
        if (MqttTopics.needsParentLevel(sg[0])) {
            String parent = sg[0].substring(0, sg[0].length() - 2);
            if (!subscribeOne(parent, sg[1], sid(parent, sg[1]) + " fwc", qos, opts, fromSubscribe)) {
                unsubscribeOne(sid);
                return false;
            }
        }
        return true;
    }

    private boolean subscribeOne(String subject, String group, String sid, int qos, SubOptions opts,
                                 boolean fromSubscribe) throws JsApi.JsException {
        SubState st = filterSubs.get(sid);
        if (st != null) {
            st.qos = qos; // replaced in place: no gap in the flow of messages (MQTT-3.8.4-3)
            st.options = opts;
        } else {
            st = new SubState(new Subscription(c, subject, group, sid), qos, null, subject, opts);
            bySub.put(st.sub, st);
            filterSubs.put(sid, st);
            c.account.subscribe(st.sub);
        }
        return consumerFor(subject, sid, qos, opts, fromSubscribe);
    }

    /** Creates, keeps or deletes the durable consumer of a subscription as its QoS says (upstream's processJSConsumer). */
    private boolean consumerFor(String subject, String sid, int qos, SubOptions opts, boolean fromSubscribe)
            throws JsApi.JsException {
        Session session = c.session;
        ObjectNode cfg;
        synchronized (session) {
            cfg = session.consumers.get(sid);
        }
        if (cfg != null && qos == 0) {
            dropConsumer(sid);
            return true;
        }
        SubState existing = consumerSubs.get(sid);
        if (qos == 0) return true;
        if (cfg != null && fromSubscribe && existing != null) {
            existing.options = opts;
            return true;
        }
        String group = parseSid(sid)[1];
        if (cfg == null) {
            cfg = consumerConfig(subject, group);
            String durable = cfg.path("durable_name").asText();
            ObjectNode req = JsApi.JSON.createObjectNode();
            req.put("stream_name", AccountSessions.MSGS_STREAM);
            req.set("config", cfg);
            try {
                c.sessions.js.api("CC", "CONSUMER.DURABLE.CREATE." + AccountSessions.MSGS_STREAM + "." + durable, req);
            } catch (JsApi.JsException e) {
                c.log().error("%s - Unable to add JetStream consumer for subscription on \"%s\": err=%s",
                        c, subject, e.getMessage());
                return false;
            }
            synchronized (session) {
                session.consumers.put(sid, cfg);
            }
        }
        String inbox = cfg.path("deliver_subject").asText();
        SubState js = new SubState(new Subscription(c, inbox, group, inbox), qos, cfg.path("durable_name").asText(),
                subject, opts);
        bySub.put(js.sub, js);
        SubState previous = consumerSubs.put(sid, js);
        c.account.subscribe(js.sub);
        if (previous != null) {
            bySub.remove(previous.sub);
            c.account.unsubscribe(previous.sub);
        }
        return true;
    }

    /**
     * A subscription's consumer: its own, or for a shared subscription the group's, named after the group and
     * filter so every member (of any session) makes the same one, delivering to one member of the queue group.
     */
    private ObjectNode consumerConfig(String subject, String group) {
        MqttOptions o = c.sessions.opts;
        ObjectNode cfg = JsApi.JSON.createObjectNode();
        if (group == null) {
            cfg.put("durable_name", c.session.hash + "_" + AccountSessions.randomToken());
            cfg.put("deliver_subject", AccountSessions.SUB_PREFIX + AccountSessions.randomToken());
        } else {
            String name = NameHash.of(group + " " + subject) + NameHash.of(subject + " " + group);
            cfg.put("durable_name", SHARED_DURABLE_PREFIX + name);
            cfg.put("deliver_subject", AccountSessions.SUB_PREFIX + "share." + name);
            cfg.put("deliver_group", group);
        }
        cfg.put("deliver_policy", "new");
        cfg.put("ack_policy", "explicit");
        cfg.put("filter_subject", AccountSessions.MSGS_PREFIX + subject);
        cfg.put("ack_wait", o.effectiveAckWait().toNanos());
        // An MQTT 5 client's Receive Maximum caps its own consumer too, so JetStream holds back what the client
        // may not take yet instead of delivering it to be refused and redelivered after ack_wait. A group's
        // consumer is the same for every member.
        int maxAckPending = o.effectiveMaxAckPending();
        if (group == null) maxAckPending = Math.min(maxAckPending, c.limits.receiveMaximum());
        cfg.put("max_ack_pending", maxAckPending);
        if (o.consumerMemoryStorage) cfg.put("mem_storage", true);
        if (o.consumerReplicas > 0) cfg.put("num_replicas", o.consumerReplicas);
        if (!o.consumerInactiveThreshold.isZero()) cfg.put("inactive_threshold", o.consumerInactiveThreshold.toNanos());
        return cfg;
    }

    private void dropConsumer(String sid) throws JsApi.JsException {
        Session session = c.session;
        ObjectNode cfg;
        synchronized (session) {
            cfg = session.consumers.remove(sid);
        }
        SubState js = consumerSubs.remove(sid);
        if (js != null) {
            bySub.remove(js.sub);
            c.account.unsubscribe(js.sub);
        }
        if (cfg != null) {
            String durable = cfg.path("durable_name").asText();
            session.dropPending(durable);
            if (!durable.startsWith(SHARED_DURABLE_PREFIX)) Session.deleteConsumer(c.sessions.js, durable);
        }
    }

    private boolean unsubscribeOne(String sid) {
        SubState st = filterSubs.remove(sid);
        if (st == null) return false;
        bySub.remove(st.sub);
        c.account.unsubscribe(st.sub);
        return true;
    }

    /** After a CONNECT that found the session: its subscriptions again, permissions checked again. */
    void restore() throws JsApi.JsException {
        Session session = c.session;
        Map<String, Integer> subs;
        Map<String, SubOptions> options;
        synchronized (session) {
            subs = Map.copyOf(session.subs);
            options = Map.copyOf(session.options);
        }
        boolean changed = false;
        boolean sentQos2;
        synchronized (session) {
            sentQos2 = session.pubRelConsumer != null;
        }
        if (sentQos2 || subs.containsValue(2)) c.qos2.ensure(); // PUBRELs still owed go out again
        for (Map.Entry<String, Integer> e : subs.entrySet()) {
            String sid = e.getKey();
            String subject = parseSid(sid)[0];
            if (MqttTopics.needsParentLevel(subject) || !subs.containsKey(sid + ".>")) {
                boolean allowed = c.guard == null || c.guard.canSubscribe(subject, null);
                SubOptions opts = options.getOrDefault(sid, SubOptions.NONE);
                if (allowed && subscribeFilter(sid, e.getValue(), opts, false)) continue;
                // No longer allowed (or failed): forget it, and its stored QoS 1 messages with its consumer.
                drop(sid);
                changed = true;
            }
        }
        if (changed) session.save(c.sessions.js, c.sessions.serverHash);
    }

    /** Forgets a subscription, its parent level's and its consumers; true when it existed. */
    private boolean drop(String sid) throws JsApi.JsException {
        dropConsumer(sid);
        boolean existed = unsubscribeOne(sid);
        if (MqttTopics.needsParentLevel(parseSid(sid)[0])) {
            String[] sg = parseSid(sid);
            String parentSid = sid(sg[0].substring(0, sg[0].length() - 2), sg[1]) + " fwc";
            dropConsumer(parentSid);
            unsubscribeOne(parentSid);
        }
        Session session = c.session;
        synchronized (session) {
            existed |= session.subs.remove(sid) != null;
            session.options.remove(sid);
        }
        return existed;
    }

    void unsubscribe(MqttPacket.Unsubscribe u) throws JsApi.JsException {
        byte[] reasons = new byte[u.filters().size()];
        for (int i = 0; i < reasons.length; i++) {
            String filter = u.filters().get(i);
            String group = null;
            if (c.v5 && filter.startsWith(SHARE)) {
                int slash = filter.indexOf('/', SHARE.length());
                if (slash > 0) {
                    group = filter.substring(SHARE.length(), slash);
                    filter = filter.substring(slash + 1);
                }
            }
            boolean existed = false;
            try {
                existed = drop(sid(MqttTopics.filterToSubject(filter), group));
            } catch (MqttProtocolException e) {
                // nothing was subscribed with it
            }
            reasons[i] = (byte) (existed ? MqttReason.SUCCESS : MqttReason.NO_SUBSCRIPTION_EXISTED);
        }
        c.session.save(c.sessions.js, c.sessions.serverHash);
        c.send(c.v5 ? MqttPacketWriter.unsubAck5(u.packetId(), reasons) : MqttPacketWriter.unsubAck(u.packetId()));
    }

    /** Whether any subscription asks for no local (then this client's messages say who published them). */
    boolean anyNoLocal() {
        for (SubState st : filterSubs.values()) {
            if (st.options.noLocal()) return true;
        }
        return false;
    }

    /** Drops the NATS subscriptions (the connection is gone; the session keeps what to restore). */
    void releaseAll() {
        for (SubState st : bySub.values()) c.account.unsubscribe(st.sub);
        bySub.clear();
    }

    int count() {
        return bySub.size();
    }
}
