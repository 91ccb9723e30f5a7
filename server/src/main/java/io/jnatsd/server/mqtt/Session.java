package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one MQTT client id in an account: its subscriptions (NATS subject to granted QoS), the durable
 * JetStream consumers of its QoS 1 subscriptions, and the QoS 1 messages sent but not yet acknowledged (packet
 * identifier to the JetStream ack subject). Subscriptions and consumers are persisted as one record in the
 * {@code $MQTT_sess} stream under {@code $MQTT.sess.<hash of the client id>}, upstream's layout, so a session
 * outlives the connection (clean session 0) and the server.
 */
final class Session {
    static final String STREAM = "$MQTT_sess";
    static final String SUBJECT_PREFIX = "$MQTT.sess.";

    /** A QoS 1 message awaiting PUBACK: where to ack it, and which consumer and stream sequence it is. */
    record Pending(String ackSubject, String durable, long streamSeq) {}

    final String id;
    final String hash;
    private final String subject;
    /** The connection that owns the session, or null; guarded by the account's sessions. */
    MqttConnection connection;
    boolean clean;
    /** Sequence of the persisted record (0: none). */
    long seq;
    /** NATS subject of each subscription (its sid) to its QoS. */
    final Map<String, Integer> subs = new LinkedHashMap<>();
    /** sid to the config of its durable consumer (QoS 1 subscriptions). */
    final Map<String, ObjectNode> consumers = new LinkedHashMap<>();
    /** The durable consumer of this session's PUBREL records in {@code $MQTT_out} (once it has sent QoS 2), or null. */
    ObjectNode pubRelConsumer;
    /** sid to its MQTT 5 options, when not the defaults. */
    final Map<String, SubOptions> options = new LinkedHashMap<>();
    /**
     * Seconds the session outlives its connection (MQTT 5's Session Expiry Interval; 3.1.1: 0 when clean, else
     * forever), and which connection of the client id this is (a timer set at a close acts only if none came since).
     */
    volatile long expirySeconds;
    volatile int generation;
    /** When the last connection left a session with a finite expiry (epoch millis; 0 while connected), persisted. */
    volatile long leftAtMillis;

    private final Map<Integer, Pending> pending = new HashMap<>();
    /** QoS 2 packet ids past PUBREC, awaiting PUBCOMP: to the ack subject of their PUBREL record (null until sent). */
    private final Map<Integer, String> pubRel = new HashMap<>();
    private final Map<String, Map<Long, Integer>> pendingBySeq = new HashMap<>();
    private int lastPacketId;
    private final int configuredMaxPending;
    /** max_ack_pending, or less when the client's Receive Maximum is lower. */
    private int maxPending;

    Session(String id, String domainToken, int maxPending) {
        this.id = id;
        this.hash = io.jnatsd.server.core.NameHash.of(id);
        this.subject = SUBJECT_PREFIX + domainToken + hash;
        this.configuredMaxPending = maxPending;
        this.maxPending = maxPending;
    }

    /** The client's Receive Maximum (MQTT 5; 65535 when not given) caps the QoS 1 messages sent unacknowledged. */
    synchronized void receiveMaximum(int max) {
        maxPending = Math.min(configuredMaxPending, max);
    }

    String recordSubject() {
        return subject;
    }

    /** Restores the persisted record. */
    void restore(long seq, JsonNode rec) {
        this.seq = seq;
        this.clean = rec.path("clean").asBoolean(false);
        rec.path("subs").fields().forEachRemaining(e -> subs.put(e.getKey(), e.getValue().asInt()));
        rec.path("cons").fields().forEachRemaining(e -> {
            if (e.getValue() instanceof ObjectNode o) consumers.put(e.getKey(), o);
        });
        if (rec.path("pubrel") instanceof ObjectNode o) pubRelConsumer = o;
        expirySeconds = rec.path("expiry").asLong(clean ? 0 : SessionEnd.NEVER);
        leftAtMillis = rec.path("left").asLong(0);
        rec.path("opts").fields().forEachRemaining(e -> options.put(e.getKey(), SubOptions.of(e.getValue())));
    }

    /**
     * Persists the record; {@code origin} is the server's hash. Expects the last record's sequence, as upstream.
     * Called by the owning connection's thread only; the store waits outside any lock (no carrier pinned).
     */
    void save(JsApi js, String origin) throws JsApi.JsException {
        byte[] headers = null;
        byte[] payload;
        synchronized (this) {
            ObjectNode rec = JsApi.JSON.createObjectNode();
            rec.put("origin", origin);
            rec.put("id", id);
            if (clean) rec.put("clean", true);
            if (!subs.isEmpty()) {
                ObjectNode s = rec.putObject("subs");
                subs.forEach(s::put);
            }
            if (!consumers.isEmpty()) {
                ObjectNode c = rec.putObject("cons");
                consumers.forEach(c::set);
            }
            if (pubRelConsumer != null) rec.set("pubrel", pubRelConsumer);
            if (expirySeconds > 0 && expirySeconds < SessionEnd.NEVER) { // MQTT 5's, for a restart to honour
                rec.put("expiry", expirySeconds);
                if (leftAtMillis > 0) rec.put("left", leftAtMillis);
            }
            if (!options.isEmpty()) {
                ObjectNode o = rec.putObject("opts"); // jnatsd's MQTT 5 addition; upstream ignores it
                options.forEach((k, v) -> o.set(k, v.toJson()));
            }
            if (seq != 0) {
                headers = ("NATS/1.0\r\nNats-Expected-Last-Subject-Sequence:" + seq + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
            payload = rec.toString().getBytes(StandardCharsets.UTF_8);
        }
        long stored = js.store("SP", subject, headers, payload);
        synchronized (this) {
            seq = stored;
        }
    }

    /** Whether the session outlived its expiry interval while no one was connected (a server restart included). */
    boolean expiredAt(long nowMillis) {
        return leftAtMillis > 0 && expirySeconds < SessionEnd.NEVER && nowMillis - leftAtMillis >= expirySeconds * 1000;
    }

    /** Forgets everything: deletes the consumers and the persisted record (clean session). */
    void clear(JsApi js) throws JsApi.JsException {
        List<String> durables = new ArrayList<>();
        long recordSeq;
        synchronized (this) {
            for (ObjectNode c : consumers.values()) {
                String d = c.path("durable_name").asText();
                if (!d.startsWith(MqttSubscriptions.SHARED_DURABLE_PREFIX)) durables.add(d); // other members need it
            }
            consumers.clear();
            if (pubRelConsumer != null) durables.add(pubRelConsumer.path("durable_name").asText());
            pubRelConsumer = null;
            pubRel.clear();
            subs.clear();
            options.clear();
            pending.clear();
            pendingBySeq.clear();
            lastPacketId = 0;
            recordSeq = seq;
            seq = 0;
        }
        for (String d : durables) deleteConsumer(js, d.startsWith(Qos2Sender.DURABLE_PREFIX) ? AccountSessions.OUT_STREAM
                : AccountSessions.MSGS_STREAM, d);
        if (recordSeq > 0) {
            ObjectNode req = JsApi.JSON.createObjectNode();
            req.put("seq", recordSeq);
            req.put("no_erase", true);
            try {
                js.api("MD", "STREAM.MSG.DELETE." + STREAM, req);
            } catch (JsApi.JsException e) {
                if (e.errCode != JsApi.NO_MESSAGE_FOUND) throw e;
            }
        }
    }

    static void deleteConsumer(JsApi js, String durable) throws JsApi.JsException {
        deleteConsumer(js, AccountSessions.MSGS_STREAM, durable);
    }

    static void deleteConsumer(JsApi js, String stream, String durable) throws JsApi.JsException {
        try {
            js.api("CD", "CONSUMER.DELETE." + stream + "." + durable, null);
        } catch (JsApi.JsException e) {
            if (e.errCode != JsApi.CONSUMER_NOT_FOUND) throw e;
        }
    }

    /**
     * A packet identifier for a QoS 1 delivery of {@code streamSeq} by consumer {@code durable} (the same one again
     * for a redelivery), or 0 when max_ack_pending identifiers are in use (JetStream redelivers it later).
     */
    synchronized int track(String ackSubject, String durable, long streamSeq) {
        Map<Long, Integer> bySeq = pendingBySeq.computeIfAbsent(durable, d -> new HashMap<>());
        Integer known = bySeq.get(streamSeq);
        if (known != null) {
            pending.put(known, new Pending(ackSubject, durable, streamSeq));
            return known;
        }
        if (pending.size() + pubRel.size() >= maxPending) return 0;
        int pi = nextPacketId();
        if (pi == 0) return 0;
        bySeq.put(streamSeq, pi);
        pending.put(pi, new Pending(ackSubject, durable, streamSeq));
        return pi;
    }

    /** A packet identifier for a QoS 1 retained message (nothing to ack in JetStream). */
    synchronized int trackRetained() {
        int pi = nextPacketId();
        if (pi != 0) pending.put(pi, new Pending(null, null, 0));
        return pi;
    }

    /** A PUBACK: returns what to ack in JetStream, or null. */
    synchronized Pending acked(int packetId) {
        Pending p = pending.remove(packetId);
        if (p == null) return null;
        if (p.durable() != null) {
            Map<Long, Integer> bySeq = pendingBySeq.get(p.durable());
            if (bySeq != null) bySeq.remove(p.streamSeq());
        }
        if (pending.isEmpty() && pubRel.isEmpty()) lastPacketId = 0;
        return p;
    }

    /** A PUBREC's id is now owed a PUBREL (the record's ack subject comes when it is sent, {@code ackSubject}). */
    synchronized void trackPubRel(int packetId, String ackSubject) {
        if (ackSubject != null || !pubRel.containsKey(packetId)) pubRel.put(packetId, ackSubject);
    }

    /** A PUBCOMP: the ack subject of the PUBREL record to acknowledge, or null. */
    synchronized String pubComp(int packetId) {
        String ack = pubRel.remove(packetId);
        if (pending.isEmpty() && pubRel.isEmpty()) lastPacketId = 0;
        return ack;
    }

    /** Forgets the pending messages of a consumer being deleted. */
    synchronized void dropPending(String durable) {
        Map<Long, Integer> bySeq = pendingBySeq.remove(durable);
        if (bySeq != null) bySeq.values().forEach(pending::remove);
    }

    private int nextPacketId() {
        int next = lastPacketId;
        for (int i = 0; i < 0xFFFF; i++) {
            next = next == 0xFFFF ? 1 : next + 1;
            if (!pending.containsKey(next) && !pubRel.containsKey(next)) {
                lastPacketId = next;
                return next;
            }
        }
        return 0;
    }
}
