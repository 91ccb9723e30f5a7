package io.jnatsd.server.core;

/** An account's limits; -1 (or 0 from config) means unlimited, as upstream. */
public record AccountLimits(int maxConnections, int maxSubscriptions, int maxPayload) {
    public static final AccountLimits NONE = new AccountLimits(-1, -1, -1);
}
