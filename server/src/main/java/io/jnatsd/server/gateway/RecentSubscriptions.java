package io.jnatsd.server.gateway;

import io.jnatsd.protocol.subject.Subjects;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Subscriptions made in the last {@link #TTL_NANOS} per account (upstream's rsubs): a reply
 * subject one of them matches may not be known in the other cluster yet, so a request that
 * carries it has its reply mapped ({@code _GR_.}) to come back the direct way.
 */
final class RecentSubscriptions {
    /** Upstream's defaultGatewayRecentSubExpiration. */
    static final long TTL_NANOS = 2_000_000_000L;

    private record Recent(String subject, long expires) {}

    private final Map<String, Deque<Recent>> byAccount = new ConcurrentHashMap<>();

    void added(String account, String subject) {
        Deque<Recent> d = byAccount.computeIfAbsent(account, a -> new ArrayDeque<>());
        long now = System.nanoTime();
        synchronized (d) {
            expire(d, now); // also here: without requests crossing, nothing else would
            d.addLast(new Recent(subject, now + TTL_NANOS));
        }
    }

    /** Whether a subscription made lately in {@code account} matches {@code reply}. */
    boolean matches(String account, String reply) {
        Deque<Recent> d = byAccount.get(account);
        if (d == null) return false;
        long now = System.nanoTime();
        synchronized (d) {
            expire(d, now);
            for (Recent r : d) {
                if (Subjects.subjectMatchesFilter(reply, r.subject())) return true;
            }
        }
        return false;
    }

    private static void expire(Deque<Recent> d, long now) {
        while (!d.isEmpty() && d.peekFirst().expires() - now <= 0) d.pollFirst();
    }
}
