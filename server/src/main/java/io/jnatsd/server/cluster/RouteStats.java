package io.jnatsd.server.cluster;

import java.time.Instant;
import java.util.List;

/** One route connection as monitoring shows it (/routez, /varz); {@code account}: a pinned route's, or null; {@code poolIdx}: its place in the pool, -1 when pinned. */
public record RouteStats(long rid, String remoteId, String remoteName, boolean didSolicit, boolean configured,
                         String ip, int port, Instant start, Instant lastActivity, long rttNanos, long inMsgs, long outMsgs, long inBytes, long outBytes,
                         long pendingBytes, int subscriptions, List<String> subjects, String account, int poolIdx) {
    static RouteStats of(RouteConnection r, boolean configured) {
        var a = r.remoteSocketAddress();
        RouteInfo info = r.remoteInfo();
        List<String> subjects = r.remoteSubscriptions().stream()
                .map(s -> s.queue() == null ? s.subject() : s.subject() + " " + s.queue()).toList();
        return new RouteStats(r.rid(), info == null ? "" : info.serverId(), info == null ? "" : info.serverName(),
                r.solicitedUrl() != null, configured, a == null ? "" : a.getAddress().getHostAddress(),
                a == null ? 0 : a.getPort(), r.startTime(),
                r.startTime().plusNanos(r.lastInboundNanos() - r.startNanos()), r.rttNanos(), r.inMsgs(), r.outMsgs(), r.inBytes(), r.outBytes(), r.pendingBytes(),
                r.subscriptionCount(), subjects, r.pinnedAccount(), r.poolIdx());
    }
}
