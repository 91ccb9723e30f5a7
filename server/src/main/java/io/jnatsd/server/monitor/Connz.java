package io.jnatsd.server.monitor;

import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.mqtt.MqttConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code /connz}: open and closed client connections, filtered, sorted and paged as upstream
 * does. Only sorting by cid (or start) and by reason is ascending; every other order is
 * descending, ties in cid order.
 */
final class Connz {
    static final int DEFAULT_LIMIT = 1024;

    enum State { OPEN, CLOSED, ALL }

    private enum Sort {
        CID("cid"), START("start"), SUBS("subs"), PENDING("pending"), MSGS_TO("msgs_to"), MSGS_FROM("msgs_from"),
        BYTES_TO("bytes_to"), BYTES_FROM("bytes_from"), LAST("last"), IDLE("idle"), UPTIME("uptime"),
        STOP("stop"), REASON("reason"), RTT("rtt");

        final String param;

        Sort(String param) {
            this.param = param;
        }

        static Sort of(String s) {
            if (s.isEmpty()) return CID;
            for (Sort v : values()) if (v.param.equals(s)) return v;
            throw new Query.BadRequest("invalid sorting option: " + s);
        }

        Comparator<ConnInfo> order() {
            return switch (this) {
                case CID, START -> Comparator.comparingLong(ConnInfo::cid);
                case SUBS -> Comparator.comparingInt(ConnInfo::numSubs).reversed();
                case PENDING -> Comparator.comparingLong(ConnInfo::pendingBytes).reversed();
                case MSGS_TO -> Comparator.comparingLong(ConnInfo::outMsgs).reversed();
                case MSGS_FROM -> Comparator.comparingLong(ConnInfo::inMsgs).reversed();
                case BYTES_TO -> Comparator.comparingLong(ConnInfo::outBytes).reversed();
                case BYTES_FROM -> Comparator.comparingLong(ConnInfo::inBytes).reversed();
                case LAST -> Comparator.comparing(ConnInfo::lastActivity).reversed();
                case IDLE -> Comparator.comparing(ConnInfo::lastActivity); // longest idle first
                case UPTIME -> Comparator.comparingLong(ConnInfo::uptimeNanos);
                case STOP -> Comparator.comparing(ConnInfo::stop).reversed();
                case REASON -> Comparator.comparing(ConnInfo::reason);
                case RTT -> Comparator.comparingLong(ConnInfo::rttNanos).reversed();
            };
        }
    }

    private Connz() {}

    static Map<String, Object> build(MonitoredServer s, Query q) {
        Sort sort = Sort.of(q.get("sort"));
        boolean auth = q.bool("auth");
        boolean subsDetail = q.subsDetail();
        boolean subs = !subsDetail && q.bool("subs");
        long offset = Math.max(0, q.integer("offset"));
        long limit = q.integer("limit");
        if (limit <= 0) limit = DEFAULT_LIMIT;
        long cid = q.unsigned("cid");
        State state = state(q.get("state"));
        String user = q.get("user");
        String acc = q.get("acc");
        if (sort == Sort.STOP && state != State.CLOSED) {
            throw new Query.BadRequest("sort by stop only valid on closed connections");
        }
        if (sort == Sort.REASON && state != State.CLOSED) {
            throw new Query.BadRequest("sort by reason only valid on closed connections");
        }
        if (cid > 0) limit = 1;

        Instant now = Instant.now();
        long nowNanos = System.nanoTime();
        boolean withSubs = subs || subsDetail;

        List<ClientConnection> open = state == State.CLOSED ? List.of() : s.connections();
        List<ConnInfo> closed = state == State.OPEN ? List.of() : s.closedConnections().list();
        if (!acc.isEmpty()) {
            open = open.stream().filter(c -> c.account() != null && acc.equals(c.account().name())).toList();
            closed = closed.stream().filter(c -> acc.equals(c.account())).toList();
        }
        List<MqttConnection> mqtt = state == State.CLOSED ? List.of() : s.mqttConnections();
        if (!acc.isEmpty()) {
            String a = acc;
            mqtt = mqtt.stream().filter(c -> a.equals(c.accountName() == null ? ConnInfo.GLOBAL_ACCOUNT : c.accountName())).toList();
        }
        int total = open.size() + mqtt.size() + closed.size();

        List<ConnInfo> found = new ArrayList<>();
        if (cid > 0) {
            for (ClientConnection c : open) {
                if (c.cid() == cid) found.add(ConnInfo.open(c, now, nowNanos, withSubs));
            }
            for (MqttConnection c : mqtt) {
                if (c.cid() == cid) found.add(ConnInfo.openMqtt(c, now, nowNanos, withSubs));
            }
            if (found.isEmpty()) {
                for (ConnInfo c : closed) if (c.cid() == cid) found.add(c);
            }
        } else {
            for (ClientConnection c : open) {
                if (!user.isEmpty() && !user.equals(c.authorizedUser())) continue;
                found.add(ConnInfo.open(c, now, nowNanos, withSubs));
            }
            for (MqttConnection c : mqtt) {
                if (!user.isEmpty() && !user.equals(c.authorizedUser())) continue;
                found.add(ConnInfo.openMqtt(c, now, nowNanos, withSubs));
            }
            for (ConnInfo c : closed) {
                if (!user.isEmpty() && !user.equals(c.authorizedUser())) continue;
                found.add(c);
            }
        }
        // Monitoring asks a client for its RTT when it has none yet, as upstream does.
        for (ClientConnection c : open) if (c.rttNanos() == 0) c.requestRtt();

        found.sort(Comparator.comparingLong(ConnInfo::cid));
        if (sort != Sort.CID) found.sort(sort.order()); // stable: ties stay in cid order

        int from = (int) Math.min(offset, found.size());
        int to = (int) (from + Math.min(limit, found.size() - from));
        List<Map<String, Object>> page = new ArrayList<>(to - from);
        for (ConnInfo c : found.subList(from, to)) page.add(c.toJson(auth, subs, subsDetail));

        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", now);
        o.put("num_connections", page.size());
        o.put("total", total);
        o.put("offset", offset);
        o.put("limit", limit);
        o.put("connections", page);
        return o;
    }

    private static State state(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "", "open" -> State.OPEN;
            case "closed" -> State.CLOSED;
            case "any", "all" -> State.ALL;
            default -> throw new Query.BadRequest("Error decoding state for " + s);
        };
    }
}
