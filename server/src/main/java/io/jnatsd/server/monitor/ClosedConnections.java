package io.jnatsd.server.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@code max_closed_clients} closed connections with their final state, for
 * {@code /connz?state=closed}: a fixed ring that overwrites the oldest.
 */
public final class ClosedConnections {
    /** Upstream's default {@code max_closed_clients}. */
    public static final int DEFAULT_MAX = 10_000;

    private final ConnInfo[] ring;
    private long total;

    /** {@code max} 0 means the default; a negative one keeps nothing. */
    public ClosedConnections(int max) {
        ring = new ConnInfo[max == 0 ? DEFAULT_MAX : Math.max(0, max)];
    }

    public synchronized void add(ConnInfo closed) {
        if (ring.length == 0) return;
        ring[(int) (total % ring.length)] = closed;
        total++;
    }

    /** The kept connections, oldest first. */
    public synchronized List<ConnInfo> list() {
        int n = (int) Math.min(total, ring.length);
        List<ConnInfo> out = new ArrayList<>(n);
        int head = total <= ring.length ? 0 : (int) (total % ring.length);
        for (int i = 0; i < n; i++) out.add(ring[(head + i) % ring.length]);
        return out;
    }

    /** How many connections have closed since the server started. */
    public synchronized long total() {
        return total;
    }
}
