package io.jnatsd.server.core;

import java.util.HashMap;
import java.util.Map;

/**
 * An account's local interest as other servers must see it: for each plain subject the
 * number of local subscriptions, for each queue group the number of its local members (the
 * weight RS+ carries). Only changes that other servers must hear about reach the listener:
 * a subject's first and last subscription, every change of a queue group's size.
 */
final class LocalInterest {
    private record Key(String subject, String queue) {}

    private final Map<Key, int[]> counts = new HashMap<>();
    private InterestListener listener;

    synchronized void setListener(InterestListener l) {
        listener = l;
    }

    synchronized void added(Account account, Subscription sub) {
        int[] n = counts.computeIfAbsent(new Key(sub.subject(), sub.queue()), k -> new int[1]);
        n[0]++;
        if (listener != null && (sub.queue() != null || n[0] == 1)) {
            listener.interestChanged(account, sub.subject(), sub.queue(), n[0]);
        }
    }

    synchronized void removed(Account account, Subscription sub) {
        Key key = new Key(sub.subject(), sub.queue());
        int[] n = counts.get(key);
        if (n == null) return;
        if (--n[0] <= 0) counts.remove(key);
        if (listener != null && (sub.queue() != null || n[0] <= 0)) {
            listener.interestChanged(account, sub.subject(), sub.queue(), Math.max(n[0], 0));
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

    synchronized int size() {
        return counts.size();
    }
}
