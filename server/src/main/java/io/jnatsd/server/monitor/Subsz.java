package io.jnatsd.server.monitor;

import io.jnatsd.protocol.subject.SubjectIndexStats;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /subsz} (and {@code /subscriptionsz}): the subject index statistics summed over the
 * accounts, and with {@code subs=true} the subscriptions themselves, optionally only those a
 * message on the {@code test} subject would reach.
 */
final class Subsz {
    static final int DEFAULT_LIMIT = 1024;

    private Subsz() {}

    static Map<String, Object> build(MonitoredServer s, Query q) {
        boolean list = q.bool("subs");
        long offset = Math.max(0, q.integer("offset"));
        long limit = q.integer("limit");
        if (limit <= 0) limit = DEFAULT_LIMIT;
        String test = q.get("test");
        if (!test.isEmpty() && !Subjects.isValidLiteralSubject(test)) {
            throw new Query.BadRequest("invalid test subject, must be valid publish subject: " + test);
        }
        String acc = q.get("acc");

        SubjectIndexStats stats = SubjectIndexStats.ZERO;
        List<SubDetail> details = new ArrayList<>();
        for (Account a : s.accounts()) {
            if (!acc.isEmpty() && !acc.equals(a.name())) continue;
            stats = stats.add(a.subscriptions().stats());
            if (list) {
                a.subscriptions().forEach(e -> {
                    Subscription sub = e.item();
                    if (test.isEmpty() || Subjects.subjectMatchesFilter(test, sub.subject())) {
                        details.add(SubDetail.of(sub, a.name()));
                    }
                });
            }
        }

        Map<String, Object> o = Json.object();
        o.put("server_id", s.serverId());
        o.put("now", Instant.now());
        putStats(o, stats);
        int total = 0;
        List<Map<String, Object>> page = new ArrayList<>();
        if (list) {
            total = details.size();
            int from = (int) Math.min(offset, total);
            int to = (int) (from + Math.min(limit, total - from));
            for (SubDetail d : details.subList(from, to)) page.add(d.toJson());
        }
        o.put("total", total);
        o.put("offset", offset);
        o.put("limit", limit);
        if (!page.isEmpty()) o.put("subscriptions_list", page);
        return o;
    }

    /** The statistics fields, as upstream's SublistStats. */
    static void putStats(Map<String, Object> o, SubjectIndexStats st) {
        o.put("num_subscriptions", st.numSubscriptions());
        o.put("num_cache", st.numCache());
        o.put("num_inserts", st.numInserts());
        o.put("num_removes", st.numRemoves());
        o.put("num_matches", st.numMatches());
        o.put("cache_hit_rate", st.cacheHitRate());
        o.put("max_fanout", st.maxFanout());
        o.put("avg_fanout", st.avgFanout());
    }
}
