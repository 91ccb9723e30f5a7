package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;

/**
 * Whoever owns subscriptions: a client connection, a route, an internal service. The router
 * hands each matching subscription's owner the message to encode into its own outbound
 * buffer, on the publisher's thread. Owners that stand for another server
 * ({@link ConnectionKind#isRemote()}) are {@link RemoteSubscriber}s and get one copy per
 * message instead.
 */
public interface Subscriber {
    /**
     * Appends one message for {@code sub} to this subscriber's outbound buffer, counting it
     * against the subscription's auto-unsubscribe limit. {@code flush} collects subscribers
     * touched by the current inbound batch. Returns false when the message was not delivered
     * (limit reached, the subscriber is closing or slow).
     */
    boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush);

    /** Whether this subscriber wants its own messages back (CONNECT echo). */
    boolean echo();

    /** What kind of connection or service this is; decides the rules in {@link ConnectionKind}. */
    ConnectionKind kind();

    /**
     * The cluster the message this publisher is routing entered from through a leaf node (a
     * leaf connection's remote cluster, or what a route's LMSG names), or null: a message is
     * never sent to another leaf connection from that same cluster, which has it already
     * (upstream's cluster-wide no echo).
     */
    default String originCluster() {
        return null;
    }

    /** The connection's id (cid), for message traces; 0 for what is not a connection. */
    default long connectionId() {
        return 0;
    }

    /** The name the connection gave, for message traces; null when none. */
    default String connectionName() {
        return null;
    }
}
