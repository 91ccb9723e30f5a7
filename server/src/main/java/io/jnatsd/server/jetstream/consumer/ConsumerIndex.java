package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.core.Account;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The consumers that acks and pull requests name, found without the account's stream map: that
 * map is locked while the API creates or deletes streams (which does file I/O), and acks arrive
 * on publishers' event loops. A consumer leaves the index when it stops.
 */
public final class ConsumerIndex {
    private final ConcurrentHashMap<String, Consumer> cache = new ConcurrentHashMap<>();

    /** The live consumer indexed under these names, or null. */
    public Consumer get(String key) {
        Consumer c = cache.get(key);
        return c != null && !c.isStopped() ? c : null;
    }

    /** Indexes {@code c} (resolved the slow way) under {@code key}; null forgets the key. */
    public void put(String key, Consumer c) {
        if (c == null) cache.remove(key);
        else cache.put(key, c);
    }

    /** Forgets a stopped consumer. */
    void evict(Account account, String stream, String consumer) {
        cache.remove(key(account, stream, consumer));
    }

    public static String key(Account account, String stream, String consumer) {
        return account.name() + ' ' + stream + ' ' + consumer;
    }
}
