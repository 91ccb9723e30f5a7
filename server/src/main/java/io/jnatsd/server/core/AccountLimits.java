package io.jnatsd.server.core;

/**
 * An account's limits; a negative value means no limit, and 0 allows nothing, as account JWTs
 * say it (the config file's 0, which upstream reads as "no limit", is turned into -1 when read).
 */
public record AccountLimits(int maxConnections, int maxSubscriptions, int maxPayload) {
    public static final AccountLimits NONE = new AccountLimits(-1, -1, -1);

    /** A JWT limit (a 64-bit number, -1 for none) as one of these. */
    public static int fromClaim(long v) {
        return v < 0 ? -1 : (int) Math.min(v, Integer.MAX_VALUE);
    }
}
