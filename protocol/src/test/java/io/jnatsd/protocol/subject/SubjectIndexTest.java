package io.jnatsd.protocol.subject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SubjectIndexTest {

    /** A subscription item: distinct by identity even when the names are equal. */
    record Sub(String name) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Set<String> plainNames(MatchResult<Sub> r) {
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < r.plainCount(); i++) {
            names.add(r.plain(i).name());
        }
        return names;
    }

    static Map<String, Set<String>> queueNames(MatchResult<Sub> r) {
        Map<String, Set<String>> groups = new TreeMap<>();
        for (int g = 0; g < r.queueGroupCount(); g++) {
            MatchResult.QueueGroup<Sub> group = r.queueGroup(g);
            assertTrue(group.size() > 0, "queue groups are never empty");
            Set<String> members = new TreeSet<>();
            for (int i = 0; i < group.size(); i++) {
                members.add(group.get(i).name());
            }
            groups.put(group.name(), members);
        }
        return groups;
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void literalAndWildcardMatching(boolean cache) {
        SubjectIndex<Sub> idx = new SubjectIndex<>(cache);
        idx.insert("foo.bar", null, new Sub("lit"));
        idx.insert("foo.*", null, new Sub("pwc"));
        idx.insert("*.bar", null, new Sub("pwc0"));
        idx.insert("foo.>", null, new Sub("fwc"));
        idx.insert(">", null, new Sub("all"));
        idx.insert("foo.*.baz", null, new Sub("mid"));
        idx.insert("*.*.>", null, new Sub("deep"));
        idx.insert("foo", null, new Sub("foo"));

        assertEquals(Set.of("lit", "pwc", "pwc0", "fwc", "all"), plainNames(idx.match("foo.bar")));
        assertEquals(Set.of("fwc", "all", "mid", "deep"), plainNames(idx.match("foo.bar.baz")));
        assertEquals(Set.of("foo", "all"), plainNames(idx.match("foo")));
        assertEquals(Set.of("all", "pwc0"), plainNames(idx.match("x.bar")));
        assertEquals(Set.of("all", "deep"), plainNames(idx.match("x.y.z")));
        assertEquals(Set.of("all"), plainNames(idx.match("x")));
        assertEquals(8, idx.count());
        // second lookups come from the cache when it is on and must agree
        assertEquals(Set.of("lit", "pwc", "pwc0", "fwc", "all"), plainNames(idx.match("foo.bar")));
        assertEquals(Set.of("fwc", "all", "mid", "deep"), plainNames(idx.match("foo.bar.baz")));
    }

    @Test
    void literalTokensThatLookLikeWildcards() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo*", null, new Sub("star"));
        idx.insert("foo.>bar", null, new Sub("gt"));
        assertEquals(Set.of("star"), plainNames(idx.match("foo*")));
        assertTrue(idx.match("foo").isEmpty());
        assertTrue(idx.match("foox").isEmpty());
        assertEquals(Set.of("gt"), plainNames(idx.match("foo.>bar")));
        assertTrue(idx.match("foo.bar").isEmpty());
    }

    @Test
    void malformedPublishSubjectsMatchNothing() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert(">", null, new Sub("all"));
        for (String bad : new String[] {"", ".", "foo.", ".foo", "foo..bar"}) {
            assertTrue(idx.match(bad).isEmpty(), bad);
            assertFalse(idx.hasInterest(bad), bad);
        }
        assertEquals(0, idx.cacheSize(), "malformed subjects are not cached");
    }

    @Test
    void wildcardTokenInPublishReachesOnlyWildcardSubscriptions() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo.bar", null, new Sub("lit"));
        idx.insert("foo.*", null, new Sub("pwc"));
        idx.insert("foo.>", null, new Sub("fwc"));
        assertEquals(Set.of("pwc", "fwc"), plainNames(idx.match("foo.*")));
    }

    @Test
    void queueGroupsAreGroupedByNameAcrossFilters() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo.bar", "q1", new Sub("a"));
        idx.insert("foo.*", "q1", new Sub("b"));
        idx.insert("foo.>", "q1", new Sub("c"));
        idx.insert("foo.bar", "q2", new Sub("d"));
        idx.insert("foo.bar", null, new Sub("p"));
        idx.insert("other", "q1", new Sub("x"));

        MatchResult<Sub> r = idx.match("foo.bar");
        assertEquals(Set.of("p"), plainNames(r));
        assertEquals(Map.of("q1", Set.of("a", "b", "c"), "q2", Set.of("d")), queueNames(r));
        assertEquals(5, r.total());
        assertEquals(2, r.queueGroupCount());

        MatchResult<Sub> r2 = idx.match("foo.baz.qux");
        assertEquals(Set.of(), plainNames(r2));
        assertEquals(Map.of("q1", Set.of("c")), queueNames(r2));
    }

    @Test
    void manyQueueGroupsOnOneSubject() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        for (int g = 0; g < 100; g++) {
            idx.insert("foo", "q" + g, new Sub("a" + g));
            idx.insert("*", "q" + g, new Sub("b" + g));
        }
        Map<String, Set<String>> groups = queueNames(idx.match("foo"));
        assertEquals(100, groups.size());
        assertEquals(Set.of("a7", "b7"), groups.get("q7"));
    }

    @Test
    void removeIsByIdentity() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Sub a1 = new Sub("a");
        Sub a2 = new Sub("a");
        assertTrue(idx.insert("foo", null, a1));
        assertTrue(idx.insert("foo", null, a2));
        assertFalse(idx.insert("foo", null, a1), "same item, subject and queue twice is one subscription");
        assertEquals(2, idx.count());
        assertEquals(2, idx.match("foo").plainCount());

        assertFalse(idx.remove("foo", null, new Sub("a")), "an equal but different item is not removed");
        assertFalse(idx.remove("foo", "q", a1), "queue must match");
        assertFalse(idx.remove("bar", null, a1), "subject must match");
        assertTrue(idx.remove("foo", null, a1));
        assertFalse(idx.remove("foo", null, a1));
        MatchResult<Sub> r = idx.match("foo");
        assertEquals(1, r.plainCount());
        assertSame(a2, r.plain(0));
        assertEquals(1, idx.count());
    }

    @Test
    void sameItemUnderTwoFiltersAppearsTwice() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Sub s = new Sub("conn");
        idx.insert("foo.*", null, s);
        idx.insert("foo.>", null, s);
        MatchResult<Sub> r = idx.match("foo.bar");
        assertEquals(2, r.plainCount());
        assertSame(s, r.plain(0));
        assertSame(s, r.plain(1));
    }

    @Test
    void invalidArgumentsAreRejected() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Sub s = new Sub("s");
        assertThrows(IllegalArgumentException.class, () -> idx.insert("foo..bar", null, s));
        assertThrows(IllegalArgumentException.class, () -> idx.insert("foo.>.bar", null, s));
        assertThrows(IllegalArgumentException.class, () -> idx.insert("foo bar", null, s));
        assertThrows(IllegalArgumentException.class, () -> idx.insert("foo", "", s));
        assertThrows(IllegalArgumentException.class, () -> idx.insert("foo", "a b", s));
        assertThrows(IllegalArgumentException.class, () -> idx.remove("", null, s));
        assertThrows(NullPointerException.class, () -> idx.insert("foo", null, null));
        assertEquals(0, idx.count());
    }

    @Test
    void cachedSubjectSeesNewWildcardSubscriptionImmediately() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo.bar", null, new Sub("lit"));
        assertEquals(Set.of("lit"), plainNames(cachedMatch(idx, "foo.bar")));
        assertTrue(cachedMatch(idx, "foo.baz").isEmpty());
        assertTrue(cachedMatch(idx, "other.thing").isEmpty());
        assertEquals(3, idx.cacheSize());

        idx.insert("foo.*", null, new Sub("pwc"));
        assertEquals(1, idx.cacheSize(), "only the two cached subjects matched by foo.* are dropped");
        assertEquals(Set.of("lit", "pwc"), plainNames(idx.match("foo.bar")));
        assertEquals(Set.of("pwc"), plainNames(idx.match("foo.baz")));

        idx.insert(">", "q", new Sub("all"));
        assertEquals(0, idx.cacheSize());
        assertEquals(Map.of("q", Set.of("all")), queueNames(idx.match("other.thing")));
        assertTrue(idx.hasInterest("other.thing"));
    }

    @Test
    void literalInsertAndRemoveInvalidateOnlyTheirSubject() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo.*", null, new Sub("pwc"));
        cachedMatch(idx, "foo.bar");
        cachedMatch(idx, "foo.baz");
        assertEquals(2, idx.cacheSize());

        Sub lit = new Sub("lit");
        idx.insert("foo.bar", null, lit);
        assertEquals(1, idx.cacheSize());
        assertEquals(Set.of("pwc", "lit"), plainNames(idx.match("foo.bar")));
        assertEquals(2, idx.cacheSize());

        idx.remove("foo.bar", null, lit);
        assertEquals(1, idx.cacheSize());
        assertEquals(Set.of("pwc"), plainNames(idx.match("foo.bar")));
        assertFalse(idx.remove("foo.bar", null, lit));
        assertEquals(2, idx.cacheSize(), "a remove that finds nothing leaves the cache alone");
    }

    @Test
    void wildcardRemoveInvalidatesMatchedSubjects() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Sub fwc = new Sub("fwc");
        idx.insert("foo.>", null, fwc);
        idx.insert("bar", null, new Sub("bar"));
        assertEquals(Set.of("fwc"), plainNames(cachedMatch(idx, "foo.a.b")));
        assertEquals(Set.of("bar"), plainNames(cachedMatch(idx, "bar")));
        assertTrue(idx.hasInterest("foo.a.b"));

        idx.remove("foo.>", null, fwc);
        assertEquals(1, idx.cacheSize(), "bar stays cached");
        assertTrue(idx.match("foo.a.b").isEmpty());
        assertFalse(idx.hasInterest("foo.a.b"));
        assertEquals(Set.of("bar"), plainNames(idx.match("bar")));
    }

    @Test
    void cacheIsBoundedBySweeping() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert(">", null, new Sub("all"));
        for (int i = 0; i < 5000; i++) {
            assertEquals(1, cachedMatch(idx, "s." + i).plainCount());
            assertTrue(idx.cacheSize() <= SubjectIndex.DEFAULT_CACHE_MAX);
        }
        assertTrue(idx.cacheSize() > 0);
    }

    @Test
    void subjectsThatShareAHashSlotArePublishedInTurnAndStillCached() {
        // Subjects whose hashes fall in one slot of a 1,024-slot table and in one set of the
        // missed-once memory: remembered in a single slot, each miss erased the other's.
        java.util.List<String> alike = new java.util.ArrayList<>();
        int wantSlot = -1;
        int wantSet = -1;
        for (int i = 0; alike.size() < 5; i++) {
            String subject = "orders." + i;
            int h = subject.hashCode();
            int slot = (h ^ (h >>> 16)) & 1023;
            int set = (h ^ (h >>> 16)) & (SubjectIndex.DEFAULT_CACHE_MAX / SubjectIndex.MISSED_WAYS - 1);
            if (wantSlot < 0) {
                wantSlot = slot;
                wantSet = set;
            }
            if (slot == wantSlot && set == wantSet) alike.add(subject);
        }
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("orders.*", null, new Sub("a"));
        for (int round = 0; round < 2; round++) {
            for (String subject : alike) assertEquals(1, idx.match(subject).plainCount(), subject);
        }
        assertEquals(alike.size(), idx.cacheSize(), "cached after their second miss: " + alike);
    }

    @Test
    void disabledCacheCachesNothing() {
        SubjectIndex<Sub> idx = new SubjectIndex<>(false);
        idx.insert("foo", null, new Sub("a"));
        idx.match("foo");
        idx.match("foo");
        assertFalse(idx.isCacheEnabled());
        assertEquals(0, idx.cacheSize());
        assertEquals(0.0, idx.stats().cacheHitRate());
    }

    @Test
    void removalPrunesTheTrie() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Sub keep = new Sub("keep");
        idx.insert("a.b", null, keep);
        int baseline = idx.nodeCount();
        List<Object[]> subs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String subject = "a.b.c" + (i % 37) + "." + i + (i % 3 == 0 ? ".*" : i % 3 == 1 ? ".>" : "");
            String queue = i % 5 == 0 ? "q" + (i % 7) : null;
            Sub s = new Sub("s" + i);
            idx.insert(subject, queue, s);
            subs.add(new Object[] {subject, queue, s});
        }
        assertTrue(idx.nodeCount() > 1000);
        for (Object[] e : subs) {
            assertTrue(idx.remove((String) e[0], (String) e[1], (Sub) e[2]));
        }
        assertEquals(baseline, idx.nodeCount());
        assertEquals(1, idx.count());
        idx.remove("a.b", null, keep);
        assertEquals(0, idx.nodeCount());
        assertEquals(0, idx.count());
    }

    @Test
    void forEachEnumeratesEverySubscription() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Set<String> expected = new HashSet<>();
        String[][] subs = {{"foo", null}, {"foo.bar", "q"}, {"foo.*", null}, {">", "q2"}, {"a.*.>", null}};
        for (String[] s : subs) {
            idx.insert(s[0], s[1], new Sub(s[0] + "/" + s[1]));
            expected.add(s[0] + "|" + s[1] + "|" + s[0] + "/" + s[1]);
        }
        Set<String> seen = new HashSet<>();
        // the action may change the index: it runs outside the lock
        idx.forEach(e -> {
            seen.add(e.subject() + "|" + e.queue() + "|" + e.item());
            idx.remove(e.subject(), e.queue(), e.item());
        });
        assertEquals(expected, seen);
        assertEquals(0, idx.count());
    }

    @Test
    void matchingAllReturnsCollidingSubscriptions() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        for (String s : new String[] {"foo", "foo.bar", "foo.baz", "foo.*", "foo.>", "bar.*", "foo.bar.baz", "*.bar"}) {
            idx.insert(s, null, new Sub(s));
        }
        idx.insert("foo.bar", "q", new Sub("foo.bar/q"));
        assertEquals(Set.of("foo.bar", "foo.*", "foo.>", "*.bar", "foo.bar/q"), names(idx.matchingAll("foo.bar")));
        assertEquals(Set.of("foo.bar", "foo.baz", "foo.*", "foo.>", "*.bar", "foo.bar/q"),
                names(idx.matchingAll("foo.*")));
        assertEquals(Set.of("foo.bar", "foo.baz", "foo.*", "foo.>", "*.bar", "foo.bar/q", "foo.bar.baz"),
                names(idx.matchingAll("foo.>")));
        assertEquals(9, idx.matchingAll(">").size());
        assertThrows(IllegalArgumentException.class, () -> idx.matchingAll("foo..bar"));
    }

    private static Set<String> names(List<Sub> subs) {
        Set<String> names = new TreeSet<>();
        for (Sub s : subs) {
            names.add(s.name());
        }
        assertEquals(names.size(), subs.size(), "one entry per subscription");
        return names;
    }

    @Test
    void statsFollowUpstreamDefinitions() throws Exception {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        Sub a = new Sub("a");
        idx.insert("foo", null, a);
        idx.insert("foo", null, new Sub("b"));
        idx.insert("foo", "q", new Sub("c"));
        idx.insert("foo", "q", new Sub("d"));
        idx.insert("bar", null, new Sub("e"));
        idx.remove("foo", null, a);
        idx.match("foo"); // miss, remembered
        idx.match("foo"); // miss again, cached: fanout 1 plain + 1 group = 2
        idx.match("foo"); // hit
        idx.match("bar"); // miss, remembered
        idx.match("bar"); // miss again, cached: fanout 1
        idx.match("bar"); // hit

        SubjectIndexStats st = idx.stats();
        assertEquals(4, st.numSubscriptions());
        assertEquals(2, st.numCache());
        assertEquals(5, st.numInserts());
        assertEquals(1, st.numRemoves());
        assertEquals(6, st.numMatches());
        assertEquals(1.0 / 3, st.cacheHitRate(), 1e-9);
        assertEquals(2, st.maxFanout());
        assertEquals(1.5, st.avgFanout());

        SubjectIndexStats sum = st.add(st);
        assertEquals(8, sum.numSubscriptions());
        assertEquals(1.0 / 3, sum.cacheHitRate(), 1e-9);
        assertEquals(1.5, sum.avgFanout());
        assertEquals(2, sum.maxFanout());

        JsonNode json = new ObjectMapper().valueToTree(st);
        Set<String> fields = new TreeSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(List.of("num_subscriptions", "num_cache", "num_inserts", "num_removes",
                "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout")), fields);
        assertEquals(4, json.get("num_subscriptions").asInt());
    }

    @Test
    void emptyResultIsShared() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        MatchResult<Sub> r = idx.match("nothing.here");
        assertSame(MatchResult.EMPTY, r);
        assertTrue(r.isEmpty());
        assertEquals(0, r.total());
        assertEquals(0, r.plainList().size());
    }

    @Test
    void cacheHitReturnsTheSameInstance() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo", null, new Sub("a"));
        assertSame(cachedMatch(idx, "foo"), idx.match("foo"));
    }

    @Test
    void aSubjectMissedOnceIsNotCachedButOneMissedTwiceIs() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("_INBOX.x.*", null, new Sub("replies"));
        for (int i = 0; i < 100; i++) assertEquals(1, idx.match("_INBOX.x." + i).plainCount());
        assertEquals(0, idx.cacheSize(), "one-off reply subjects do not churn the cache");
        idx.match("_INBOX.x.7");
        assertEquals(1, idx.cacheSize(), "a subject is cached when it is missed again");
    }

    /** Matches twice: a subject is cached from its second miss on. */
    private static MatchResult<Sub> cachedMatch(SubjectIndex<Sub> idx, String subject) {
        idx.match(subject);
        return idx.match(subject);
    }

    @Test
    void cacheHitDoesNotAllocate() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean mx) || !mx.isThreadAllocatedMemorySupported()) {
            return;
        }
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        idx.insert("foo.*", null, new Sub("a"));
        idx.insert("foo.bar", "q", new Sub("b"));
        String[] subjects = {"foo.bar", "foo.baz", "foo.qux"};
        int sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += idx.match(subjects[i % 3]).total();
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            sink += idx.match(subjects[i % 3]).total();
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(sink > 0);
        assertTrue(allocated < 10_000, "100k cache hits allocated " + allocated + " bytes");
    }

    @Test
    void hundredThousandSubscriptions() {
        SubjectIndex<Sub> idx = new SubjectIndex<>();
        int n = 100_000;
        Sub[] subs = new Sub[n];
        Map<Integer, String> subjects = new HashMap<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            subs[i] = new Sub("s" + i);
            String subject = "acct.svc" + (i % 100) + ".inst" + i + (i % 10 == 0 ? ".*" : "");
            subjects.put(i, subject);
            idx.insert(subject, i % 4 == 0 ? "workers" : null, subs[i]);
        }
        // plus a single hot subject with many subscribers
        for (int i = 0; i < n; i++) {
            idx.insert("hot", null, subs[i]);
        }
        long insertMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(2 * n, idx.count());
        assertEquals(n, idx.match("hot").plainCount());
        assertEquals(1, idx.match("acct.svc7.inst7").total());
        assertEquals(1, idx.match("acct.svc10.inst10.x").total());
        // removing from the crowded node must not be linear per removal
        for (int i = 0; i < n; i++) {
            assertTrue(idx.remove("hot", null, subs[i]));
            assertTrue(idx.remove(subjects.get(i), i % 4 == 0 ? "workers" : null, subs[i]));
        }
        long totalMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, idx.count());
        assertEquals(0, idx.nodeCount());
        assertTrue(totalMillis < 20_000, "200k inserts took " + insertMillis + " ms, all " + totalMillis + " ms");
    }
}
