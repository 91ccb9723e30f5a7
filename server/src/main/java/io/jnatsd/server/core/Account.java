package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.subject.MatchResult;
import io.jnatsd.protocol.subject.SubjectIndex;

/**
 * The unit of isolation: one subject namespace, with the subscriptions of every connection
 * bound to it. Publishing matches the subject once and hands the message to each plain
 * subscriber and to one member of each queue group; remote servers get one copy each,
 * naming the queue groups they were chosen to serve. What differs by connection kind is
 * decided by {@link ConnectionKind}; first and last interest is reported to an
 * {@link InterestListener}.
 */
public final class Account {
    private final String name;
    private final byte[] nameBytes;
    private final SubjectIndex<Subscription> index = new SubjectIndex<>();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder slowConsumers = new java.util.concurrent.atomic.LongAdder();
    private volatile AccountLimits limits = AccountLimits.NONE;
    /** Subject mappings applied to every message published in this account, or null. */
    private volatile SubjectMappings mappings;
    private final LocalInterest interest = new LocalInterest();
    /**
     * Set once a remote server has queue members here: from then on queue groups are picked by
     * weight. Until then the cheaper pick (every member counts once) is the same thing.
     */
    private volatile boolean remoteQueueMembers;

    public Account(String name) {
        this.name = name;
        this.nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public String name() {
        return name;
    }

    /** The name's bytes, as every routed message carries them. */
    public byte[] nameBytes() {
        return nameBytes;
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
        if (!index.insert(sub.subject(), sub.queue(), sub)) return;
        if (sub.kind().isRemote() && sub.queue() != null) remoteQueueMembers = true;
        interest.added(this, sub);
    }

    public void unsubscribe(Subscription sub) {
        if (index.remove(sub.subject(), sub.queue(), sub)) interest.removed(this, sub);
    }

    /**
     * A remote server's queue subscription now stands for {@code weight} members (RS+/LS+ sent
     * again): changed in place, and the listeners hear of it in order with the other changes.
     */
    public void reweigh(Subscription sub, int weight) {
        interest.reweighed(this, sub, weight);
    }

    /** Where this account's interest changes are reported (routes); null for none. */
    public void setInterestListener(InterestListener listener) {
        interest.setListener(listener);
    }

    /** Hands the account's whole local interest to {@code l} (a new route learning it). */
    public void replayInterest(InterestListener l) {
        interest.replay(this, l);
    }

    /**
     * Registers a listener of every subscription (a leaf node bound to this account) and hands
     * it every current one first, under the lock the later events are sent under.
     */
    public void addSubscriptionListener(SubscriptionListener l) {
        interest.addSubscriptionListener(this, l);
    }

    public void removeSubscriptionListener(SubscriptionListener l) {
        interest.removeSubscriptionListener(l);
    }

    /**
     * Routes one message published on this server; returns how many receivers took it, a
     * remote server counting once (0 means no responders anywhere). {@code publisher} may be
     * null for the server's own publishers.
     */
    public int publish(InboundMessage msg, Subscriber publisher, FlushBatch batch) {
        SubjectMappings m = mappings;
        if (m != null) {
            String to = m.map(msg.subject());
            if (to == null) return 0;
            if (!to.equals(msg.subject())) {
                msg = msg.rewritten(to, msg.reply());
                if (batch.trace() != null) batch.trace().mapped(to);
            }
        }
        return route(msg, publisher, publisher == null ? ConnectionKind.SYSTEM : publisher.kind(), null, batch);
    }

    /**
     * Routes one message that arrived from another server: to local subscribers only, and to
     * queue groups only when {@code queues} names them (upstream's RMSG queue list), since
     * the sending server chose which server serves each group.
     */
    public int publishRouted(InboundMessage msg, RemoteSubscriber from, QueueNames queues, FlushBatch batch) {
        return route(msg, from, from.kind(), queues, batch);
    }

    private int route(InboundMessage msg, Subscriber publisher, ConnectionKind origin, QueueNames queueFilter,
                      FlushBatch batch) {
        MatchResult<Subscription> match = index.match(msg.subject());
        if (match.isEmpty()) return 0;
        MsgTrace trace = batch.trace();
        String tracedBefore = trace == null ? null : trace.enter(name);
        batch.enterRouting();
        String outerOrigin = batch.enterOrigin(publisher);
        try {
            return deliver(match, msg, publisher, origin, queueFilter, batch);
        } finally {
            batch.exitOrigin(outerOrigin);
            batch.exitRouting();
            if (trace != null) trace.exit(tracedBefore);
        }
    }

    private int deliver(MatchResult<Subscription> match, InboundMessage msg, Subscriber publisher, ConnectionKind origin,
                        QueueNames queueFilter, FlushBatch batch) {
        boolean skipSelf = publisher != null && !publisher.echo();
        boolean fromRemote = origin.isRemote();
        int delivered = 0;
        for (int i = 0, n = match.plainCount(); i < n; i++) {
            Subscription sub = match.plain(i);
            Subscriber owner = sub.owner();
            ConnectionKind kind = sub.kind();
            if (skipSelf && owner == publisher) {
                if (batch.trace() != null) batch.trace().noEcho(sub);
                continue;
            }
            if (kind != ConnectionKind.CLIENT) {
                if (!kind.receivesFrom(origin)) continue;
                if (kind.isRemote()) {
                    batch.remoteTargets().add((RemoteSubscriber) owner, null);
                    continue;
                }
            }
            if (MsgTrace.deliver(sub, msg, batch)) delivered++;
        }
        for (int g = 0, groups = match.queueGroupCount(); g < groups; g++) {
            MatchResult.QueueGroup<Subscription> group = match.queueGroup(g);
            if (fromRemote && (queueFilter == null || !queueFilter.contains(group.name()))) continue;
            boolean took = remoteQueueMembers || fromRemote
                    ? QueueGroupPick.deliverWeighted(group, msg, publisher, origin, skipSelf, batch)
                    : QueueGroupPick.deliver(group, msg, publisher, skipSelf, batch);
            if (took) delivered++;
        }
        if (batch.hasRemoteTargets()) {
            MsgTrace trace = batch.trace();
            // other servers do not trace what they get, so they would deliver a trace-only message
            if (trace != null && trace.isTraceOnly()) batch.remoteTargets().clear();
            else delivered += forwardToRemotes(msg, batch);
        }
        return delivered;
    }

    /** Sends one copy to each remote server the match named, each with its queue groups. */
    private int forwardToRemotes(InboundMessage msg, FlushBatch batch) {
        RemoteTargets targets = batch.remoteTargets();
        int sent = 0;
        try {
            for (int i = 0, n = targets.count(); i < n; i++) {
                if (targets.target(i).forward(this, msg, targets.queues(i), batch)) sent++;
            }
        } finally {
            targets.clear();
        }
        return sent;
    }
}
