package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;

/**
 * A subscriber that stands for another server (a route): its subscriptions are that server's
 * interest. The router sends it one copy of a message however many of its subscriptions
 * match, naming the queue groups the copy must be delivered to over there.
 */
public interface RemoteSubscriber extends Subscriber {
    /**
     * Sends {@code msg}, published in {@code account}, to the remote server: to its plain
     * subscribers, and to one member of each queue group in {@code queues} (null when none).
     * Returns false when the copy could not be sent (the connection is closing or slow).
     */
    boolean forward(Account account, InboundMessage msg, QueueNames queues, FlushBatch batch);
}
