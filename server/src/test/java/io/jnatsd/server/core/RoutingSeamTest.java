package io.jnatsd.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.protocol.client.InboundMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The routing core's kind rules and interest events, without sockets. */
class RoutingSeamTest {
    /** A subscriber of any kind that records what reaches it. */
    static class Recorder implements Subscriber {
        final ConnectionKind kind;
        final List<String> got = new ArrayList<>();

        Recorder(ConnectionKind kind) {
            this.kind = kind;
        }

        @Override
        public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
            got.add(msg.subject());
            return true;
        }

        @Override
        public boolean echo() {
            return true;
        }

        @Override
        public ConnectionKind kind() {
            return kind;
        }
    }

    /** Stands for another server: records each copy and the queue groups it was asked to serve. */
    static final class Remote extends Recorder implements RemoteSubscriber {
        final List<String> forwarded = new ArrayList<>();

        Remote() {
            super(ConnectionKind.ROUTE);
        }

        Remote(ConnectionKind kind) {
            super(kind);
        }

        @Override
        public boolean echo() {
            return false;
        }

        @Override
        public boolean forward(Account account, InboundMessage msg, QueueNames queues, FlushBatch batch) {
            StringBuilder q = new StringBuilder();
            for (int i = 0; queues != null && i < queues.count(); i++) q.append(' ').append(queues.get(i));
            forwarded.add(account.name() + " " + msg.subject() + q);
            return true;
        }
    }

    private static InboundMessage msg(String subject) {
        return InboundMessage.internal(subject, null, null, new byte[] {'x'});
    }

    @Test
    void firstAndLastPlainSubscriptionAndEveryQueueChangeAreReported() {
        Account acc = new Account("A");
        List<String> events = new ArrayList<>();
        acc.setInterestListener((a, subject, queue, count) -> events.add(subject + (queue == null ? "" : " " + queue) + " " + count));
        Recorder c1 = new Recorder(ConnectionKind.CLIENT);
        Recorder c2 = new Recorder(ConnectionKind.CLIENT);
        Subscription s1 = new Subscription(c1, "foo", null, "1");
        Subscription s2 = new Subscription(c2, "foo", null, "1");
        Subscription q1 = new Subscription(c1, "bar", "workers", "2");
        Subscription q2 = new Subscription(c2, "bar", "workers", "2");
        acc.subscribe(s1);
        acc.subscribe(s2);
        acc.subscribe(q1);
        acc.subscribe(q2);
        acc.unsubscribe(s1);
        acc.unsubscribe(q1);
        acc.unsubscribe(s2);
        acc.unsubscribe(q2);
        assertEquals(List.of("foo 1", "bar workers 1", "bar workers 2", "bar workers 1", "foo 0", "bar workers 0"), events);
    }

    @Test
    void remoteAndImportSubscriptionsAreNotReportedAsLocalInterest() {
        Account acc = new Account("A");
        List<String> events = new ArrayList<>();
        acc.setInterestListener((a, subject, queue, count) -> events.add(subject));
        acc.subscribe(new Subscription(new Remote(), "foo", null, "1"));
        acc.subscribe(new Subscription(new Recorder(ConnectionKind.ACCOUNT), "bar", null, "1"));
        acc.subscribe(new Subscription(new Recorder(ConnectionKind.JETSTREAM), "baz", null, "1"));
        assertEquals(List.of("baz"), events);
        List<String> replayed = new ArrayList<>();
        acc.replayInterest((a, subject, queue, count) -> replayed.add(subject + " " + count));
        assertEquals(List.of("baz 1"), replayed);
    }

    @Test
    void aRemoteServerGetsOneCopyHoweverManyOfItsSubscriptionsMatch() {
        Account acc = new Account("A");
        Remote route = new Remote();
        acc.subscribe(new Subscription(route, "orders.*", null, "1"));
        acc.subscribe(new Subscription(route, "orders.new", null, "2"));
        acc.subscribe(new Subscription(route, ">", null, "3"));
        Recorder local = new Recorder(ConnectionKind.CLIENT);
        acc.subscribe(new Subscription(local, "orders.new", null, "1"));
        int n = acc.publish(msg("orders.new"), null, new FlushBatch());
        assertEquals(2, n);
        assertEquals(List.of("A orders.new"), route.forwarded);
        assertEquals(List.of("orders.new"), local.got);
    }

    @Test
    void aMessageFromARouteGoesOnlyToLocalSubscribersAndNeverToImportPlumbing() {
        Account acc = new Account("A");
        Remote from = new Remote();
        Remote other = new Remote();
        Recorder local = new Recorder(ConnectionKind.CLIENT);
        Recorder importer = new Recorder(ConnectionKind.ACCOUNT);
        acc.subscribe(new Subscription(other, "foo", null, "1"));
        acc.subscribe(new Subscription(local, "foo", null, "1"));
        acc.subscribe(new Subscription(importer, "foo", null, "1"));
        int n = acc.publishRouted(msg("foo"), from, null, new FlushBatch());
        assertEquals(1, n);
        assertEquals(List.of("foo"), local.got);
        assertTrue(other.forwarded.isEmpty(), "route to route");
        assertTrue(importer.got.isEmpty(), "imports act where the message was published");
    }

    @Test
    void aRoutedMessageReachesOnlyTheQueueGroupsItNamesAndOnlyTheirLocalMembers() {
        Account acc = new Account("A");
        Remote from = new Remote();
        Recorder member = new Recorder(ConnectionKind.CLIENT);
        Recorder otherGroup = new Recorder(ConnectionKind.CLIENT);
        Remote remoteMember = new Remote();
        acc.subscribe(new Subscription(member, "jobs", "workers", "1"));
        acc.subscribe(new Subscription(otherGroup, "jobs", "auditors", "1"));
        Subscription rq = new Subscription(remoteMember, "jobs", "workers", "r");
        rq.setWeight(1000);
        acc.subscribe(rq);
        QueueNames queues = new QueueNames();
        queues.add("workers", null);
        for (int i = 0; i < 20; i++) acc.publishRouted(msg("jobs"), from, queues, new FlushBatch());
        acc.publishRouted(msg("jobs"), from, null, new FlushBatch());
        assertEquals(20, member.got.size());
        assertTrue(otherGroup.got.isEmpty());
        assertTrue(remoteMember.forwarded.isEmpty());
    }

    @Test
    void aQueueGroupSpreadOverServersPicksByWeightAndNamesTheGroupOnTheRoute() {
        Account acc = new Account("A");
        Recorder local = new Recorder(ConnectionKind.CLIENT);
        Remote route = new Remote();
        acc.subscribe(new Subscription(local, "jobs", "workers", "1"));
        Subscription rq = new Subscription(route, "jobs", "workers", "r");
        rq.setWeight(3);
        acc.subscribe(rq);
        int total = 4000;
        for (int i = 0; i < total; i++) assertEquals(1, acc.publish(msg("jobs"), null, new FlushBatch()));
        assertEquals(total, local.got.size() + route.forwarded.size(), "exactly one member each time");
        // 1 local member against 3 remote ones: about a quarter stay here.
        assertTrue(local.got.size() > total / 4 - 250 && local.got.size() < total / 4 + 250, "local " + local.got.size());
        assertEquals("A jobs workers", route.forwarded.get(0));
    }

    /**
     * A delivery that publishes again on the same thread (an import forwarding into another
     * account) routes its own message: each account's remote copy goes out once, under its own
     * account, and neither is lost.
     */
    @Test
    void aMessageRepublishedDuringDeliveryKeepsItsRemoteTargetsApart() {
        Account exporter = new Account("X");
        Account importer = new Account("Y");
        Remote route = new Remote();
        exporter.subscribe(new Subscription(route, "feed", null, "r1"));
        importer.subscribe(new Subscription(route, "imported.feed", null, "r2"));
        Recorder forwarder = new Recorder(ConnectionKind.ACCOUNT) {
            @Override
            public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
                return importer.publish(msg.rewritten("imported.feed", null), null, flush) > 0;
            }
        };
        exporter.subscribe(new Subscription(forwarder, "feed", null, "f"));
        // The route's subscription may come before or after the forwarder in the match: try both orders.
        exporter.publish(msg("feed"), null, new FlushBatch());
        assertEquals(java.util.Set.of("X feed", "Y imported.feed"), java.util.Set.copyOf(route.forwarded));
        assertEquals(2, route.forwarded.size());
        Account exporter2 = new Account("X");
        Remote route2 = new Remote();
        exporter2.subscribe(new Subscription(forwarder, "feed", null, "f"));
        exporter2.subscribe(new Subscription(route2, "feed", null, "r1"));
        importer.subscribe(new Subscription(route2, "imported.feed", null, "r3"));
        exporter2.publish(msg("feed"), null, new FlushBatch());
        assertEquals(java.util.Set.of("X feed", "Y imported.feed"), java.util.Set.copyOf(route2.forwarded));
    }

    // ---- leaf nodes ----

    /**
     * Upstream's leaf routing: from a route, to this server's leaf nodes but not to its hub;
     * from the hub, everywhere but to routes; from a leaf node, everywhere; never back.
     */
    @Test
    void leafKindsRouteAsUpstream() {
        Account acc = new Account("A");
        Remote route = new Remote(ConnectionKind.ROUTE);
        Remote leaf = new Remote(ConnectionKind.LEAF);
        Remote otherLeaf = new Remote(ConnectionKind.LEAF);
        Remote hub = new Remote(ConnectionKind.HUB);
        Recorder local = new Recorder(ConnectionKind.CLIENT);
        for (Subscriber s : List.of(route, leaf, otherLeaf, hub, local)) acc.subscribe(new Subscription(s, "x", null, "1"));

        acc.publishRouted(msg("x"), new Remote(ConnectionKind.ROUTE), null, new FlushBatch());
        assertEquals(List.of("A x"), leaf.forwarded);
        assertEquals(List.of("A x"), otherLeaf.forwarded);
        assertTrue(hub.forwarded.isEmpty(), "the publishing server sent it to the hub itself");
        assertTrue(route.forwarded.isEmpty());

        clear(route, leaf, otherLeaf, hub);
        acc.publishRouted(msg("x"), hub, null, new FlushBatch(hub));
        assertTrue(route.forwarded.isEmpty(), "the hub's messages stay off routes");
        assertEquals(List.of("A x"), leaf.forwarded);
        assertTrue(hub.forwarded.isEmpty(), "never back");

        clear(route, leaf, otherLeaf, hub);
        acc.publishRouted(msg("x"), leaf, null, new FlushBatch(leaf));
        assertEquals(List.of("A x"), route.forwarded);
        assertEquals(List.of("A x"), otherLeaf.forwarded);
        assertEquals(List.of("A x"), hub.forwarded);
        assertTrue(leaf.forwarded.isEmpty(), "never back");
        assertEquals(3, local.got.size());
    }

    private static void clear(Remote... remotes) {
        for (Remote r : remotes) r.forwarded.clear();
    }

    @Test
    void whoHearsOfWhichInterest() {
        assertTrue(ConnectionKind.LEAF.interestReaches(ConnectionKind.ROUTE), "a leaf's interest goes to routes");
        assertTrue(!ConnectionKind.HUB.interestReaches(ConnectionKind.ROUTE), "the hub's does not");
        assertTrue(ConnectionKind.ROUTE.interestReaches(ConnectionKind.LEAF), "a leaf hears the cluster's interest");
        assertTrue(!ConnectionKind.ROUTE.interestReaches(ConnectionKind.HUB), "the hub hears only what lives here");
        assertTrue(ConnectionKind.LEAF.interestReaches(ConnectionKind.HUB));
        assertTrue(!ConnectionKind.HUB.interestReaches(ConnectionKind.HUB));
        assertTrue(ConnectionKind.ACCOUNT.interestReaches(ConnectionKind.HUB), "imports are announced as upstream's");
        assertTrue(!ConnectionKind.ACCOUNT.interestReaches(ConnectionKind.ROUTE));
    }

    @Test
    void gatewaysHearTheWholeClusterAndCarryOnlyWhatWasPublishedHere() {
        for (ConnectionKind k : new ConnectionKind[] {ConnectionKind.CLIENT, ConnectionKind.ROUTE, ConnectionKind.LEAF,
                ConnectionKind.HUB, ConnectionKind.SYSTEM, ConnectionKind.JETSTREAM}) {
            assertTrue(k.interestReaches(ConnectionKind.GATEWAY), k + "'s interest goes to other clusters");
        }
        assertTrue(!ConnectionKind.GATEWAY.interestReaches(ConnectionKind.GATEWAY), "never one cluster's to another");
        assertTrue(!ConnectionKind.ACCOUNT.interestReaches(ConnectionKind.GATEWAY), "import plumbing stays local");
        assertTrue(!ConnectionKind.GATEWAY.interestReaches(ConnectionKind.ROUTE), "nor to routes");
        assertTrue(!ConnectionKind.GATEWAY.interestReaches(ConnectionKind.LEAF));
        assertTrue(!ConnectionKind.GATEWAY.receivesFrom(ConnectionKind.GATEWAY), "one gateway hop at most");
        assertTrue(!ConnectionKind.GATEWAY.receivesFrom(ConnectionKind.ROUTE), "the publishing server sent it itself");
        assertTrue(ConnectionKind.ROUTE.receivesFrom(ConnectionKind.GATEWAY), "the other servers of this cluster get it");
        assertTrue(ConnectionKind.LEAF.receivesFrom(ConnectionKind.GATEWAY));
        assertTrue(ConnectionKind.CLIENT.receivesFrom(ConnectionKind.GATEWAY));
        assertTrue(ConnectionKind.GATEWAY.receivesFrom(ConnectionKind.CLIENT));
        assertTrue(ConnectionKind.GATEWAY.receivesFrom(ConnectionKind.LEAF), "as upstream sends leaf messages on");
        assertTrue(ConnectionKind.GATEWAY.receivesFrom(ConnectionKind.HUB));
    }

    /** A subscription listener gets the current subscriptions first, then every change in order. */
    @Test
    void subscriptionListenersAreReplayedThenToldEveryChange() {
        Account acc = new Account("A");
        Recorder client = new Recorder(ConnectionKind.CLIENT);
        Remote route = new Remote();
        acc.subscribe(new Subscription(client, "a", null, "1"));
        Subscription rq = new Subscription(route, "b", "q", "r");
        rq.setWeight(2);
        acc.subscribe(rq);
        List<String> events = new ArrayList<>();
        SubscriptionListener l = (a, sub, delta) -> events.add(sub.subject() + " " + delta);
        acc.addSubscriptionListener(l);
        assertEquals(List.of("a 1", "b 2"), events);
        Subscription c = new Subscription(client, "c", null, "2");
        acc.subscribe(c);
        acc.reweigh(rq, 5);
        acc.unsubscribe(c);
        acc.unsubscribe(rq);
        assertEquals(List.of("a 1", "b 2", "c 1", "b 3", "c -1", "b -5"), events);
        acc.removeSubscriptionListener(l);
        acc.subscribe(new Subscription(client, "d", null, "3"));
        assertEquals(6, events.size());
    }

    /** Routes count a leaf's queue group by the weight the leaf announced. */
    @Test
    void routesHearALeafsQueueWeight() {
        Account acc = new Account("A");
        List<String> events = new ArrayList<>();
        acc.setInterestListener((a, subject, queue, count) -> events.add(subject + " " + queue + " " + count));
        Subscription lq = new Subscription(new Remote(ConnectionKind.LEAF), "jobs", "w", "l");
        lq.setWeight(3);
        acc.subscribe(lq);
        acc.subscribe(new Subscription(new Recorder(ConnectionKind.CLIENT), "jobs", "w", "1"));
        acc.reweigh(lq, 1);
        assertEquals(List.of("jobs w 3", "jobs w 4", "jobs w 2"), events);
    }

    /** A leaf node's queue members stand in only when no member on this side can take the message. */
    @Test
    void leafQueueMembersOnlyStandIn() {
        Account acc = new Account("A");
        Remote leaf = new Remote(ConnectionKind.LEAF);
        Subscription lq = new Subscription(leaf, "jobs", "w", "l");
        lq.setWeight(100);
        acc.subscribe(lq);
        Recorder local = new Recorder(ConnectionKind.CLIENT);
        Subscription mine = new Subscription(local, "jobs", "w", "1");
        acc.subscribe(mine);
        for (int i = 0; i < 50; i++) acc.publish(msg("jobs"), null, new FlushBatch());
        assertEquals(50, local.got.size());
        assertTrue(leaf.forwarded.isEmpty());
        acc.unsubscribe(mine);
        acc.publish(msg("jobs"), null, new FlushBatch());
        assertEquals(List.of("A jobs w"), leaf.forwarded);
    }
}
