package io.jnatsd.server.leaf;

import java.time.Instant;
import java.util.List;

/** One leaf node connection as monitoring shows it (/leafz, /varz). */
public record LeafStats(long cid, String account, String ip, int port, boolean spoke, String remoteServer,
                        String remoteCluster, Instant start, long rttNanos, long inMsgs, long outMsgs, long inBytes,
                        long outBytes, int subscriptions, List<String> subjects) {
    static LeafStats of(LeafConnection c) {
        var a = c.remoteSocketAddress();
        return new LeafStats(c.cid(), c.account() == null ? "" : c.account().name(),
                a == null ? "" : a.getAddress().getHostAddress(), a == null ? 0 : a.getPort(),
                c.kind() == io.jnatsd.server.core.ConnectionKind.HUB, c.remoteServer(), c.remoteCluster(), c.startTime(),
                c.rttNanos(), c.inMsgs(), c.outMsgs(), c.inBytes(), c.outBytes(), c.subscriptionCount(), c.subjects());
    }
}
