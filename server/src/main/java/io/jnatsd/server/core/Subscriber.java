package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;

/**
 * Whoever owns subscriptions: a client connection today; routes, leaf nodes and internal
 * services later. The router hands each matching subscription's owner the message to encode
 * into its own outbound buffer, on the publisher's thread.
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
}
