package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.MatchResult;
import io.jnatsd.protocol.subject.SubjectIndex;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The unit of isolation: one subject namespace, with the subscriptions of every connection
 * bound to it. Publishing matches the subject once and hands the message to each plain
 * subscriber and to one member of each queue group.
 */
public final class Account {
    private final String name;
    private final SubjectIndex<Subscription> index = new SubjectIndex<>();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder slowConsumers = new java.util.concurrent.atomic.LongAdder();
    private volatile AccountLimits limits = AccountLimits.NONE;
    /** Subject mappings applied to every message published in this account, or null. */
    private volatile SubjectMappings mappings;

    public Account(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public AccountLimits limits() {
        return limits;
    }

    public void setLimits(AccountLimits limits) {
        this.limits = limits;
    }

    /** Counts a client into this account; false (and not counted) when max_connections is reached. */
    public boolean addConnection() {
        int max = limits.maxConnections();
        int n = connections.incrementAndGet();
        if (max >= 0 && n > max) {
            connections.decrementAndGet();
            return false;
        }
        return true;
    }

    public void removeConnection() {
        connections.decrementAndGet();
    }

    public int connectionCount() {
        return connections.get();
    }

    /** Counts a client of this account dropped as a slow consumer. */
    public void slowConsumer() {
        slowConsumers.increment();
    }

    public long slowConsumerCount() {
        return slowConsumers.sum();
    }

    public void setMappings(SubjectMappings mappings) {
        this.mappings = mappings;
    }

    public SubjectIndex<Subscription> subscriptions() {
        return index;
    }

    public void subscribe(Subscription sub) {
        index.insert(sub.subject(), sub.queue(), sub);
    }

    public void unsubscribe(Subscription sub) {
        index.remove(sub.subject(), sub.queue(), sub);
    }

    /**
     * Routes one message; returns how many subscriptions received it (0 means no responders).
     * {@code publisher} may be null for internal publishers.
     */
    public int publish(InboundMessage msg, Subscriber publisher, FlushBatch batch) {
        SubjectMappings m = mappings;
        if (m != null) {
            String to = m.map(msg.subject());
            if (to == null) return 0;
            if (!to.equals(msg.subject())) msg = msg.rewritten(to, msg.reply());
        }
        MatchResult<Subscription> match = index.match(msg.subject());
        if (match.isEmpty()) return 0;
        boolean skipSelf = publisher != null && !publisher.echo();
        int delivered = 0;
        for (int i = 0, n = match.plainCount(); i < n; i++) {
            Subscription sub = match.plain(i);
            if (skipSelf && sub.owner() == publisher) continue;
            if (deliver(sub, msg, batch)) delivered++;
        }
        for (int g = 0, groups = match.queueGroupCount(); g < groups; g++) {
            if (deliverToOneMember(match.queueGroup(g), msg, publisher, skipSelf, batch)) delivered++;
        }
        return delivered;
    }

    /** Starts at a random member so load spreads; moves on when a member cannot take it. */
    private static boolean deliverToOneMember(MatchResult.QueueGroup<Subscription> group, InboundMessage msg,
                                              Subscriber publisher, boolean skipSelf, FlushBatch batch) {
        int size = group.size();
        int start = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
        for (int k = 0; k < size; k++) {
            Subscription sub = group.get((start + k) % size);
            if (skipSelf && sub.owner() == publisher) continue;
            if (deliver(sub, msg, batch)) return true;
        }
        return false;
    }

    private static boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        return sub.owner().deliver(sub, msg, batch);
    }
}
