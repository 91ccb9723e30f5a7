package io.jnatsd.protocol.subject;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Matchers race a writer. Each subscription records, on a global clock, when its insert
 * returned, when its remove started and when its remove returned. A match that started after
 * the insert returned and ended before the remove started must find it; a match that started
 * after the remove returned must not. Anything in between may go either way.
 */
class SubjectIndexConcurrencyTest {

    private static final long RUN_MILLIS = 1200;
    private static final int MATCHERS = 3;

    private static final class Sub {
        final String filter;
        final String queue;
        volatile long insertedAt;
        volatile long removeStartedAt;
        volatile long removedAt;

        Sub(String filter, String queue) {
            this.filter = filter;
            this.queue = queue;
        }

        @Override
        public String toString() {
            return filter + (queue == null ? "" : " " + queue);
        }
    }

    private final AtomicLong clock = new AtomicLong();

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void matchersAlwaysSeeCompletedInsertsAndNeverCompletedRemoves(boolean cache) throws Exception {
        SubjectIndex<Sub> idx = new SubjectIndex<>(cache);
        Set<Sub> live = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong checkedFinds = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();

        threads.add(new Thread(() -> guard(failure, () -> {
            Random rnd = new Random(7);
            List<Sub> mine = new ArrayList<>();
            start.await();
            while (System.nanoTime() < deadline && failure.get() == null) {
                if (mine.size() < 300 && (mine.size() < 50 || rnd.nextBoolean())) {
                    Sub s = new Sub(SubjectIndexRandomizedTest.randomFilter(rnd), rnd.nextInt(4) == 0 ? "q" : null);
                    idx.insert(s.filter, s.queue, s);
                    s.insertedAt = clock.incrementAndGet();
                    live.add(s);
                    mine.add(s);
                } else {
                    Sub s = mine.remove(rnd.nextInt(mine.size()));
                    live.remove(s);
                    s.removeStartedAt = clock.incrementAndGet();
                    idx.remove(s.filter, s.queue, s);
                    s.removedAt = clock.incrementAndGet();
                }
            }
        }), "writer"));

        for (int m = 0; m < MATCHERS; m++) {
            long seed = m;
            threads.add(new Thread(() -> guard(failure, () -> {
                Random rnd = new Random(seed);
                start.await();
                while (System.nanoTime() < deadline && failure.get() == null) {
                    String subject = SubjectIndexRandomizedTest.randomSubject(rnd);
                    long begin = clock.get();
                    MatchResult<Sub> r = idx.match(subject);
                    long end = clock.get();
                    Set<Sub> found = Collections.newSetFromMap(new IdentityHashMap<>());
                    for (int i = 0; i < r.plainCount(); i++) {
                        found.add(r.plain(i));
                    }
                    for (int g = 0; g < r.queueGroupCount(); g++) {
                        for (int i = 0; i < r.queueGroup(g).size(); i++) {
                            found.add(r.queueGroup(g).get(i));
                        }
                    }
                    for (Sub s : found) {
                        check(Subjects.subjectMatchesFilter(subject, s.filter), subject, s, "matched a non-matching filter");
                        long removed = s.removedAt;
                        check(removed == 0 || removed > begin, subject, s, "found after its remove returned");
                    }
                    for (Sub s : live) {
                        long inserted = s.insertedAt;
                        long removeStarted = s.removeStartedAt;
                        if (inserted != 0 && inserted <= begin && (removeStarted == 0 || removeStarted > end)
                                && Subjects.subjectMatchesFilter(subject, s.filter)) {
                            check(found.contains(s), subject, s, "missed although inserted before the match");
                            checkedFinds.incrementAndGet();
                        }
                    }
                }
            }), "matcher-" + m));
        }

        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(checkedFinds.get() > 1000, "the race exercised few checks: " + checkedFinds.get());
    }

    private static void check(boolean ok, String subject, Sub s, String what) {
        if (!ok) {
            throw new AssertionError(what + ": subject " + subject + ", subscription " + s);
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void guard(AtomicReference<Throwable> failure, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
