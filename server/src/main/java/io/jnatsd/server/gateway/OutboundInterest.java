package io.jnatsd.server.gateway;

import io.jnatsd.protocol.subject.Subjects;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the peer of an outbound connection said about its interest, per account (upstream's
 * outsie map): nothing (optimistic: send everything), A- (no interest in the account), RS- per
 * subject while optimistic, or that it is sending (transitioning) or has sent (interest-only)
 * all its subscriptions, which are then subscriptions in the account and drive forwarding.
 * Changed on the connection's loop, read by publishers.
 */
final class OutboundInterest {
    enum Mode { OPTIMISTIC, TRANSITIONING, INTEREST_ONLY }

    static final class Entry {
        volatile Mode mode = Mode.OPTIMISTIC;
        /** RS- subjects while optimistic; null from interest-only on. */
        volatile Set<String> noInterest = ConcurrentHashMap.newKeySet();
        /** A- received: nothing of the account is sent (queue subscriptions aside). */
        volatile boolean accountUnsub;
        int queueSubs;
    }

    private final Map<String, Entry> byAccount = new ConcurrentHashMap<>();
    /** The peer switches every account to interest-only mode at once (gateway_iom): no optimistic sends. */
    private volatile boolean peerInterestOnly;

    void peerInterestOnly(boolean iom) {
        peerInterestOnly = iom;
    }

    boolean peerInterestOnly() {
        return peerInterestOnly;
    }

    Entry get(String account) {
        return byAccount.get(account);
    }

    Entry getOrCreate(String account) {
        return byAccount.computeIfAbsent(account, a -> new Entry());
    }

    void remove(String account) {
        byAccount.remove(account);
    }

    /** Whether the account is in interest-only mode (its subscriptions alone decide). */
    boolean storesSubscriptions(String account) {
        Entry e = byAccount.get(account);
        return e != null && e.mode != Mode.OPTIMISTIC;
    }

    /**
     * Whether a message on {@code subject} goes over for plain subscribers, when the only reason
     * to send it is the optimistic catch-all: not after A-, not after RS- for the subject.
     */
    boolean optimisticInterest(String account, String subject) {
        Entry e = byAccount.get(account);
        if (e == null) return !peerInterestOnly;
        if (e.accountUnsub) return false;
        Set<String> ni = e.noInterest;
        return ni == null || !ni.contains(subject);
    }

    /** RS+ for a plain subject while optimistic: it and every subject it covers are wanted again. */
    static void clearNoInterest(Entry e, String subject) {
        Set<String> ni = e.noInterest;
        if (ni == null) return;
        if (Subjects.isLiteral(subject)) ni.remove(subject);
        else ni.removeIf(k -> Subjects.subjectMatchesFilter(k, subject));
    }

    Map<String, Entry> snapshot() {
        return Map.copyOf(byAccount);
    }

    static Set<String> copyOf(Set<String> s) {
        return s == null ? Set.of() : new HashSet<>(s);
    }
}
