package io.jnatsd.server.monitor;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClosedReason;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.Subscription;
import io.jnatsd.server.mqtt.MqttConnection;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One client connection as /connz reports it: a snapshot of an open connection, or the final
 * state of a closed one (kept in {@link ClosedConnections}).
 *
 * @param subs the subscriptions in detail; for a closed connection each names its account, as
 *             upstream keeps them
 * @param type {@code nats} or {@code websocket} (upstream's client type)
 */
public record ConnInfo(long cid, String ip, int port, Instant start, Instant lastActivity, Instant stop,
                       String reason, long rttNanos, long uptimeNanos, long idleNanos, long pendingBytes,
                       long inMsgs, long outMsgs, long inBytes, long outBytes, int numSubs,
                       String name, String lang, String version, String authorizedUser, String account,
                       List<SubDetail> subs, JwtUser jwt, String type, String mqttClient) {

    /** An open connection's user JWT, its issuer (the account or its signing key), name and tags. */
    record JwtUser(String jwt, String issuerKey, String nameTag, List<String> tags) {}

    static final String GLOBAL_ACCOUNT = "$G";

    /** A snapshot of an open connection; {@code withSubs} lists its subscriptions too. */
    static ConnInfo open(ClientConnection c, Instant now, long nowNanos, boolean withSubs) {
        return of(c, now, nowNanos, null, null, withSubs, false);
    }

    /** The final state of a connection that has just closed, with its subscriptions. */
    public static ConnInfo closed(ClientConnection c, Instant now, long nowNanos) {
        ClosedReason r = c.closedReason();
        return of(c, now, nowNanos, now, r == null ? ClosedReason.CLIENT_CLOSED.text() : r.text(), true, true);
    }

    private static ConnInfo of(ClientConnection c, Instant now, long nowNanos, Instant stop, String reason,
                               boolean withSubs, boolean subsWithAccount) {
        InetSocketAddress remote = c.remoteSocketAddress();
        String ip = remote == null ? "" : remote.getAddress().getHostAddress();
        int port = remote == null ? 0 : remote.getPort();
        long last = c.lastActivityNanos();
        ConnectOptions opts = c.connectOptions();
        Account acc = c.account();
        String accName = acc == null ? GLOBAL_ACCOUNT : acc.name();
        List<SubDetail> subs = null;
        int numSubs;
        if (withSubs) {
            List<Subscription> list = c.subscriptions();
            numSubs = list.size();
            subs = new ArrayList<>(numSubs);
            for (Subscription s : list) subs.add(SubDetail.of(s, subsWithAccount ? accName : null));
        } else {
            numSubs = c.subscriptionCount();
        }
        return new ConnInfo(c.cid(), ip, port, c.startTime(), now.minusNanos(Math.max(0, nowNanos - last)), stop, reason,
                c.rttNanos(), nowNanos - c.startNanos(), Math.max(0, nowNanos - last), c.pendingBytes(),
                c.inMsgs(), c.outMsgs(), c.inBytes(), c.outBytes(), numSubs,
                opts == null ? null : opts.name, opts == null ? null : opts.lang, opts == null ? null : opts.version,
                c.authorizedUser(), accName, subs, stop == null ? jwtUser(c) : null, c.clientType(), null);
    }

    /** A snapshot of an open MQTT connection (upstream lists them as clients with their MQTT client id). */
    static ConnInfo openMqtt(MqttConnection c, Instant now, long nowNanos, boolean withSubs) {
        return ofMqtt(c, now, nowNanos, null, null, withSubs, false);
    }

    /** The final state of an MQTT connection that has just closed. */
    public static ConnInfo closedMqtt(MqttConnection c, Instant now, long nowNanos) {
        String r = c.closeReason();
        return ofMqtt(c, now, nowNanos, now, r == null ? ClosedReason.CLIENT_CLOSED.text() : r, true, true);
    }

    private static ConnInfo ofMqtt(MqttConnection c, Instant now, long nowNanos, Instant stop, String reason,
                                   boolean withSubs, boolean subsWithAccount) {
        InetSocketAddress remote = c.remoteAddress();
        String ip = remote == null ? "" : remote.getAddress().getHostAddress();
        int port = remote == null ? 0 : remote.getPort();
        long last = c.lastActivityNanos();
        String accName = c.accountName() == null ? GLOBAL_ACCOUNT : c.accountName();
        List<SubDetail> subs = null;
        int numSubs = c.subscriptionCount();
        if (withSubs) {
            subs = new ArrayList<>();
            for (Subscription s : c.subscriptions()) subs.add(SubDetail.of(s, subsWithAccount ? accName : null));
            numSubs = subs.size();
        }
        return new ConnInfo(c.cid(), ip, port, c.start(), now.minusNanos(Math.max(0, nowNanos - last)), stop, reason,
                0, nowNanos - c.startNanos(), Math.max(0, nowNanos - last), c.pendingBytes(),
                c.inMsgs(), c.outMsgs(), c.inBytes(), c.outBytes(), numSubs, null, null, null,
                c.authorizedUser(), accName, subs, null, "mqtt", c.clientId());
    }

    private static JwtUser jwtUser(ClientConnection c) {
        ConnectOptions opts = c.connectOptions();
        var u = c.user();
        if (opts == null || opts.jwt == null || opts.jwt.isEmpty() || u == null || u.jwt() == null) return null;
        return new JwtUser(opts.jwt, u.jwt().issuer(), u.jwt().nameTag(), u.jwt().tags());
    }

    boolean isClosed() {
        return stop != null;
    }

    /** The JSON object, with upstream's field names, order and omissions. */
    Map<String, Object> toJson(boolean auth, boolean subsList, boolean subsDetail) {
        Map<String, Object> o = Json.object();
        o.put("cid", cid);
        o.put("kind", "Client");
        o.put("type", type == null ? "nats" : type);
        o.put("ip", ip);
        o.put("port", port);
        o.put("start", start);
        o.put("last_activity", lastActivity);
        if (stop != null) o.put("stop", stop);
        if (reason != null && !reason.isEmpty()) o.put("reason", reason);
        o.put("rtt", GoFormat.rtt(rttNanos));
        o.put("uptime", GoFormat.uptime(uptimeNanos));
        o.put("idle", GoFormat.uptime(idleNanos));
        o.put("pending_bytes", pendingBytes);
        o.put("in_msgs", inMsgs);
        o.put("out_msgs", outMsgs);
        o.put("in_bytes", inBytes);
        o.put("out_bytes", outBytes);
        o.put("subscriptions", numSubs);
        putIfPresent(o, "name", name);
        putIfPresent(o, "lang", lang);
        putIfPresent(o, "version", version);
        if (auth) {
            putIfPresent(o, "authorized_user", authorizedUser);
            if (!GLOBAL_ACCOUNT.equals(account)) putIfPresent(o, "account", account);
        }
        if (subs != null && !subs.isEmpty()) {
            if (subsDetail) {
                List<Map<String, Object>> l = new ArrayList<>(subs.size());
                for (SubDetail d : subs) l.add(d.toJson());
                o.put("subscriptions_list_detail", l);
            } else if (subsList) {
                List<String> l = new ArrayList<>(subs.size());
                for (SubDetail d : subs) l.add(d.subject());
                o.put("subscriptions_list", l);
            }
        }
        if (auth && jwt != null) {
            o.put("jwt", jwt.jwt());
            putIfPresent(o, "issuer_key", jwt.issuerKey());
            putIfPresent(o, "name_tag", jwt.nameTag());
            if (!jwt.tags().isEmpty()) o.put("tags", jwt.tags());
        }
        putIfPresent(o, "mqtt_client", mqttClient);
        return o;
    }

    private static void putIfPresent(Map<String, Object> o, String key, String value) {
        if (value != null && !value.isEmpty()) o.put(key, value);
    }
}
