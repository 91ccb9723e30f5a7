package io.jnatsd.bench;

import io.jnatsd.protocol.subject.MatchResult;
import io.jnatsd.protocol.subject.SubjectIndex;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SubjectIndex#match} with 10k or 100k literal subscriptions {@code svc.<a>.<b>}
 * ({@code b} in 0..99):
 * <ul>
 * <li>{@code literalHitCached}: the publisher's subjects are in the match cache (the steady
 *     state of a server whose publishers reuse subjects) — one map lookup;
 * <li>{@code literalMissUncached}: cache disabled ({@code disable_sublist_cache}), every
 *     match walks the trie and builds a result;
 * <li>{@code starUncached}: plus 100 subscriptions {@code svc.*.<b>}, so each match finds a
 *     literal and a {@code *} subscription;
 * <li>{@code fullWildcardUncached}: plus {@code svc.<a>.>} for every {@code a}, so each match
 *     finds a literal and a {@code >} subscription.
 * </ul>
 * The queried subjects rotate over 256 (cached) or 1024 (uncached) different subjects.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SubjectIndexBenchmark {
    static final int B_VALUES = 100;

    /** Which subscriptions the index holds besides the literal ones. */
    enum Extra { NONE, STAR, FULL }

    @State(Scope.Thread)
    public abstract static class Base {
        @Param({"10000", "100000"})
        public int subs;

        SubjectIndex<Integer> index;
        String[] queries;
        int next;

        abstract boolean cached();

        abstract Extra extra();

        int queryCount() {
            return cached() ? 256 : 1024;
        }

        @Setup(Level.Trial)
        public void setup() {
            index = build(subs, cached(), extra());
            queries = new String[queryCount()];
            java.util.Random rnd = new java.util.Random(42);
            for (int i = 0; i < queries.length; i++) {
                queries[i] = literal(rnd.nextInt(subs));
                if (cached()) {
                    index.match(queries[i]);
                    index.match(queries[i]); // a subject is cached from its second miss
                }
            }
        }

        final String nextQuery() {
            return queries[next++ & (queries.length - 1)];
        }
    }

    static String literal(int i) {
        return "svc." + (i / B_VALUES) + "." + (i % B_VALUES);
    }

    static SubjectIndex<Integer> build(int subs, boolean cached, Extra extra) {
        SubjectIndex<Integer> index = new SubjectIndex<>(cached);
        for (int i = 0; i < subs; i++) index.insert(literal(i), null, i);
        int id = subs;
        if (extra == Extra.STAR) {
            for (int b = 0; b < B_VALUES; b++) index.insert("svc.*." + b, null, id++);
        } else if (extra == Extra.FULL) {
            for (int a = 0; a < (subs + B_VALUES - 1) / B_VALUES; a++) index.insert("svc." + a + ".>", null, id++);
        }
        return index;
    }

    public static class LiteralCached extends Base {
        @Override boolean cached() { return true; }

        @Override Extra extra() { return Extra.NONE; }
    }

    public static class LiteralUncached extends Base {
        @Override boolean cached() { return false; }

        @Override Extra extra() { return Extra.NONE; }
    }

    public static class StarUncached extends Base {
        @Override boolean cached() { return false; }

        @Override Extra extra() { return Extra.STAR; }
    }

    public static class FullUncached extends Base {
        @Override boolean cached() { return false; }

        @Override Extra extra() { return Extra.FULL; }
    }

    @Benchmark
    public MatchResult<Integer> literalHitCached(LiteralCached s) {
        return s.index.match(s.nextQuery());
    }

    @Benchmark
    public MatchResult<Integer> literalMissUncached(LiteralUncached s) {
        return s.index.match(s.nextQuery());
    }

    @Benchmark
    public MatchResult<Integer> starUncached(StarUncached s) {
        return s.index.match(s.nextQuery());
    }

    @Benchmark
    public MatchResult<Integer> fullWildcardUncached(FullUncached s) {
        return s.index.match(s.nextQuery());
    }
}
