package io.jnatsd.server.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttTopics;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.client.PermissionGuard;
import io.jnatsd.server.config.MqttOptions;
import io.jnatsd.server.conn.Outbound;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.server.net.ServerTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT client: a {@link ConnectionKind#CLIENT} subscriber of the routing core, as upstream's MQTT clients are
 * CLIENT connections with an MQTT flag. Packets are processed in order on the connection's {@link SerialRunner};
 * deliveries arrive on publishers' threads and are encoded as PUBLISH packets into the connection's
 * {@link Outbound}, so slow consumers and flush batching work as for NATS clients.
 *
 * <p>QoS as upstream 2.9.10: a subscription is a NATS subscription on the mapped subject (QoS 0 deliveries) plus,
 * for QoS 1, a durable consumer of {@code $MQTT_msgs} filtered on {@code $MQTT.msgs.<subject>} whose deliveries
 * carry packet identifiers and are acknowledged by PUBACK. A QoS 2 PUBLISH is received as upstream 2.10 receives
 * it (held in {@code $MQTT_qos2in} until PUBREL; 2.9.10 closes the connection); a QoS 2 subscription is granted
 * QoS 1, as 2.9.10 grants it (2.10 also sends QoS 2).
 */
public final class MqttConnection implements Subscriber {
    private static final byte[] SUBACK_FAILURE = {(byte) 0x80};

    /** A NATS subscription of this client: a filter's (QoS 0 deliveries), or a consumer's deliver subject (QoS 1). */
    private static final class SubState {
        final Subscription sub;
        volatile int qos;
        /** The durable consumer this deliver subject belongs to; null for a filter's subscription. */
        final String durable;
        /** The subscription's NATS filter (for a consumer's deliver subject, the filter it serves). */
        final String filter;

        SubState(Subscription sub, int qos, String durable, String filter) {
            this.sub = sub;
            this.qos = qos;
            this.durable = durable;
            this.filter = filter;
        }
    }

    private final MqttClients server;
    private final Channel channel;
    /** Over the websocket listener's {@code /mqtt} endpoint. */
    private final boolean websocket;
    private final Outbound outbound;
    private final SerialRunner runner;
    private final long cid;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private volatile long lastActivityNanos = startNanos;
    private final java.util.concurrent.atomic.AtomicLong inMsgs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong inBytes = new java.util.concurrent.atomic.AtomicLong();
    private final Map<Subscription, SubState> bySub = new ConcurrentHashMap<>();
    private final Map<String, SubState> filterSubs = new ConcurrentHashMap<>();
    private final Map<String, SubState> consumerSubs = new ConcurrentHashMap<>();
    private ScheduledFuture<?> authTimer;

    private volatile boolean connected;
    private volatile boolean closed;
    private volatile String closeReason;
    private volatile String clientId;
    private volatile MqttPacket.Will will;
    private volatile String userName;
    private Account account;
    private AccountSessions sessions;
    private Session session;
    private PermissionGuard guard;

    MqttConnection(MqttClients server, Channel channel, boolean websocket) {
        this.server = server;
        this.channel = channel;
        this.websocket = websocket;
        this.cid = server.services().nextClientId();
        this.outbound = new Outbound(channel, server.services().options().maxPending, () -> close("Slow Consumer (Pending Bytes)"));
        this.runner = new SerialRunner(this::resumeReadingIfDrained);
    }

    // ---- socket events (event loop) ----

    void active() {
        if (!server.opened(this)) {
            closeReason = "Maximum Connections Exceeded";
            channel.close();
            return;
        }
        if (server.services().authRequired() || server.mqtt().authOverride()) {
            long nanos = server.authTimeout().toNanos();
            authTimer = channel.eventLoop().schedule(() -> {
                if (!connected) close("Authentication Timeout");
            }, nanos, TimeUnit.NANOSECONDS);
        }
    }

    void received(Object packetOrError) {
        lastActivityNanos = System.nanoTime();
        runner.execute(() -> process(packetOrError));
        if (runner.queued() > 64 && channel.config().isAutoRead()) channel.config().setAutoRead(false);
    }

    private void resumeReadingIfDrained() {
        if (runner.queued() < 8 && !channel.config().isAutoRead() && !closed) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
        }
    }

    void keepAliveExpired() {
        close("Read Error"); // upstream: the read deadline passes, a read error
    }

    void inactive() {
        closed = true;
        if (authTimer != null) authTimer.cancel(false);
        outbound.close();
        runner.execute(this::cleanUp);
    }

    // ---- packets (the connection's runner) ----

    private void process(Object p) {
        if (closed || closeReason != null) return; // nothing after a refusal, even what was pipelined behind it
        if (!connected && !(p instanceof MqttPacket.Connect) && !(p instanceof MqttProtocolException)) {
            close("Protocol Violation"); // a packet queued behind a CONNECT still being refused
            return;
        }
        try {
            switch (p) {
                case MqttProtocolException e -> refuse(e);
                case MqttPacket.Connect c -> connect(c);
                case MqttPacket.Publish pub -> publish(pub);
                case MqttPacket.Ack a when a.type() == MqttPacket.PUBACK -> pubAck(a.packetId());
                case MqttPacket.Ack a when a.type() == MqttPacket.PUBREL -> {
                    Qos2Receiver.Released r = Qos2Receiver.released(sessions.js, session, a.packetId());
                    if (r != null) publishMessage(r.subject(), MqttTopics.subjectToTopic(r.subject()), 2, r.retain(), r.payload());
                    send(MqttPacketWriter.ack(MqttPacket.PUBCOMP, a.packetId()));
                }
                case MqttPacket.Ack a -> throw new MqttProtocolException("protocol " + a.type() + " not supported");
                case MqttPacket.Subscribe s -> subscribe(s);
                case MqttPacket.Unsubscribe u -> unsubscribe(u);
                case MqttPacket.Bare b when b.type() == MqttPacket.PINGREQ -> send(MqttPacketWriter.PINGRESP);
                case MqttPacket.Bare b -> {
                    will = null; // a DISCONNECT discards the will (MQTT-3.1.2-8)
                    close("Client Closed");
                }
                default -> throw new IllegalStateException(String.valueOf(p));
            }
        } catch (MqttProtocolException e) {
            refuse(e);
        } catch (JsApi.JsException e) {
            server.services().log().error("%s - MQTT: %s", this, e.getMessage());
            close("Protocol Violation");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close("Server Shutdown");
        } catch (RuntimeException e) {
            server.services().log().error("%s - MQTT: unexpected error: %s", this, e);
            close("Protocol Violation");
        }
    }

    private void refuse(MqttProtocolException e) {
        if (e.connAckCode() != 0) send(MqttPacketWriter.connAck(false, e.connAckCode()));
        server.services().log().error("%s - MQTT: %s", this, e.getMessage());
        close(e.connAckCode() == MqttProtocolException.NOT_AUTHORIZED ? "Authentication Failure" : "Protocol Violation");
    }

    private void connect(MqttPacket.Connect c) throws MqttProtocolException, JsApi.JsException, InterruptedException {
        if (connected) throw new MqttProtocolException("received a second CONNECT packet");
        clientId = c.clientId().isEmpty() ? AccountSessions.randomToken() : c.clientId();
        MqttPacket.Will w = c.will();
        if (w != null) MqttTopics.topicToSubject(w.topic()); // refused here when it cannot be carried, as upstream
        User user = authenticate(c);
        if (authTimer != null) authTimer.cancel(false);
        if (user == null) {
            throw new MqttProtocolException("Authentication Failure", MqttProtocolException.NOT_AUTHORIZED);
        }
        userName = c.username();
        account = server.services().account(user.account());
        guard = PermissionGuard.of(user.permissions());
        sessions = server.sessions(account);
        if (sessions.flapping(clientId)) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AccountSessions.FLAP_JAIL_NANOS));
            close("Duplicate Client ID");
            return;
        }
        sessions.lock(clientId);
        try {
            boolean[] existed = new boolean[1];
            Session s = sessions.sessionFor(clientId, existed);
            boolean present = false;
            MqttConnection old;
            synchronized (sessions) {
                old = s.connection;
                s.connection = this;
            }
            if (existed[0]) {
                if (c.cleanSession() || s.clean) s.clear(sessions.js);
                else present = true;
                if (old != null && old != this) {
                    sessions.tookOver(clientId);
                    server.services().log().warn("%s - Replacing old client %s since both have the same client ID \"%s\"",
                            this, old, clientId);
                    old.takenOver();
                }
            } else {
                sessions.add(s);
            }
            s.clean = c.cleanSession();
            s.save(sessions.js, sessions.serverHash);
            session = s;
            will = w;
            connected = true;
            send(MqttPacketWriter.connAck(present, 0));
            startKeepAlive(c.keepAliveSeconds());
            if (present) restoreSubscriptions();
        } finally {
            sessions.unlock(clientId);
        }
    }

    private User authenticate(MqttPacket.Connect c) {
        ConnectOptions co = new ConnectOptions();
        co.user = c.username();
        if (c.password() != null) {
            // As upstream: the password field may be a password, a token or a user JWT.
            String pw = new String(c.password(), StandardCharsets.UTF_8);
            co.pass = pw;
            co.authToken = pw;
            co.jwt = pw;
        }
        return server.services().authenticate(co, peerCertificates(), (InetSocketAddress) channel.remoteAddress(),
                websocket);
    }

    private List<X509Certificate> peerCertificates() {
        return ServerTls.peerCertificates(channel);
    }

    /** Upstream closes a client silent for 1.5 times its keep-alive (whole seconds, truncated). */
    private void startKeepAlive(int seconds) {
        if (seconds <= 0) return;
        long deadline = (long) (seconds * 1.5);
        channel.eventLoop().execute(() -> channel.pipeline().addFirst("mqtt-keepalive",
                new IdleStateHandler(deadline, 0, 0, TimeUnit.SECONDS)));
    }

    /** Another connection took this one's client id: closed without its will. */
    void takenOver() {
        will = null;
        close("Duplicate Client ID");
    }

    private void publish(MqttPacket.Publish p) throws MqttProtocolException, JsApi.JsException {
        String subject = MqttTopics.topicToSubject(p.topic());
        inMsgs.incrementAndGet();
        inBytes.addAndGet(p.payload().length);
        if (p.qos() == 2) {
            Qos2Receiver.received(sessions.js, session, subject, p);
            send(MqttPacketWriter.ack(MqttPacket.PUBREC, p.packetId()));
            return;
        }
        publishMessage(subject, p.topic(), p.qos(), p.retain(), p.payload());
        if (p.qos() > 0) send(MqttPacketWriter.ack(MqttPacket.PUBACK, p.packetId()));
    }

    /** A PUBLISH or a will: to NATS subscribers, to the retained store, and (QoS 1) to $MQTT_msgs before PUBACK. */
    private void publishMessage(String subject, String topic, int qos, boolean retain, byte[] payload)
            throws JsApi.JsException {
        if (guard != null && !guard.canPublish(subject)) {
            server.services().log().error("%s - Publish Violation - User \"%s\", Subject \"%s\"", this, userName, subject);
            return;
        }
        if (retain) sessions.retain(subject, topic, payload, qos << 1 | 1, userName);
        byte[] headers = ("NATS/1.0\r\nNmqtt-Pub:" + qos + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        FlushBatch batch = new FlushBatch(this);
        account.publish(InboundMessage.internal(subject, null, headers, payload), this, batch);
        batch.flushAll();
        if (qos > 0) sessions.js.store("MS", AccountSessions.MSGS_PREFIX + subject, headers, payload);
    }

    private void pubAck(int packetId) {
        Session.Pending p = session.acked(packetId);
        if (p != null && p.ackSubject() != null) sessions.js.publish(p.ackSubject(), new byte[0]);
    }

    private void subscribe(MqttPacket.Subscribe s) throws JsApi.JsException {
        byte[] codes = new byte[s.filters().size()];
        List<String> added = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            MqttPacket.Filter f = s.filters().get(i);
            int qos = Math.min(f.qos(), 1);
            String subject = natsFilter(f.filter());
            if (subject == null || !subscribeFilter(subject, qos, true, added)) {
                codes[i] = SUBACK_FAILURE[0];
                continue;
            }
            codes[i] = (byte) qos;
            synchronized (session) {
                session.subs.put(subject, qos);
            }
        }
        session.save(sessions.js, sessions.serverHash);
        send(MqttPacketWriter.subAck(s.packetId(), codes));
        for (String subject : added) sendRetained(subject);
    }

    /** The filter as a NATS subject this client may subscribe to, or null (a SUBACK failure). */
    private String natsFilter(String filter) {
        String subject;
        try {
            subject = MqttTopics.filterToSubject(filter);
        } catch (MqttProtocolException e) {
            server.services().log().error("%s - MQTT: invalid topic \"%s\": %s", this, filter, e.getMessage());
            return null;
        }
        if (subject.startsWith(AccountSessions.SUB_PREFIX) || !Subjects.isValidSubject(subject)) return null;
        if (guard != null && !guard.canSubscribe(subject, null)) {
            server.services().log().error("%s - Subscription Violation - User \"%s\", Subject \"%s\"", this, userName, subject);
            return null;
        }
        return subject;
    }

    /** The filter's subscriptions (and its parent level's for {@code .>}); false when one could not be made. */
    private boolean subscribeFilter(String subject, int qos, boolean fromSubscribe, List<String> added)
            throws JsApi.JsException {
        if (!subscribeOne(subject, subject, qos, fromSubscribe)) return false;
        added.add(subject);
        if (MqttTopics.needsParentLevel(subject)) {
            String parent = subject.substring(0, subject.length() - 2);
            if (!subscribeOne(parent, parent + " fwc", qos, fromSubscribe)) {
                unsubscribeOne(subject);
                return false;
            }
            added.add(parent);
        }
        return true;
    }

    private boolean subscribeOne(String subject, String sid, int qos, boolean fromSubscribe) throws JsApi.JsException {
        SubState st = filterSubs.get(sid);
        if (st != null) {
            st.qos = qos; // replaced in place: no gap in the flow of messages (MQTT-3.8.4-3)
        } else {
            st = new SubState(new Subscription(this, subject, null, sid), qos, null, subject);
            bySub.put(st.sub, st);
            filterSubs.put(sid, st);
            account.subscribe(st.sub);
        }
        return consumerFor(subject, sid, qos, fromSubscribe);
    }

    /** Creates, keeps or deletes the durable consumer of a subscription as its QoS says (upstream's processJSConsumer). */
    private boolean consumerFor(String subject, String sid, int qos, boolean fromSubscribe) throws JsApi.JsException {
        ObjectNode cfg;
        synchronized (session) {
            cfg = session.consumers.get(sid);
        }
        if (cfg != null && qos == 0) {
            dropConsumer(sid);
            return true;
        }
        if (qos == 0 || (cfg != null && fromSubscribe && consumerSubs.containsKey(sid))) return true;
        if (cfg == null) {
            MqttOptions o = sessions.opts;
            cfg = JsApi.JSON.createObjectNode();
            cfg.put("durable_name", session.hash + "_" + AccountSessions.randomToken());
            cfg.put("deliver_subject", AccountSessions.SUB_PREFIX + AccountSessions.randomToken());
            cfg.put("deliver_policy", "new");
            cfg.put("ack_policy", "explicit");
            cfg.put("filter_subject", AccountSessions.MSGS_PREFIX + subject);
            cfg.put("ack_wait", o.effectiveAckWait().toNanos());
            cfg.put("max_ack_pending", o.effectiveMaxAckPending());
            if (o.consumerMemoryStorage) cfg.put("mem_storage", true);
            if (o.consumerReplicas > 0) cfg.put("num_replicas", o.consumerReplicas);
            if (!o.consumerInactiveThreshold.isZero()) cfg.put("inactive_threshold", o.consumerInactiveThreshold.toNanos());
            ObjectNode req = JsApi.JSON.createObjectNode();
            req.put("stream_name", AccountSessions.MSGS_STREAM);
            req.set("config", cfg);
            String durable = cfg.path("durable_name").asText();
            try {
                sessions.js.api("CC", "CONSUMER.DURABLE.CREATE." + AccountSessions.MSGS_STREAM + "." + durable, req);
            } catch (JsApi.JsException e) {
                server.services().log().error("%s - Unable to add JetStream consumer for subscription on \"%s\": err=%s",
                        this, subject, e.getMessage());
                return false;
            }
            synchronized (session) {
                session.consumers.put(sid, cfg);
            }
        }
        String inbox = cfg.path("deliver_subject").asText();
        SubState js = new SubState(new Subscription(this, inbox, null, inbox), qos, cfg.path("durable_name").asText(), subject);
        bySub.put(js.sub, js);
        SubState previous = consumerSubs.put(sid, js);
        account.subscribe(js.sub);
        if (previous != null) {
            bySub.remove(previous.sub);
            account.unsubscribe(previous.sub);
        }
        return true;
    }

    private void dropConsumer(String sid) throws JsApi.JsException {
        ObjectNode cfg;
        synchronized (session) {
            cfg = session.consumers.remove(sid);
        }
        SubState js = consumerSubs.remove(sid);
        if (js != null) {
            bySub.remove(js.sub);
            account.unsubscribe(js.sub);
        }
        if (cfg != null) {
            String durable = cfg.path("durable_name").asText();
            session.dropPending(durable);
            Session.deleteConsumer(sessions.js, durable);
        }
    }

    private void unsubscribeOne(String sid) {
        SubState st = filterSubs.remove(sid);
        if (st != null) {
            bySub.remove(st.sub);
            account.unsubscribe(st.sub);
        }
    }

    /** After a CONNECT that found the session: its subscriptions again, permissions checked again. */
    private void restoreSubscriptions() throws JsApi.JsException {
        Map<String, Integer> subs;
        synchronized (session) {
            subs = Map.copyOf(session.subs);
        }
        boolean changed = false;
        for (Map.Entry<String, Integer> e : subs.entrySet()) {
            String subject = e.getKey();
            if (MqttTopics.needsParentLevel(subject) || !subs.containsKey(subject + ".>")) {
                boolean allowed = guard == null || guard.canSubscribe(subject, null);
                if (allowed && subscribeFilter(subject, e.getValue(), false, new ArrayList<>())) continue;
                // No longer allowed (or failed): forget it, and its stored QoS 1 messages with its consumer.
                dropConsumer(subject);
                if (MqttTopics.needsParentLevel(subject)) dropConsumer(subject.substring(0, subject.length() - 2) + " fwc");
                synchronized (session) {
                    session.subs.remove(subject);
                }
                changed = true;
            }
        }
        if (changed) session.save(sessions.js, sessions.serverHash);
    }

    private void unsubscribe(MqttPacket.Unsubscribe u) throws JsApi.JsException {
        for (String filter : u.filters()) {
            String subject;
            try {
                subject = MqttTopics.filterToSubject(filter);
            } catch (MqttProtocolException e) {
                continue;
            }
            dropConsumer(subject);
            unsubscribeOne(subject);
            if (MqttTopics.needsParentLevel(subject)) {
                String sid = subject.substring(0, subject.length() - 2) + " fwc";
                dropConsumer(sid);
                unsubscribeOne(sid);
            }
            synchronized (session) {
                session.subs.remove(subject);
            }
        }
        session.save(sessions.js, sessions.serverHash);
        send(MqttPacketWriter.unsubAck(u.packetId()));
    }

    /** The retained messages a new subscription matches, permissions applied as on any delivery. */
    private void sendRetained(String subject) {
        SubState st = filterSubs.get(subject);
        if (st == null) {
            st = filterSubs.get(subject + " fwc");
        }
        if (st == null) return;
        FlushBatch batch = new FlushBatch(this);
        for (RetainedMessages.Retained r : sessions.retained.matching(subject)) {
            String rs = r.record().subject();
            if (guard != null && (guard.deniedOnDelivery(subject, rs) || !guard.canSubscribe(rs, null) && Subjects.isLiteral(subject))) {
                continue;
            }
            int qos = Math.min(r.record().qos(), st.qos);
            int pi = qos > 0 ? session.trackRetained() : 0;
            if (qos > 0 && pi == 0) continue;
            byte[] payload = r.record().msg();
            write(qos, false, true, r.record().topic().getBytes(StandardCharsets.UTF_8), pi, Unpooled.wrappedBuffer(payload),
                    payload.length, batch);
        }
        batch.flushAll();
    }

    // ---- deliveries (publishers' threads) ----

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
        SubState st = bySub.get(sub);
        if (st == null || closed || !connected) return false;
        if (st.durable != null) return deliverFromConsumer(st, msg, flush);
        // JetStream deliveries go to their consumers' subscriptions only (upstream: not from JETSTREAM).
        if (msg.shownUnderAnotherSubject()) return false;
        String subject = shownSubject(msg);
        if (guard != null && guard.deniedOnDelivery(sub.subject(), subject)) return false;
        if (st.qos > 0 && publishedQos(msg) > 0) return false; // the subscription's consumer delivers it
        byte[] topic = MqttTopics.subjectToTopic(subject).getBytes(StandardCharsets.UTF_8);
        return write(0, false, false, topic, 0, msg.payload(), msg.payloadLength(), flush);
    }

    private boolean deliverFromConsumer(SubState st, InboundMessage msg, FlushBatch flush) {
        String stored = shownSubject(msg);
        if (!stored.startsWith(AccountSessions.MSGS_PREFIX) || stored.length() == AccountSessions.MSGS_PREFIX.length()) {
            return false;
        }
        String subject = stored.substring(AccountSessions.MSGS_PREFIX.length());
        String reply = msg.reply();
        Session s = session;
        if (guard != null && (!guard.canSubscribe(st.filter, null) || guard.deniedOnDelivery(st.filter, subject))) {
            // Not for this client to see (permissions changed since it subscribed): acknowledged, never shown.
            if (reply != null) runner.execute(() -> sessions.js.publish(reply, new byte[0]));
            return true;
        }
        int pi = s.track(reply, st.durable, AckReply.streamSeq(reply));
        if (pi == 0) return false; // max pending reached: JetStream redelivers after ack_wait
        boolean dup = AckReply.deliveryCount(reply) > 1;
        byte[] topic = MqttTopics.subjectToTopic(subject).getBytes(StandardCharsets.UTF_8);
        return write(1, dup, false, topic, pi, msg.payload(), msg.payloadLength(), flush);
    }

    private boolean write(int qos, boolean dup, boolean retain, byte[] topic, int pi, ByteBuf payload, int length,
                          FlushBatch batch) {
        int size = MqttPacketWriter.publishSize(topic.length, length, qos);
        return outbound.appendFrame(size, length,
                out -> MqttPacketWriter.publish(out, qos, dup, retain, topic, pi, payload, length), batch);
    }

    private static String shownSubject(InboundMessage msg) {
        ByteBuf b = Unpooled.buffer(64);
        msg.writeSubject(b);
        String s = b.toString(StandardCharsets.UTF_8);
        b.release();
        return s;
    }

    /** The QoS an MQTT publisher gave the message (its {@code Nmqtt-Pub} header), or -1. */
    private static int publishedQos(InboundMessage msg) {
        if (!msg.hasHeaders()) return -1;
        String h = msg.headers().toString(0, msg.headerLength(), StandardCharsets.US_ASCII);
        int i = h.indexOf("\r\nNmqtt-Pub:");
        if (i < 0) return -1;
        int at = i + "\r\nNmqtt-Pub:".length();
        while (at < h.length() && h.charAt(at) == ' ') at++;
        return at < h.length() && Character.isDigit(h.charAt(at)) ? h.charAt(at) - '0' : -1;
    }

    @Override
    public boolean echo() {
        return true;
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.CLIENT;
    }

    // ---- writing and closing ----

    private void send(byte[] packet) {
        FlushBatch batch = new FlushBatch(this);
        outbound.appendControl(packet, batch);
        batch.flushAll();
    }

    /** Closes the socket; what it held is released once it is gone ({@link #cleanUp}). */
    void close(String reason) {
        if (closeReason == null) closeReason = reason;
        channel.eventLoop().execute(() -> {
            outbound.flush();
            channel.close();
        });
    }

    private void cleanUp() {
        try {
            releaseSession();
        } finally {
            server.closed(this);
        }
    }

    /** Gives the session back (clearing it when clean) and publishes the will. */
    private void releaseSession() {
        for (SubState st : bySub.values()) account.unsubscribe(st.sub);
        bySub.clear();
        Session s = session;
        if (s == null) return;
        try {
            sessions.lock(s.id);
            try {
                boolean owner;
                synchronized (sessions) {
                    owner = s.connection == this;
                    if (owner) s.connection = null;
                }
                if (!owner) return; // taken over: the new connection has the session now
                sessions.forgetFlapper(s.id);
                if (s.clean) {
                    sessions.remove(s);
                    s.clear(sessions.js);
                }
            } finally {
                sessions.unlock(s.id);
            }
            MqttPacket.Will w = will;
            if (w != null) {
                will = null;
                publishMessage(MqttTopics.topicToSubject(w.topic()), w.topic(), w.qos(), w.retain(), w.message());
            }
        } catch (JsApi.JsException | MqttProtocolException e) {
            server.services().log().error("%s - MQTT: %s", this, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- monitoring ----

    public long cid() {
        return cid;
    }

    public String clientId() {
        return clientId;
    }

    public boolean isWebsocket() {
        return websocket;
    }

    public String closeReason() {
        return closeReason;
    }

    public Instant start() {
        return start;
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    public String accountName() {
        Account a = account;
        return a == null ? null : a.name();
    }

    public int subscriptionCount() {
        return bySub.size();
    }

    /** The NATS subscriptions this client holds (its filters' and its consumers' deliver subjects). */
    public List<Subscription> subscriptions() {
        List<Subscription> out = new ArrayList<>();
        for (SubState st : bySub.values()) out.add(st.sub);
        return out;
    }

    public long startNanos() {
        return startNanos;
    }

    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    public long inMsgs() {
        return inMsgs.get();
    }

    public long inBytes() {
        return inBytes.get();
    }

    public long pendingBytes() {
        return outbound.pendingBytes();
    }

    /** The user name of CONNECT, when it authenticated one. */
    public String authorizedUser() {
        return userName;
    }

    public long outMsgs() {
        return outbound.msgs();
    }

    public long outBytes() {
        return outbound.bytes();
    }

    @Override
    public String toString() {
        InetSocketAddress r = remoteAddress();
        return (r == null ? "?" : r.getAddress().getHostAddress() + ":" + r.getPort()) + " - mid:" + cid
                + (clientId == null ? "" : " - \"" + clientId + "\"");
    }
}
