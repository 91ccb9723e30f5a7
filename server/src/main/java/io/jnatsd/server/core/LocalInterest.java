package io.jnatsd.server.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An account's interest as other servers must see it. For routes: for each plain subject the
 * number of subscriptions routes are told of, for each queue group its members' total weight
 * (the weight RS+ carries); only a subject's first and last subscription and every change of a
 * queue group's weight reach the {@link InterestListener}. For leaf nodes: every subscription,
 * handed one by one to each {@link SubscriptionListener}. One lock orders both, so a listener
 * that registers (and is replayed the current state) under it misses nothing and sees nothing
 * twice.
 */
final class LocalInterest {
    private record Key(String subject, String queue) {}

    private final Map<Key, int[]> counts = new HashMap<>();
    /** Every subscription a leaf node could be told of, in the order they came. */
    private final Set<Subscription> all = new LinkedHashSet<>();
    private final List<SubscriptionListener> subscriptionListeners = new ArrayList<>();
    private InterestListener listener;

    synchronized void setListener(InterestListener l) {
        listener = l;
    }

    synchronized void added(Account account, Subscription sub) {
        if (sub.kind() == ConnectionKind.GATEWAY) return;
        all.add(sub);
        int w = weightOf(sub);
        if (sub.kind().propagatesInterest()) countRouted(account, sub, w);
        for (SubscriptionListener l : subscriptionListeners) l.subscriptionChanged(account, sub, w);
    }

    synchronized void removed(Account account, Subscription sub) {
        if (!all.remove(sub)) return;
        int w = weightOf(sub);
        if (sub.kind().propagatesInterest()) countRouted(account, sub, -w);
        for (SubscriptionListener l : subscriptionListeners) l.subscriptionChanged(account, sub, -w);
    }

    /** A remote queue subscription's weight changes; the listeners hear the difference. */
    synchronized void reweighed(Account account, Subscription sub, int weight) {
        int old = sub.weight();
        sub.setWeight(weight);
        if (!all.contains(sub) || sub.queue() == null || old == weight) return;
        if (sub.kind().propagatesInterest()) countRouted(account, sub, weight - old);
        for (SubscriptionListener l : subscriptionListeners) l.subscriptionChanged(account, sub, weight - old);
    }

    private static int weightOf(Subscription sub) {
        return sub.queue() == null ? 1 : Math.max(1, sub.weight());
    }

    /** Routes hear a plain subject's first and last subscription, and every change of a group's weight. */
    private void countRouted(Account account, Subscription sub, int delta) {
        Key key = new Key(sub.subject(), sub.queue());
        int[] n = counts.get(key);
        if (n == null) {
            if (delta <= 0) return;
            counts.put(key, n = new int[1]);
        }
        int before = n[0];
        n[0] += delta;
        if (n[0] <= 0) counts.remove(key);
        int now = Math.max(n[0], 0);
        if (listener != null && (sub.queue() != null || before == 0 || now == 0)) {
            listener.interestChanged(account, sub.subject(), sub.queue(), now);
        }
    }

    /**
     * Hands every current subject and queue group to {@code l}, under the lock, so that no
     * change can slip between this snapshot and the events that follow it.
     */
    synchronized void replay(Account account, InterestListener l) {
        for (Map.Entry<Key, int[]> e : counts.entrySet()) {
            l.interestChanged(account, e.getKey().subject(), e.getKey().queue(), e.getValue()[0]);
        }
    }

    /** Registers {@code l} and hands it every current subscription, under the same lock as the events. */
    synchronized void addSubscriptionListener(Account account, SubscriptionListener l) {
        subscriptionListeners.add(l);
        for (Subscription sub : all) l.subscriptionChanged(account, sub, weightOf(sub));
    }

    synchronized void removeSubscriptionListener(SubscriptionListener l) {
        subscriptionListeners.remove(l);
    }

    synchronized int size() {
        return counts.size();
    }
}
