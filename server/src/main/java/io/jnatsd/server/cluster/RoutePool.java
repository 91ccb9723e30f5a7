package io.jnatsd.server.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes to one other server, as upstream 2.10 pools them: {@code pool_size} connections
 * among which accounts are spread by a hash of their name, plus one connection per pinned
 * account ({@code cluster { accounts }}). Each account's interest, and so its messages, travel
 * on exactly one of them, so one account's traffic stays in order and a busy account does not
 * hold up the others. A peer without pooling (a server before 2.10, or {@code pool_size: -1} on
 * either side) gets a single connection for every account, as before.
 *
 * <p>Changed only under the cluster's registration lock; read from any thread (interest changes),
 * hence the copy-on-write pool array and the concurrent map.
 */
final class RoutePool {
    /** Where a route sits, as its INFO announces it: the pool's size and its index, or its pinned account. */
    record Slot(int poolSize, int poolIdx, String account) {}

    final String serverId;
    /** One connection for everything: the peer or this server has no pooling. */
    final boolean noPool;
    private volatile RouteConnection[] pool;
    private final Map<String, RouteConnection> pinned = new ConcurrentHashMap<>();
    /** The peer said it is in lame duck mode: its client URLs are no longer advertised. */
    volatile boolean lameDuck;

    /** The peer's 6-character hash, as gateway reply subjects name a server. */
    final String gatewayHash;

    RoutePool(String serverId, boolean noPool, int size) {
        this.serverId = serverId;
        this.gatewayHash = io.jnatsd.server.core.NameHash.of(serverId, 6);
        this.noPool = noPool;
        this.pool = new RouteConnection[noPool ? 1 : Math.max(1, size)];
    }

    /**
     * The connection index of {@code account} in a pool of {@code poolSize}: FNV-1a (32 bit) of
     * its name modulo the size, as upstream computes it, so every server agrees.
     */
    static int poolIndex(String account, int poolSize) {
        if (poolSize <= 1) return 0;
        int h = 0x811c9dc5;
        for (byte b : account.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return (int) (Integer.toUnsignedLong(h) % poolSize);
    }

    /** The pool's size (1 without pooling). */
    int size() {
        return pool.length;
    }

    /** The connection at {@code idx}, or null. */
    RouteConnection at(int idx) {
        RouteConnection[] p = pool;
        return idx >= 0 && idx < p.length ? p[idx] : null;
    }

    /** The first free index, or -1 when every connection of the pool is up. */
    int freeIndex() {
        RouteConnection[] p = pool;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == null) return i;
        }
        return -1;
    }

    /** Grows the pool to {@code size} connections (a peer with a larger pool, as upstream 2.11 allows). */
    void growTo(int size) {
        if (!noPool && size > pool.length) pool = Arrays.copyOf(pool, size);
    }

    void put(int idx, RouteConnection r) {
        RouteConnection[] p = pool.clone();
        p[idx] = r;
        pool = p;
    }

    RouteConnection pinned(String account) {
        return pinned.get(account);
    }

    void putPinned(String account, RouteConnection r) {
        pinned.put(account, r);
    }

    /** Takes {@code r} out wherever it is registered; false when it was not. */
    boolean remove(RouteConnection r) {
        String account = r.pinnedAccount();
        if (account != null) return pinned.remove(account, r);
        RouteConnection[] p = pool;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == r) {
                put(i, null);
                return true;
            }
        }
        return false;
    }

    /** No pooled connection is up (pinned ones may be). */
    boolean poolEmpty() {
        for (RouteConnection r : pool) {
            if (r != null) return false;
        }
        return true;
    }

    boolean isEmpty() {
        return first() == null;
    }

    /** Every registered connection: the pool's, then the pinned ones. */
    List<RouteConnection> all() {
        List<RouteConnection> out = new ArrayList<>();
        for (RouteConnection r : pool) {
            if (r != null) out.add(r);
        }
        out.addAll(pinned.values());
        return out;
    }

    /** A registered connection, preferring the pool's first: the one whose INFO speaks for the server. */
    RouteConnection first() {
        for (RouteConnection r : pool) {
            if (r != null) return r;
        }
        for (RouteConnection r : pinned.values()) return r;
        return null;
    }
}
