package io.jnatsd.server.core;

/**
 * Told when an account's local interest changes, so that routes (and later leaf nodes and
 * gateways) can keep the other servers' view of it exact: upstream's RS+/RS-.
 */
public interface InterestListener {
    /**
     * A plain subject gained its first local subscription ({@code count} 1) or lost its last
     * (0); or a queue group on a subject changed its number of local members to {@code count}
     * (0 when the last left). Called under the account's interest lock, so events for one
     * account arrive in the order they happened; keep it short and never block.
     */
    void interestChanged(Account account, String subject, String queue, int count);
}
