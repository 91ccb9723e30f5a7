package io.jnatsd.protocol.subject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The subscriptions of one account, looked up by the subject of each published message.
 *
 * <p>Shared by all connections of the account: any number of threads may call {@link #match}
 * while others {@link #insert} and {@link #remove}. A subscription whose {@code insert} has
 * returned is seen by every {@code match} that starts afterwards, and one whose {@code remove}
 * has returned is seen by none.
 *
 * <p>Items are kept by identity and an item is stored at most once per (subject, queue): use
 * one item per subscription. The same item inserted under two subjects is two subscriptions
 * and may appear twice in one result.
 *
 * <h2>Match cache</h2>
 * Publishers tend to reuse a small set of subjects, so results are cached by literal subject
 * (bounded as upstream: past {@value #DEFAULT_CACHE_MAX} entries it is swept down to
 * {@value #DEFAULT_CACHE_SWEEP_TO}). A hit is a single {@link ConcurrentHashMap#get} with no
 * lock and no allocation. A miss walks the trie under the read lock and caches the result
 * before releasing it — from a subject's second miss on: a subject missed only once is most
 * likely a reply subject that is never seen again (every JetStream publish acknowledgement,
 * every response), and caching those only churned the map and swept out the subjects that
 * repeat. A small table of recently missed subjects' hashes remembers the first miss.
 * Insert and remove take the write lock, change the trie, and drop exactly the cached
 * subjects the changed subscription matches.
 *
 * <p>Why a miss can never cache a stale result: the trie walk and the cache {@code put} both
 * happen under the read lock, and a writer's trie change and cache invalidation both happen
 * under the write lock, so the two cannot interleave. Either the miss finished (and its entry
 * was in the cache) before the writer started, and the writer's invalidation removes it if
 * the change affects that subject; or the miss started after the writer finished, and walked
 * the changed trie. A lock-free hit that races with a writer returns the entry as it was
 * before that writer's invalidation, which is the result of a match ordered before the
 * insert or remove, since the writer has not returned yet. The sweep only ever removes
 * entries, which cannot make anything stale.
 *
 * @param <T> the subscription item (for the server, its Subscription object)
 */
public final class SubjectIndex<T> {

    public static final int DEFAULT_CACHE_MAX = 1024;
    public static final int DEFAULT_CACHE_SWEEP_TO = 256;

    /** One stored subscription, as reported by {@link #forEach}. */
    public record Entry<T>(String subject, String queue, T item) {
    }

    static final int MISSED_WAYS = 8;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final SubjectTrie<T> trie = new SubjectTrie<>();
    private final ConcurrentHashMap<String, MatchResult<T>> cache;
    private final int cacheMax;
    private final int cacheSweepTo;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    // Hashes of subjects missed once, in sets of MISSED_WAYS, newest first. Set-associative because
    // with one slot per hash, subjects that shared a slot and were published in turn overwrote each
    // other's memory at every miss and were never cached (a quarter of 256 rotating subjects in the
    // benchmark). Racy by design: a lost or stale entry only delays or hastens caching.
    private final int[] missedOnce;
    private final LongAdder matches = new LongAdder();
    // Misses rather than hits are counted so that a hit costs one counter update, not two.
    private final LongAdder cacheMisses = new LongAdder();
    // Written under the write lock only; volatile so that count() and stats() need no lock.
    private volatile int count;
    private volatile long inserts;
    private volatile long removes;

    /** An index with the match cache on. */
    public SubjectIndex() {
        this(true);
    }

    /** @param cacheEnabled false behaves as upstream's {@code disable_sublist_cache} */
    public SubjectIndex(boolean cacheEnabled) {
        this(cacheEnabled ? DEFAULT_CACHE_MAX : 0, DEFAULT_CACHE_SWEEP_TO);
    }

    /** A cache of {@code cacheMax} entries swept down to {@code cacheSweepTo}; 0 disables it. */
    SubjectIndex(int cacheMax, int cacheSweepTo) {
        this.cacheMax = cacheMax;
        this.cacheSweepTo = Math.min(cacheSweepTo, cacheMax);
        this.cache = cacheMax > 0 ? new ConcurrentHashMap<>() : null;
        this.missedOnce = new int[cacheMax > 0 ? Integer.highestOneBit(Math.max(cacheMax, 2 * MISSED_WAYS)) : 0];
    }

    /**
     * Adds a subscription.
     *
     * @param subject a valid subject, wildcards allowed ({@link Subjects#isValidSubject})
     * @param queue   the queue group, or null for a plain subscription
     * @return false, changing nothing, when this item is already subscribed with that subject
     *         and queue
     * @throws IllegalArgumentException on an invalid subject or queue name
     */
    public boolean insert(String subject, String queue, T item) {
        String[] tokens = checkedTokens(subject, queue);
        Objects.requireNonNull(item, "item");
        lock.writeLock().lock();
        try {
            if (!trie.insert(tokens, queue, item)) {
                return false;
            }
            count++;
            inserts++;
            invalidate(subject);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Removes a subscription by item identity.
     *
     * @return whether it was present
     * @throws IllegalArgumentException on an invalid subject or queue name
     */
    public boolean remove(String subject, String queue, T item) {
        String[] tokens = checkedTokens(subject, queue);
        lock.writeLock().lock();
        try {
            if (!trie.remove(tokens, queue, item)) {
                return false;
            }
            count--;
            removes++;
            invalidate(subject);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The subscribers of a literal subject. A subject with an empty token matches nothing;
     * a wildcard token in it is compared as text, so it reaches only wildcard subscriptions,
     * which is what upstream does with such a publish outside pedantic mode.
     *
     * <p>The returned result may be shared with other callers and must not be modified.
     */
    public MatchResult<T> match(String literalSubject) {
        matches.increment();
        ConcurrentHashMap<String, MatchResult<T>> c = cache;
        if (c != null) {
            MatchResult<T> hit = c.get(literalSubject);
            if (hit != null) {
                return hit;
            }
        }
        cacheMisses.increment();
        String[] tokens = Subjects.tokenize(literalSubject);
        if (tokens == null) {
            return MatchResult.empty();
        }
        MatchResult<T> result;
        lock.readLock().lock();
        try {
            MatchResultBuilder<T> builder = new MatchResultBuilder<>();
            trie.match(tokens, builder);
            result = builder.build();
            if (c != null && missedBefore(literalSubject)) {
                c.put(literalSubject, result);
            }
        } finally {
            lock.readLock().unlock();
        }
        if (c != null && c.size() > cacheMax) {
            sweep(c);
        }
        return result;
    }

    /** Whether any subscription matches the literal subject, without building a result. */
    public boolean hasInterest(String literalSubject) {
        ConcurrentHashMap<String, MatchResult<T>> c = cache;
        if (c != null) {
            MatchResult<T> hit = c.get(literalSubject);
            if (hit != null) {
                return !hit.isEmpty();
            }
        }
        String[] tokens = Subjects.tokenize(literalSubject);
        if (tokens == null) {
            return false;
        }
        lock.readLock().lock();
        try {
            return trie.hasInterest(tokens);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Every item whose subscription could receive a message on some subject matching
     * {@code filter} (its subject collides with the filter), one entry per subscription.
     * Walks the trie, without the cache; meant for interest propagation and monitoring.
     *
     * @throws IllegalArgumentException on an invalid filter
     */
    public List<T> matchingAll(String filter) {
        String[] tokens = checkedTokens(filter, null);
        List<T> out = new ArrayList<>();
        lock.readLock().lock();
        try {
            trie.collectColliding(tokens, out);
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    /** Number of subscriptions. */
    public int count() {
        return count;
    }

    /** Number of cached results. */
    public int cacheSize() {
        return cache == null ? 0 : cache.size();
    }

    public boolean isCacheEnabled() {
        return cache != null;
    }

    /**
     * Calls {@code action} for every subscription. The subscriptions are copied under the read
     * lock and the action runs after it is released, so the action may modify this index.
     */
    @SuppressWarnings("unchecked")
    public void forEach(Consumer<? super Entry<T>> action) {
        List<Entry<T>> entries = new ArrayList<>(count);
        lock.readLock().lock();
        try {
            trie.forEach((subject, queue, item) -> entries.add(new Entry<>(subject, queue, (T) item)));
        } finally {
            lock.readLock().unlock();
        }
        entries.forEach(action);
    }

    public SubjectIndexStats stats() {
        long cached = 0;
        long maxFanout = 0;
        long totalFanout = 0;
        if (cache != null) {
            for (MatchResult<T> r : cache.values()) {
                long fanout = r.plainCount() + r.queueGroupCount();
                cached++;
                totalFanout += fanout;
                maxFanout = Math.max(maxFanout, fanout);
            }
        }
        long misses = cacheMisses.sum();
        long matched = Math.max(matches.sum(), misses);
        return SubjectIndexStats.of(count, cached, inserts, removes, matched, matched - misses,
                maxFanout, totalFanout);
    }

    /** Trie node count, for tests of pruning. */
    int nodeCount() {
        lock.readLock().lock();
        try {
            return trie.nodeCount();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Drops the cached results that a subscription on {@code subject} could change: the key
     * itself for a literal, every key the filter matches for a wildcard. Runs under the write
     * lock, so no miss can add an entry meanwhile; the scan is bounded by the cache size.
     */
    private void invalidate(String subject) {
        if (cache == null) {
            return;
        }
        if (Subjects.isLiteral(subject)) {
            cache.remove(subject);
            return;
        }
        cache.keySet().removeIf(key -> Subjects.subjectMatchesFilter(key, subject));
    }

    /** Whether the subject was missed recently; if not, remembers that it now has been. */
    private boolean missedBefore(String subject) {
        int h = subject.hashCode();
        if (h == 0) h = 1; // 0 marks an empty way
        int sets = missedOnce.length / MISSED_WAYS;
        int base = ((h ^ (h >>> 16)) & (sets - 1)) * MISSED_WAYS;
        for (int i = base; i < base + MISSED_WAYS; i++) {
            if (missedOnce[i] == h) return true;
        }
        System.arraycopy(missedOnce, base, missedOnce, base + 1, MISSED_WAYS - 1); // the oldest falls out
        missedOnce[base] = h;
        return false;
    }

    private void sweep(ConcurrentHashMap<String, MatchResult<T>> c) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            Iterator<String> it = c.keySet().iterator();
            while (c.size() > cacheSweepTo && it.hasNext()) {
                it.next();
                it.remove();
            }
        } finally {
            sweeping.set(false);
        }
    }

    private static String[] checkedTokens(String subject, String queue) {
        if (!Subjects.isValidSubject(subject)) {
            throw new IllegalArgumentException("invalid subject: " + subject);
        }
        if (queue != null && !Subjects.isValidQueueName(queue)) {
            throw new IllegalArgumentException("invalid queue name: " + queue);
        }
        return Subjects.tokenize(subject);
    }
}
