package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.config.MqttOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT state of one account (upstream's mqttAccountSessionManager): its three streams, created on the first
 * MQTT connection ({@code $MQTT_sess} one record per client id, {@code $MQTT_msgs} QoS 1 messages with interest
 * retention, {@code $MQTT_rmsgs} retained messages), the sessions by client id, the retained messages (read back
 * from their stream at start through an AckNone consumer, as upstream does), and the client ids just taken over.
 */
final class AccountSessions {
    static final String MSGS_STREAM = "$MQTT_msgs";
    static final String MSGS_PREFIX = "$MQTT.msgs.";
    static final String RETAINED_STREAM = "$MQTT_rmsgs";
    static final String RETAINED_SUBJECT = "$MQTT.rmsgs";
    /** QoS 2 messages received but not yet released by PUBREL (upstream 2.10's stream), one per session and id. */
    static final String QOS2_IN_STREAM = "$MQTT_qos2in";
    static final String QOS2_IN_PREFIX = "$MQTT.qos2.in.";
    /** PUBRELs the server owes QoS 2 subscribers, one record per PUBREC until PUBCOMP (upstream 2.10's stream). */
    static final String OUT_STREAM = "$MQTT_out";
    static final String PUBREL_PREFIX = "$MQTT.out.pubrel.";
    static final String PUBREL_DELIVER_PREFIX = "$MQTT.deliver.pubrel.";
    /** Deliver subjects of MQTT's consumers; MQTT clients may not subscribe under it. */
    static final String SUB_PREFIX = "$MQTT.sub.";
    /** How long a client id just taken over keeps new connections with it waiting (upstream's flappers jail). */
    static final long FLAP_JAIL_NANOS = TimeUnit.SECONDS.toNanos(1);

    final JsApi js;
    final String serverHash;
    final String domainToken;
    final MqttOptions opts;
    final RetainedMessages retained = new RetainedMessages();
    /** NATS replies to MQTT 5 requests with correlation data, published again on their response topics. */
    ResponseBridge responses;
    private final ServerLog log;
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, Long> flappers = new HashMap<>();
    /** The last retained record to read back at start; 0 once read (this server's later records are known). */
    private volatile long recoveringUpTo;
    /** Client ids whose CONNECT or close is being processed; a lock, not a monitor: its holders block on JetStream. */
    private final java.util.Set<String> locked = new java.util.HashSet<>();
    private final java.util.concurrent.locks.ReentrantLock lockedLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition unlocked = lockedLock.newCondition();

    private AccountSessions(JsApi js, String serverHash, String domainToken, MqttOptions opts, ServerLog log) {
        this.js = js;
        this.serverHash = serverHash;
        this.domainToken = domainToken;
        this.opts = opts;
        this.log = log;
    }

    /** Creates the streams when missing and loads the retained messages; blocks. */
    static AccountSessions create(Account account, String serverName, MqttOptions opts, String jsDomain, ServerLog log)
            throws JsApi.JsException {
        String hash = io.jnatsd.server.core.NameHash.of(serverName);
        String domain = opts.jsDomain != null && !opts.jsDomain.isEmpty() ? opts.jsDomain : null;
        String domainToken = domain != null ? domain + "." : jsDomain != null && !jsDomain.isEmpty() ? jsDomain + "." : "";
        JsApi js = new JsApi(account, hash, domain);
        AccountSessions as = new AccountSessions(js, hash, domainToken, opts, log);
        int replicas = Math.max(1, opts.streamReplicas);
        log.notice("Creating MQTT streams/consumers with replicas %d for account \"%s\"", replicas, account.name());
        try {
            as.ensureStream(Session.STREAM, List.of(Session.SUBJECT_PREFIX + domainToken + ">"), "limits", replicas, 1);
            as.ensureStream(MSGS_STREAM, List.of(MSGS_PREFIX + ">"), "interest", replicas, 0);
            JsonNode info = as.ensureStream(RETAINED_STREAM, List.of(RETAINED_SUBJECT), "limits", replicas, 0);
            as.ensureStream(QOS2_IN_STREAM, List.of(QOS2_IN_PREFIX + ">"), "limits", replicas, 1);
            as.ensureStream(OUT_STREAM, List.of("$MQTT.out.>"), "interest", replicas, 0);
            as.loadRetained(info);
            as.responses = new ResponseBridge(account);
        } catch (JsApi.JsException e) {
            js.close();
            throw e;
        }
        return as;
    }

    private JsonNode ensureStream(String name, List<String> subjects, String retention, int replicas, int maxPerSubject)
            throws JsApi.JsException {
        try {
            return js.api("SL", "STREAM.INFO." + name, null);
        } catch (JsApi.JsException e) {
            if (e.errCode != JsApi.STREAM_NOT_FOUND) throw e;
        }
        ObjectNode cfg = JsApi.JSON.createObjectNode();
        cfg.put("name", name);
        subjects.forEach(cfg.putArray("subjects")::add);
        cfg.put("retention", retention);
        cfg.put("storage", "file");
        cfg.put("num_replicas", replicas);
        if (maxPerSubject > 0) cfg.put("max_msgs_per_subject", maxPerSubject);
        if (name.equals(QOS2_IN_STREAM)) { // a resent QoS 2 PUBLISH must not replace the first (exactly once)
            cfg.put("discard", "new");
            cfg.put("discard_new_per_subject", true);
        }
        return js.api("SC", "STREAM.CREATE." + name, cfg);
    }

    /** Reads every retained message through an AckNone consumer that stays, as upstream's does. */
    private void loadRetained(JsonNode info) throws JsApi.JsException {
        long lastSeq = info.path("state").path("msgs").asLong() > 0 ? info.path("state").path("last_seq").asLong() : 0;
        CountDownLatch loaded = new CountDownLatch(lastSeq > 0 ? 1 : 0);
        String deliver = SUB_PREFIX + randomToken();
        recoveringUpTo = lastSeq;
        js.client().subscribe(js.account(), deliver, null, (sub, msg) -> {
            long seq = AckReply.streamSeq(msg.reply());
            if (seq > 0) retainedRecordArrived(seq, msg.payload());
            if (seq >= recoveringUpTo) {
                recoveringUpTo = 0;
                loaded.countDown();
            }
        });
        String durable = RETAINED_STREAM + "_" + serverHash;
        try {
            js.api("CD", "CONSUMER.DELETE." + RETAINED_STREAM + "." + durable, null);
        } catch (JsApi.JsException e) {
            if (e.errCode != JsApi.CONSUMER_NOT_FOUND) throw e;
        }
        ObjectNode req = JsApi.JSON.createObjectNode();
        req.put("stream_name", RETAINED_STREAM);
        ObjectNode cfg = req.putObject("config");
        cfg.put("durable_name", durable);
        cfg.put("deliver_subject", deliver);
        cfg.put("deliver_policy", "all");
        cfg.put("ack_policy", "none");
        cfg.put("replay_policy", "instant");
        cfg.put("filter_subject", RETAINED_SUBJECT);
        js.api("CC", "CONSUMER.DURABLE.CREATE." + RETAINED_STREAM + "." + durable, req);
        try {
            if (!loaded.await(4, TimeUnit.SECONDS)) log.warn("Timing out waiting to load retained messages");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void retainedRecordArrived(long seq, byte[] payload) {
        RetainedMessages.Record r;
        try {
            r = JsApi.JSON.readValue(payload, RetainedMessages.Record.class);
        } catch (IOException e) {
            log.warn("MQTT: unreadable retained message record at sequence %d: %s", seq, e.getMessage());
            return;
        }
        if (r.subject() == null) return;
        // Past recovery this server's own records are known already (and may have been cleared since), as upstream.
        if (recoveringUpTo == 0 && serverHash.equals(r.origin())) return;
        long old = retained.put(seq, r);
        if (old != 0 && old != seq) deleteRetained(old);
    }

    /** Stores a retained message (or clears it, for an empty payload), as upstream's mqttHandlePubRetain. */
    void retain(String subject, String topic, byte[] payload, int flags, String source, byte[] headers) {
        if (payload.length == 0) {
            long old = retained.remove(subject);
            if (old != 0) deleteRetained(old);
            return;
        }
        RetainedMessages.Record r = new RetainedMessages.Record(serverHash, subject, topic, payload, flags, source, headers);
        try {
            long seq = js.store("RS", RETAINED_SUBJECT, null, JsApi.JSON.writeValueAsBytes(r));
            long old = retained.put(seq, r);
            if (old != 0 && old != seq) deleteRetained(old);
        } catch (JsApi.JsException | IOException e) {
            log.error("unable to store retained message for account \"%s\", subject \"%s\": %s",
                    js.account().name(), subject, e.getMessage());
        }
    }

    private void deleteRetained(long seq) {
        ObjectNode req = JsApi.JSON.createObjectNode();
        req.put("seq", seq);
        req.put("no_erase", true);
        Thread.ofVirtual().start(() -> {
            try {
                js.api("RD", "STREAM.MSG.DELETE." + RETAINED_STREAM, req);
            } catch (JsApi.JsException e) {
                if (e.errCode != JsApi.NO_MESSAGE_FOUND) log.warn("MQTT: unable to delete retained message %d: %s", seq, e.getMessage());
            }
        });
    }

    // ---- sessions ----

    /** Marks the client id busy (waiting while another connection with it is being processed). */
    void lock(String clientId) throws InterruptedException {
        lockedLock.lock();
        try {
            while (!locked.add(clientId)) unlocked.await();
        } finally {
            lockedLock.unlock();
        }
    }

    void unlock(String clientId) {
        lockedLock.lock();
        try {
            locked.remove(clientId);
            unlocked.signalAll();
        } finally {
            lockedLock.unlock();
        }
    }

    /** Whether the client id was taken over less than a second ago (the new connection is then held and closed). */
    synchronized boolean flapping(String clientId) {
        Long at = flappers.get(clientId);
        if (at == null) return false;
        if (System.nanoTime() - at > FLAP_JAIL_NANOS) {
            flappers.remove(clientId);
            return false;
        }
        return true;
    }

    synchronized void tookOver(String clientId) {
        flappers.put(clientId, System.nanoTime());
    }

    synchronized void forgetFlapper(String clientId) {
        flappers.remove(clientId);
    }

    /** The session of a client id: held, or restored from its stream record, or new (then not yet added). */
    Session sessionFor(String clientId, boolean[] existed) throws JsApi.JsException {
        synchronized (this) {
            Session s = sessions.get(clientId);
            if (s != null) {
                existed[0] = true;
                return s;
            }
        }
        Session s = new Session(clientId, domainToken, opts.effectiveMaxAckPending());
        ObjectNode req = JsApi.JSON.createObjectNode();
        req.put("last_by_subj", s.recordSubject());
        try {
            JsonNode m = js.api("ML", "STREAM.MSG.GET." + Session.STREAM, req).path("message");
            byte[] data = Base64.getDecoder().decode(m.path("data").asText(""));
            s.restore(m.path("seq").asLong(), JsApi.JSON.readTree(data));
            existed[0] = true;
            add(s);
        } catch (JsApi.JsException e) {
            if (e.errCode != JsApi.NO_MESSAGE_FOUND) throw e;
            existed[0] = false;
        } catch (IOException e) {
            throw new JsApi.JsException(0, "unmarshal of session record: " + e.getMessage());
        }
        return s;
    }

    synchronized void add(Session s) {
        sessions.put(s.id, s);
    }

    synchronized void remove(Session s) {
        sessions.remove(s.id, s);
    }

    static String randomToken() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        char[] c = new char[22];
        for (int i = 0; i < c.length; i++) c[i] = digits.charAt(r.nextInt(62));
        return new String(c);
    }
}
