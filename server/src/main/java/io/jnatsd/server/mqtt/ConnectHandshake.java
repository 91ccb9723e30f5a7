package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketWriter;
import io.jnatsd.protocol.mqtt.MqttProperties;
import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttReason;
import io.jnatsd.protocol.mqtt.MqttTopics;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.client.PermissionGuard;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.net.ServerTls;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A CONNECT, 3.1.1 or 5: authentication, the session found or made (taking it over from another connection with
 * the same client id), its lifetime (3.1.1's clean session; MQTT 5's Clean Start and Session Expiry Interval), the
 * client's limits, and the CONNACK (MQTT 5: with the server's limits and an assigned client id).
 */
final class ConnectHandshake {
    private final MqttConnection conn;

    ConnectHandshake(MqttConnection conn) {
        this.conn = conn;
    }

    void connect(MqttPacket.Connect c) throws MqttProtocolException, JsApi.JsException, InterruptedException {
        if (conn.connected) throw MqttProtocolException.protocolError("received a second CONNECT packet");
        conn.v5 = c.v5();
        if (conn.v5 && c.props().has(MqttProperties.AUTH_METHOD)) {
            // No enhanced authentication is offered, as Mosquitto without an auth plugin.
            throw MqttProtocolException.withReason("authentication method not supported", MqttReason.BAD_AUTHENTICATION_METHOD)
                    .atLevel(c.level());
        }
        conn.limits = ClientLimits.of(c);
        boolean assigned = c.clientId().isEmpty();
        conn.clientId = assigned ? AccountSessions.randomToken() : c.clientId();
        MqttPacket.Will w = c.will();
        if (w != null) MqttTopics.topicToSubject(w.topic()); // refused here when it cannot be carried, as upstream
        User user = authenticate(c);
        if (conn.authTimer != null) conn.authTimer.cancel(false);
        if (user == null) {
            throw new MqttProtocolException("Authentication Failure", MqttProtocolException.NOT_AUTHORIZED).atLevel(c.level());
        }
        conn.userName = c.username();
        Account account = conn.server.services().account(user.account());
        if (!account.addConnection()) {
            // As upstream, whose registration with the account fails and closes the connection: no CONNACK for
            // 3.1.1; MQTT 5 is told "quota exceeded" first.
            conn.log().error("%s - maximum account active connections exceeded", conn);
            if (conn.v5) conn.send(MqttPacketWriter.connAck5(false, MqttReason.QUOTA_EXCEEDED, new MqttProperties()));
            conn.close("Maximum Account Connections Exceeded");
            return;
        }
        conn.account = account;
        conn.countedInAccount = true;
        conn.server.services().clientJoined(conn);
        conn.guard = PermissionGuard.of(user.permissions());
        conn.sessions = conn.server.sessions(conn.account);
        if (conn.sessions.flapping(conn.clientId)) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AccountSessions.FLAP_JAIL_NANOS));
            conn.close("Duplicate Client ID");
            return;
        }
        long expiry = conn.v5 ? c.props().number(MqttProperties.SESSION_EXPIRY, 0) : c.cleanSession() ? 0 : SessionEnd.NEVER;
        conn.sessions.lock(conn.clientId);
        try {
            boolean[] existed = new boolean[1];
            Session s = conn.sessions.sessionFor(conn.clientId, existed);
            boolean present = false;
            MqttConnection old;
            synchronized (conn.sessions) {
                old = s.connection;
                s.connection = conn;
                s.generation++;
            }
            if (existed[0]) {
                if (c.cleanSession() || s.clean || s.expiredAt(System.currentTimeMillis())) s.clear(conn.sessions.js);
                else present = true;
                if (old != null && old != conn) {
                    conn.sessions.tookOver(conn.clientId);
                    conn.log().warn("%s - Replacing old client %s since both have the same client ID \"%s\"", conn, old, conn.clientId);
                    old.takenOver();
                }
            } else {
                conn.sessions.add(s);
            }
            s.clean = expiry == 0;
            s.expirySeconds = expiry;
            s.leftAtMillis = 0;
            s.receiveMaximum(conn.limits.receiveMaximum());
            s.save(conn.sessions.js, conn.sessions.serverHash);
            conn.session = s;
            conn.will = w;
            conn.connected = true;
            conn.send(conn.v5 ? MqttPacketWriter.connAck5(present, 0, connAckProperties(assigned)) : MqttPacketWriter.connAck(present, 0));
            conn.startKeepAlive(c.keepAliveSeconds());
            if (present) conn.subscriptions.restore();
        } finally {
            conn.sessions.unlock(conn.clientId);
        }
    }

    /** What the server tells an MQTT 5 client of its limits (section 3.2.2.3); the rest are the defaults. */
    private MqttProperties connAckProperties(boolean assignedId) {
        MqttProperties p = new MqttProperties()
                .put(MqttProperties.RECEIVE_MAXIMUM, MqttPublishFlow.RECEIVE_MAXIMUM)
                .put(MqttProperties.TOPIC_ALIAS_MAXIMUM, MqttPublishFlow.TOPIC_ALIAS_MAXIMUM)
                .put(MqttProperties.MAXIMUM_PACKET_SIZE, (int) conn.server.maxPacketSize());
        if (assignedId) p.put(MqttProperties.ASSIGNED_CLIENT_ID, conn.clientId);
        return p;
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
        return conn.server.services().authenticate(co, ServerTls.peerCertificates(conn.channel),
                (InetSocketAddress) conn.channel.remoteAddress(), conn.websocket);
    }
}
