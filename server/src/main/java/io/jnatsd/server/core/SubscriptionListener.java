package io.jnatsd.server.core;

/**
 * Told of every subscription of an account, whatever its kind, as it comes and goes, so that a
 * connection that must know each one (a leaf node: upstream keeps a map of interest per leaf
 * connection) can keep its own count. Unlike {@link InterestListener}, nothing is summed here:
 * the listener applies its own rules (kinds, its own subscriptions, permissions) first.
 */
public interface SubscriptionListener {
    /**
     * {@code sub} was added ({@code delta} its weight: 1, or a remote queue member's weight),
     * removed ({@code -weight}), or a remote queue subscription's weight changed by
     * {@code delta}. Called under the account's interest lock, in the order the changes
     * happened; keep it short and never block.
     */
    void subscriptionChanged(Account account, Subscription sub, int delta);
}
