package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.MatchResult;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the one member of a queue group that takes a message, as upstream does: at random,
 * moving on when a member cannot take it. Across a cluster every server's members count: a
 * route's member stands for as many members as that server has (its weight), and when the
 * pick falls on it the message goes over that route naming the group. A message that came
 * from another server is only ever given to a local member (the sender already chose this
 * server).
 */
final class QueueGroupPick {
    private QueueGroupPick() {}

    /** Every member local and counting once: start at a random member. */
    static boolean deliver(MatchResult.QueueGroup<Subscription> group, InboundMessage msg, Subscriber publisher,
                           boolean skipSelf, FlushBatch batch) {
        int size = group.size();
        int start = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
        for (int k = 0; k < size; k++) {
            Subscription sub = group.get((start + k) % size);
            if (skipSelf && sub.owner() == publisher) continue;
            if (MsgTrace.deliver(sub, msg, batch)) return true;
        }
        return false;
    }

    /**
     * Members weighted, some of them remote: start at a member drawn by weight. True when a
     * local member took the message; a remote pick returns false, since the copy sent to that
     * server is counted once when it is sent, however many groups it serves there. Leaf node
     * members only stand in when no other member can take the message, as upstream prefers
     * its own cluster's members, and a gateway's member (another cluster) only when no member
     * of this cluster or its leaf nodes can.
     */
    static boolean deliverWeighted(MatchResult.QueueGroup<Subscription> group, InboundMessage msg, Subscriber publisher,
                                   ConnectionKind origin, boolean skipSelf, FlushBatch batch) {
        int size = group.size();
        int total = 0;
        Subscription leaf = null;
        Subscription gateway = null;
        for (int i = 0; i < size; i++) {
            Subscription sub = group.get(i);
            if (!eligible(sub, publisher, origin, skipSelf)) continue;
            if (sub.kind().isLeaf()) {
                if (leaf == null) leaf = sub;
            } else if (sub.kind() == ConnectionKind.GATEWAY) {
                if (gateway == null) gateway = sub;
            } else {
                total += sub.weight();
            }
        }
        if (total > 0) {
            int start = startByWeight(group, publisher, origin, skipSelf, ThreadLocalRandom.current().nextInt(total));
            for (int k = 0; k < size; k++) {
                Subscription sub = group.get((start + k) % size);
                if (!eligible(sub, publisher, origin, skipSelf) || standsIn(sub)) continue;
                Subscriber owner = sub.owner();
                if (sub.kind().isRemote()) {
                    batch.remoteTargets().add((RemoteSubscriber) owner, sub);
                    return false;
                }
                if (MsgTrace.deliver(sub, msg, batch)) return true;
            }
        }
        Subscription standIn = leaf != null ? leaf : gateway;
        if (standIn != null) batch.remoteTargets().add((RemoteSubscriber) standIn.owner(), standIn);
        return false;
    }

    /** Leaf and gateway members take a message only when no member of this cluster can. */
    private static boolean standsIn(Subscription sub) {
        return sub.kind().isLeaf() || sub.kind() == ConnectionKind.GATEWAY;
    }

    private static boolean eligible(Subscription sub, Subscriber publisher, ConnectionKind origin, boolean skipSelf) {
        return sub.kind().receivesFrom(origin) && !(skipSelf && sub.owner() == publisher);
    }

    /** The index of the non-leaf member whose share of the total weight holds {@code draw}. */
    private static int startByWeight(MatchResult.QueueGroup<Subscription> group, Subscriber publisher,
                                     ConnectionKind origin, boolean skipSelf, int draw) {
        for (int i = 0, n = group.size(); i < n; i++) {
            Subscription sub = group.get(i);
            if (!eligible(sub, publisher, origin, skipSelf) || standsIn(sub)) continue;
            draw -= sub.weight();
            if (draw < 0) return i;
        }
        return 0;
    }
}
