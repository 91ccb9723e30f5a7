package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttProperties;
import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttReason;
import io.jnatsd.server.client.PermissionGuard;
import io.jnatsd.server.conn.Outbound;
import io.jnatsd.server.conn.ProducerStall;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.server.log.ServerLog;
import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One MQTT client, 3.1.1 or 5: a {@link ConnectionKind#CLIENT} subscriber of the routing core, as upstream's MQTT
 * clients are CLIENT connections with an MQTT flag. Packets are processed in order on the connection's
 * {@link SerialRunner}; deliveries arrive on publishers' threads and are encoded as PUBLISH packets into the
 * connection's {@link Outbound}, so slow consumers and flush batching work as for NATS clients.
 *
 * <p>This class holds the connection's life (CONNECT, refusals, DISCONNECT, close) and hands the rest to its
 * parts: {@link MqttSubscriptions} (SUBSCRIBE, UNSUBSCRIBE, a resumed session's subscriptions),
 * {@link MqttPublishFlow} (messages from the client), {@link MqttDelivery} (messages to it) and
 * {@link SessionEnd} (session expiry and wills). MQTT 5 is the same flow with properties and reason codes: the
 * parts ask {@link #v5} only where the wire differs.
 */
public final class MqttConnection implements Subscriber {
    final MqttClients server;
    final Channel channel;
    /** Over the websocket listener's {@code /mqtt} endpoint. */
    final boolean websocket;
    final Outbound outbound;
    final SerialRunner runner;
    final MqttSubscriptions subscriptions = new MqttSubscriptions(this);
    final MqttDelivery delivery = new MqttDelivery(this);
    final MqttPublishFlow publishFlow = new MqttPublishFlow(this);
    final Qos2Sender qos2 = new Qos2Sender(this);
    private final long cid;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private volatile long lastActivityNanos = startNanos;
    private final AtomicLong inMsgs = new AtomicLong();
    private final AtomicLong inBytes = new AtomicLong();
    ScheduledFuture<?> authTimer;

    volatile boolean connected;
    private volatile boolean closed;
    private volatile String closeReason;
    volatile String clientId;
    volatile MqttPacket.Will will;
    /** Protocol level 5 (set at CONNECT, before anything is sent). */
    volatile boolean v5;
    volatile ClientLimits limits = ClientLimits.NONE;
    volatile String userName;
    Account account;
    /** Counted in its account's connections (from an accepted CONNECT until it closes). */
    volatile boolean countedInAccount;
    AccountSessions sessions;
    volatile Session session;
    PermissionGuard guard;

    MqttConnection(MqttClients server, Channel channel, boolean websocket) {
        this.server = server;
        this.channel = channel;
        this.websocket = websocket;
        this.cid = server.services().nextClientId();
        this.outbound = new Outbound(channel, server.services().options().maxPending, () -> close("Slow Consumer (Pending Bytes)"));
        this.runner = new SerialRunner(this::resumeReadingIfDrained);
    }

    ServerLog log() {
        return server.services().log();
    }

    void countIn(int bytes) {
        inMsgs.incrementAndGet();
        inBytes.addAndGet(bytes);
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
        Object p = packetOrError instanceof MqttPacket m && !publishFlow.admit(m)
                ? MqttProtocolException.withReason("receive maximum exceeded", MqttReason.RECEIVE_MAXIMUM_EXCEEDED)
                : packetOrError;
        runner.execute(() -> process(p));
        if (runner.queued() > 64 && channel.config().isAutoRead()) channel.config().setAutoRead(false);
    }

    private void resumeReadingIfDrained() {
        if (runner.queued() < 8 && !channel.config().isAutoRead() && !closed) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
        }
    }

    void keepAliveExpired() {
        close("Read Error", MqttReason.KEEP_ALIVE_TIMEOUT); // upstream: the read deadline passes, a read error
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
                case MqttPacket.Connect c -> new ConnectHandshake(this).connect(c);
                case MqttPacket.Publish pub -> publishFlow.publish(pub);
                case MqttPacket.Ack a when a.type() == MqttPacket.PUBACK -> publishFlow.pubAck(a.packetId());
                case MqttPacket.Ack a when a.type() == MqttPacket.PUBREL -> publishFlow.pubRel(a.packetId());
                case MqttPacket.Ack a when a.type() == MqttPacket.PUBREC -> qos2.pubRec(a.packetId(), a.reason());
                case MqttPacket.Ack a when a.type() == MqttPacket.PUBCOMP -> qos2.pubComp(a.packetId());
                case MqttPacket.Ack a -> throw MqttProtocolException.protocolError("protocol " + a.type() + " not supported");
                case MqttPacket.Subscribe s -> subscriptions.subscribe(s);
                case MqttPacket.Unsubscribe u -> subscriptions.unsubscribe(u);
                case MqttPacket.Disconnect d -> disconnect(d);
                case MqttPacket.Bare b when b.type() == MqttPacket.PINGREQ -> send(MqttPacketWriter.PINGRESP);
                case MqttPacket.Bare b -> throw MqttProtocolException.protocolError("AUTH without an authentication method");
                default -> throw new IllegalStateException(String.valueOf(p));
            }
        } catch (MqttProtocolException e) {
            refuse(e);
        } catch (JsApi.JsException e) {
            log().error("%s - MQTT: %s", this, e.getMessage());
            close("Protocol Violation", MqttReason.UNSPECIFIED_ERROR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close("Server Shutdown", MqttReason.SERVER_SHUTTING_DOWN);
        } catch (RuntimeException e) {
            log().error("%s - MQTT: unexpected error: %s", this, e);
            close("Protocol Violation", MqttReason.IMPLEMENTATION_SPECIFIC_ERROR);
        } finally {
            flushPublishesWhenIdle();
        }
    }

    /**
     * A refusal: 3.1.1 answers a refused CONNECT with its return code and otherwise just closes; MQTT 5 answers
     * with the reason code, in a CONNACK during CONNECT and a DISCONNECT after.
     */
    private void refuse(MqttProtocolException e) {
        log().error("%s - MQTT: %s", this, e.getMessage());
        String reason = e.connAckCode() == MqttProtocolException.NOT_AUTHORIZED ? "Authentication Failure" : "Protocol Violation";
        if (connected) {
            close(reason, e.reason());
            return;
        }
        if (e.level() == MqttPacket.LEVEL_5) send(MqttPacketWriter.connAck5(false, e.reason(), new MqttProperties()));
        else if (e.connAckCode() != 0) send(MqttPacketWriter.connAck(false, e.connAckCode()));
        close(reason);
    }

    private void disconnect(MqttPacket.Disconnect d) throws MqttProtocolException {
        if (d.props().has(MqttProperties.SESSION_EXPIRY)) {
            long expiry = d.props().number(MqttProperties.SESSION_EXPIRY, 0);
            // A session that was to end with the connection cannot be made to outlive it now (MQTT-3.14.2-2).
            if (session.expirySeconds == 0 && expiry != 0) throw MqttProtocolException.protocolError("session expiry set at DISCONNECT");
            session.expirySeconds = expiry;
        }
        // A DISCONNECT discards the will (MQTT-3.1.2-8), unless MQTT 5's reason asks for it.
        if (d.reason() != MqttReason.DISCONNECT_WITH_WILL) will = null;
        close("Client Closed");
    }

    /** Upstream closes a client silent for 1.5 times its keep-alive (whole seconds, truncated). */
    void startKeepAlive(int seconds) {
        if (seconds <= 0) return;
        long deadline = (long) (seconds * 1.5);
        channel.eventLoop().execute(() -> channel.pipeline().addFirst("mqtt-keepalive",
                new IdleStateHandler(deadline, 0, 0, TimeUnit.SECONDS)));
    }

    /** Another connection took this one's client id: closed without its will. */
    void takenOver() {
        will = null;
        close("Duplicate Client ID", MqttReason.SESSION_TAKEN_OVER);
    }

    // ---- deliveries (publishers' threads) ----

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
        if (closed || !connected) return false;
        if (qos2.owns(sub)) return qos2.delivered(msg, flush);
        SubState st = subscriptions.bySub.get(sub);
        if (st == null) return false;
        return st.durable != null ? delivery.fromConsumer(st, msg, flush) : delivery.live(st, msg, flush);
    }

    @Override
    public boolean echo() {
        return true;
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.CLIENT;
    }

    /**
     * The deliveries of this device's PUBLISHes, flushed once for many: per packet, a flush (a task on
     * each receiver's event loop) cost more than the message itself at 16 B. Used on the runner only.
     */
    final FlushBatch publishes = new FlushBatch(this);
    private int unflushed;

    /** After a packet: the deliveries go out once no packet is waiting, or after 32 packets. */
    private void flushPublishesWhenIdle() {
        if (++unflushed < 32 && runner.queued() > 1) return;
        unflushed = 0;
        publishes.flushAll();
        FlushBatch.Backlogged receiver = publishes.takeStall();
        // a receiver this device filled is backlogged: read no more from it until it drains
        if (receiver != null) ProducerStall.stall(channel, receiver, () -> closed, () -> runner.queued() < 8);
    }

    // ---- writing and closing ----

    void send(byte[] packet) {
        FlushBatch batch = new FlushBatch(this);
        outbound.appendControl(packet, batch);
        batch.flushAll();
    }

    /** Closes the socket; what it held is released once it is gone ({@link #cleanUp}). */
    void close(String reason) {
        close(reason, 0);
    }

    /** The same, telling an MQTT 5 client why with a DISCONNECT of {@code v5Reason} (0: say nothing). */
    void close(String reason, int v5Reason) {
        if (closeReason == null) {
            closeReason = reason;
            if (v5 && connected && v5Reason != 0) send(MqttPacketWriter.disconnect(v5Reason));
        }
        channel.eventLoop().execute(() -> {
            outbound.flush();
            channel.close();
        });
    }

    private void cleanUp() {
        try {
            releaseSession();
        } finally {
            if (countedInAccount) account.removeConnection(); // before the server hears: its events count what is left
            server.closed(this);
        }
    }

    /** Gives the session back and hands its end and the will to {@link SessionEnd}. */
    private void releaseSession() {
        subscriptions.releaseAll();
        qos2.release();
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
                MqttPacket.Will w = will;
                will = null;
                SessionEnd.released(sessions, s, w, this, log());
            } finally {
                sessions.unlock(s.id);
            }
        } catch (JsApi.JsException e) {
            log().error("%s - MQTT: %s", this, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- monitoring ----

    public long cid() {
        return cid;
    }

    @Override
    public long connectionId() {
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

    /** The account it joined at CONNECT; null before. */
    public Account account() {
        return account;
    }

    /** Whether its CONNECT was accepted and it was counted in its account (upstream's CONNECT event was sent). */
    public boolean joinedAccount() {
        return countedInAccount;
    }

    public int subscriptionCount() {
        return subscriptions.count();
    }

    /** The NATS subscriptions this client holds (its filters' and its consumers' deliver subjects). */
    public List<Subscription> subscriptions() {
        List<Subscription> out = new ArrayList<>();
        for (SubState st : subscriptions.bySub.values()) out.add(st.sub);
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
