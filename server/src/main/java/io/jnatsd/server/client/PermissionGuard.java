package io.jnatsd.server.client;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.auth.ResponsePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Enforces one connection's publish and subscribe permissions the way upstream matches them:
 * each list is a set of filters matched against the subject taken literally (so a wildcard in a
 * SUB is compared as text: "foo.*" is allowed by "foo.>" but "foo.>" is not allowed by "foo.*"),
 * entries may be scoped to a queue group ("subject queue"), deny wins over allow, and a deny
 * entry inside a wildcard subscription is enforced again on each delivery.
 *
 * <p>Publish decisions are cached per subject (bounded), so a publisher reusing subjects pays
 * one map lookup. Everything but {@link #deniedOnDelivery} runs on the connection's own loop.
 */
public final class PermissionGuard {
    private static final int PUBLISH_CACHE_MAX = 128;

    private final Filters pubAllow;
    private final Filters pubDeny;
    private final Filters subAllow;
    private final Filters subDeny;
    private final ResponsePermission responses;
    private final Map<String, Boolean> publishCache = new HashMap<>();
    /** Replies this client may answer under allow_responses: reply subject → [count, expiry nanos]. */
    private final Map<String, long[]> replies;

    private PermissionGuard(Permissions p) {
        pubAllow = Filters.of(p.publish().allow());
        pubDeny = Filters.of(p.publish().deny());
        subAllow = Filters.of(p.subscribe().allow());
        subDeny = Filters.of(p.subscribe().deny());
        responses = p.response();
        replies = responses == null ? null : new HashMap<>();
    }

    /** A guard, or null when the permissions allow everything (the common case costs nothing). */
    public static PermissionGuard of(Permissions p) {
        return p == null || p.isAllowAll() ? null : new PermissionGuard(p);
    }

    public boolean canPublish(String subject) {
        Boolean cached = publishCache.get(subject);
        boolean ok;
        if (cached != null) {
            ok = cached;
        } else {
            ok = (pubAllow == null || pubAllow.matchesPlain(subject)) && (pubDeny == null || !pubDeny.matchesPlain(subject));
            if (publishCache.size() >= PUBLISH_CACHE_MAX) publishCache.clear();
            publishCache.put(subject, ok);
        }
        return ok || answersRequest(subject);
    }

    /** allow_responses: a reply subject of a request this client received, within its limits. */
    private boolean answersRequest(String subject) {
        if (replies == null) return false;
        synchronized (replies) {
            long[] r = replies.get(subject);
            if (r == null) return false;
            long now = System.nanoTime();
            if (now - r[1] > 0) {
                replies.remove(subject);
                return false;
            }
            if (++r[0] >= responses.maxMsgs()) replies.remove(subject);
            return true;
        }
    }

    /** Whether a delivery's reply must be remembered (a publisher's thread calls this). */
    boolean tracksReplies() {
        return replies != null;
    }

    void trackReply(String reply) {
        synchronized (replies) {
            if (replies.size() > 10_000) pruneExpired();
            replies.putIfAbsent(reply, new long[] {0, System.nanoTime() + responses.expires().toNanos()});
        }
    }

    private void pruneExpired() {
        long now = System.nanoTime();
        replies.values().removeIf(r -> now - r[1] > 0);
    }

    public boolean canSubscribe(String subject, String queue) {
        boolean allowed = true;
        if (subAllow != null) {
            allowed = subAllow.matchesPlain(subject);
            if (queue != null) {
                List<String> queues = subAllow.matchingQueues(subject);
                if (!queues.isEmpty()) allowed = queueMatches(queue, queues);
            }
        }
        if (allowed && subDeny != null) {
            allowed = !subDeny.matchesPlain(subject);
            if (queue != null) {
                List<String> queues = subDeny.matchingQueues(subject);
                if (!queues.isEmpty()) allowed = !queueMatches(queue, queues);
            }
        }
        return allowed;
    }

    /**
     * Whether an existing subscription may stay under these permissions (a reload changed them):
     * as upstream, one allowed either as a plain or as a queue subscription stays.
     */
    boolean stillAllows(io.jnatsd.server.core.Subscription sub) {
        return canSubscribe(sub.subject(), null) || (sub.queue() != null && canSubscribe(sub.subject(), sub.queue()));
    }

    /**
     * A wildcard subscription was allowed although a deny entry lies inside it ("foo.*" with
     * "foo.bar" denied): such messages are dropped at delivery, as upstream does.
     */
    public boolean deniedOnDelivery(String subscriptionSubject, String messageSubject) {
        return subDeny != null && !Subjects.isLiteral(subscriptionSubject) && subDeny.matchesPlain(messageSubject);
    }

    private static boolean queueMatches(String queue, List<String> queues) {
        for (String q : queues) {
            if (Subjects.subjectMatchesFilter(queue, q)) return true;
        }
        return false;
    }

    /** A permission list split into plain entries and queue-scoped ones. */
    private record Filters(List<String> plain, List<String[]> queued) {
        static Filters of(List<String> entries) {
            if (entries == null) return null;
            List<String> plain = new ArrayList<>();
            List<String[]> queued = new ArrayList<>();
            for (String e : entries) {
                String t = e.trim();
                int sp = t.indexOf(' ');
                if (sp < 0) plain.add(t);
                else queued.add(new String[] {t.substring(0, sp), t.substring(sp + 1).trim()});
            }
            return new Filters(plain, queued);
        }

        boolean matchesPlain(String subject) {
            for (String f : plain) {
                if (Subjects.subjectMatchesFilter(subject, f)) return true;
            }
            return false;
        }

        List<String> matchingQueues(String subject) {
            List<String> out = List.of();
            for (String[] q : queued) {
                if (Subjects.subjectMatchesFilter(subject, q[0])) {
                    if (out.isEmpty()) out = new ArrayList<>();
                    out.add(q[1]);
                }
            }
            return out;
        }
    }
}
