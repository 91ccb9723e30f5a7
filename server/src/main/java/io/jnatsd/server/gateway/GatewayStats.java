package io.jnatsd.server.gateway;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One gateway connection as monitoring shows it (/gatewayz, /varz), with its accounts' interest modes. */
public record GatewayStats(long cid, String ip, int port, boolean configured, String remoteServerId, Instant start,
                           long lastInboundNanos, long rttNanos, long pendingBytes, long inMsgs, long outMsgs, long inBytes,
                           long outBytes, int subscriptions, List<AccountMode> accounts) {
    /**
     * One account's interest mode on a connection ({@code accounts} of /gatewayz): the mode, the
     * RS- count while optimistic, and (outbound) the peer's subscriptions held.
     */
    public record AccountMode(String name, String mode, int noInterestCount, int subscriptions, int queueSubscriptions) {}

    /** Messages and bytes all gateway connections, open or closed, received and sent. */
    public record Totals(long inMsgs, long inBytes, long outMsgs, long outBytes) {}

    /** A remote cluster, configured or implicit, with the URLs known for it. */
    public record Remote(String name, boolean implicit, List<String> urls) {}

    static GatewayStats of(GatewayConnection c) {
        var a = c.remoteSocketAddress();
        return new GatewayStats(c.cid(), a == null ? "" : a.getAddress().getHostAddress(), a == null ? 0 : a.getPort(),
                c.outbound() && !c.remote().implicit, c.remoteServerId(), c.startTime(), c.lastInboundNanos(), c.rttNanos(),
                c.pendingBytes(), c.inMsgs(), c.outMsgs(), c.inBytes(), c.outBytes(), c.subscriptionCount(), accounts(c));
    }

    private static List<AccountMode> accounts(GatewayConnection c) {
        List<AccountMode> out = new ArrayList<>();
        if (c.outbound()) {
            c.outboundInterest().snapshot().forEach((name, e) -> {
                int subs = 0;
                for (String key : c.remoteSubscriptionKeys()) if (key.startsWith(name + " ")) subs++;
                out.add(new AccountMode(name, mode(e.mode.name()), e.noInterest == null ? 0 : e.noInterest.size(), subs, e.queueSubs));
            });
        } else {
            c.inboundModesSnapshot().forEach((name, e) -> out.add(e == null
                    ? new AccountMode(name, "Optimistic", 0, 0, 0)
                    : new AccountMode(name, mode(e.mode.name()), e.noInterest == null ? 0 : e.noInterest.size(), 0, 0)));
        }
        out.sort(java.util.Comparator.comparing(AccountMode::name));
        return out;
    }

    /** Upstream's names for the modes. */
    private static String mode(String enumName) {
        return switch (enumName) {
            case "INTEREST_ONLY" -> "Interest-Only";
            case "TRANSITIONING" -> "Transitioning";
            default -> "Optimistic";
        };
    }
}
