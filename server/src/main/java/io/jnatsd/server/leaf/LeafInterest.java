package io.jnatsd.server.leaf;

import io.jnatsd.protocol.route.RouteWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.Map;

/**
 * What one leaf node connection has told the other side (upstream's smap): for each subject
 * and each {@code subject queue}, the count (plain) or total weight (queue) of the
 * subscriptions behind it. A plain subject is announced on its first subscription and
 * withdrawn on its last; a queue group on every change of its weight. Changed under the bound
 * account's interest lock, in the order of the account's changes; its own lock only guards the
 * one change made outside it (the loop detection subject).
 */
final class LeafInterest {
    private final Map<String, int[]> counts = new HashMap<>();

    /**
     * Applies {@code delta} to a subject (or group); returns the LS+/LS- line to send, or null
     * when the other side need not hear of it.
     */
    synchronized byte[] change(String subject, String queue, int delta) {
        String key = queue == null ? subject : subject + " " + queue;
        int[] n = counts.get(key);
        if (n == null) {
            if (delta <= 0) return null;
            counts.put(key, n = new int[1]);
        }
        int before = n[0];
        n[0] += delta;
        if (n[0] <= 0) counts.remove(key);
        int now = Math.max(0, n[0]);
        if (queue == null && before > 0 && now > 0) return null;
        ByteBuf b = Unpooled.buffer(key.length() + 24);
        try {
            if (now > 0) RouteWriter.writeLeafNodeSubscribe(b, subject, queue, queue == null ? 0 : now);
            else RouteWriter.writeLeafNodeUnsubscribe(b, subject, queue);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    synchronized int size() {
        return counts.size();
    }
}
