package io.jnatsd.server.jetstream.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.server.jetstream.common.AckSubject;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.store.StoredMessage;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The origin of a mirror or source that lives on another server (an {@code external.api}
 * prefix that no import here answers, such as another JetStream domain across a leaf
 * connection), followed as upstream follows every origin: an ephemeral push consumer created
 * through that API ({@code ack_policy: none}, flow control, a heartbeat every second) that
 * delivers to a subject of this server ({@code $JS.M.<id>} for a mirror, {@code $JS.S.<id>}
 * for a source, or under {@code external.deliver}). What arrives is queued in order for the
 * sourcing stream's writer; a gap in the consumer sequence, an error or a silence of a few
 * heartbeats makes the next {@link #ensure} create a fresh consumer after the last sequence taken.
 */
final class RemoteOrigin {
    /** Deliveries and the consumer's answer are queued on the delivering thread, in order. */
    private static final InternalClient CLIENT = new InternalClient("jetstream-sourcing", ConnectionKind.JETSTREAM, Runnable::run);
    /** Upstream's sourceConsumerRetryThreshold: at most one create request per 2 s. */
    private static final long RETRY_MILLIS = 2_000;
    /** Three missed heartbeats of upstream's one a second: the consumer is gone. */
    private static final long SILENCE_MILLIS = 3_000;

    private final JsServer js;
    private final Account account;
    private final StreamConfig.Source cfg;
    private final boolean mirror;
    private final Runnable wake;
    private final ConcurrentLinkedQueue<StoredMessage> received = new ConcurrentLinkedQueue<>();

    private volatile Subscription deliverySub;
    private Subscription replySub;
    private volatile String consumer;
    private volatile long expectedConsumerSeq;
    private volatile boolean broken = true;
    private volatile long lastContactMillis;
    private volatile long lastRequestMillis;
    private volatile long pending;
    private volatile String error;

    RemoteOrigin(JsServer js, Account account, StreamConfig.Source cfg, boolean mirror, Runnable wake) {
        this.js = js;
        this.account = account;
        this.cfg = cfg;
        this.mirror = mirror;
        this.wake = wake;
    }

    /** The API prefix without a trailing dot. */
    private String api() {
        String api = cfg.external.api;
        return api.endsWith(".") ? api.substring(0, api.length() - 1) : api;
    }

    /**
     * Called by the writer before it takes messages: (re)creates the consumer when there is
     * none working, starting after {@code lastSeq}.
     */
    synchronized void ensure(long lastSeq, boolean empty) {
        long now = System.currentTimeMillis();
        if (!broken && now - lastContactMillis > SILENCE_MILLIS) broken = true;
        if (!broken || now - lastRequestMillis < RETRY_MILLIS) return;
        lastRequestMillis = now;
        lastContactMillis = now;
        drop();
        received.clear();
        String id = token();
        String deliver = cfg.external.deliver != null && !cfg.external.deliver.isEmpty()
                ? (cfg.external.deliver + (mirror ? ".M." : ".S.") + id).replace("..", ".")
                : (mirror ? "$JS.M." : "$JS.S.") + id;
        String reply = "$JSC.R." + token();
        expectedConsumerSeq = 1;
        deliverySub = CLIENT.subscribe(account, deliver, null, (sub, msg) -> delivered(sub, msg));
        replySub = CLIENT.subscribe(account, reply, null, (sub, msg) -> created(sub, msg));
        broken = false;
        js.internal().publish(account, api() + ".CONSUMER.CREATE." + cfg.name, reply, null, request(deliver, lastSeq, empty));
    }

    private byte[] request(String deliver, long lastSeq, boolean empty) {
        ObjectNode req = JsJson.JSON.createObjectNode();
        req.put("stream_name", cfg.name);
        ObjectNode c = req.putObject("config");
        c.put("deliver_subject", deliver);
        long start = lastSeq + 1;
        if (lastSeq == 0 && empty && cfg.optStartSeq <= 0 && cfg.optStartTime != null && !cfg.optStartTime.isEmpty()) {
            c.put("deliver_policy", "by_start_time");
            c.put("opt_start_time", cfg.optStartTime);
        } else if (start > 1) {
            c.put("deliver_policy", "by_start_sequence");
            c.put("opt_start_seq", start);
        } else {
            c.put("deliver_policy", "all");
        }
        c.put("ack_policy", "none");
        c.put("ack_wait", 22L * 3600 * 1_000_000_000L);
        c.put("max_deliver", 1);
        c.put("idle_heartbeat", 1_000_000_000L);
        c.put("flow_control", true);
        c.put("direct", true);
        if (cfg.filterSubject != null && !cfg.filterSubject.isEmpty()) c.put("filter_subject", cfg.filterSubject);
        try {
            return JsJson.JSON.writeValueAsBytes(req);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer to the create request: an error makes the next ensure try again. */
    private void created(Subscription sub, InternalClient.Msg msg) {
        CLIENT.unsubscribe(account, sub);
        try {
            JsonNode r = JsJson.JSON.readTree(msg.payload());
            JsonNode err = r.get("error");
            if (err != null) {
                error = err.path("description").asText("consumer create failed");
                js.log().warn("JetStream error response for create %s consumer of '%s': %s", mirror ? "mirror" : "source",
                        cfg.name, error);
                broken = true;
                return;
            }
            consumer = r.path("name").asText(null);
            error = null;
            lastContactMillis = System.currentTimeMillis();
        } catch (IOException e) {
            broken = true;
        }
    }

    /** A delivery, a heartbeat or a flow control request. */
    private void delivered(Subscription sub, InternalClient.Msg msg) {
        if (sub != deliverySub) return; // a consumer this follower gave up
        lastContactMillis = System.currentTimeMillis();
        byte[] h = msg.headers();
        if (h != null && h.length > 12 && isStatus100(h)) {
            String stalled = Headers.get(h, "Nats-Consumer-Stalled");
            if (msg.reply() != null && !msg.reply().isEmpty()) CLIENT.publish(account, msg.reply(), null, null, new byte[0]);
            else if (stalled != null) CLIENT.publish(account, stalled, null, null, new byte[0]);
            return;
        }
        AckSubject a = msg.reply() == null ? null : AckSubject.parse(msg.reply());
        if (a == null) return;
        if (a.consumerSeq() != expectedConsumerSeq) {
            broken = true; // a message was lost on the way: start again after the last one taken
            wake.run();
            return;
        }
        expectedConsumerSeq++;
        pending = a.pending();
        received.add(new StoredMessage(msg.subject(), h, msg.payload(), a.streamSeq(), a.timestampNanos(), 0));
        wake.run();
    }

    private static boolean isStatus100(byte[] h) {
        return h[9] == '1' && h[10] == '0' && h[11] == '0';
    }

    /** The next message received after {@code lastSeq}, or null. */
    StoredMessage next(long lastSeq) {
        StoredMessage m;
        while ((m = received.peek()) != null) {
            received.poll();
            if (m.seq() > lastSeq) return m;
        }
        return null;
    }

    long pending() {
        return pending + received.size();
    }

    long lastContactMillis() {
        return broken ? 0 : lastContactMillis;
    }

    String error() {
        return error;
    }

    /** Stops following: the subscriptions go, and the consumer is deleted over there. */
    synchronized void close() {
        drop();
        broken = true;
    }

    private void drop() {
        if (deliverySub != null) CLIENT.unsubscribe(account, deliverySub);
        if (replySub != null) CLIENT.unsubscribe(account, replySub);
        deliverySub = null;
        replySub = null;
        String c = consumer;
        consumer = null;
        if (c != null) js.internal().publish(account, api() + ".CONSUMER.DELETE." + cfg.name + "." + c, null, null, new byte[0]);
    }

    private static String token() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(8);
        for (int i = 0; i < 8; i++) b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        return b.toString();
    }
}
