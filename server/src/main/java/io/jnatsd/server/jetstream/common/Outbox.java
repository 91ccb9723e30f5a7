package io.jnatsd.server.jetstream.common;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.InternalClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages a stream's writer sends once a batch is durable (acks, republished copies), in the
 * order they were produced, so a republish is seen before the ack of the same message.
 */
public final class Outbox {
    private record Out(String subject, byte[] headers, byte[] payload) {}

    private final List<Out> pending = new ArrayList<>();

    public void add(String subject, byte[] headers, byte[] payload) {
        pending.add(new Out(subject, headers, payload));
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Sends everything, flushing each receiver once at the end. */
    public void sendAll(InternalClient client, Account account) {
        if (pending.isEmpty()) return;
        FlushBatch batch = new FlushBatch();
        sendAll(client, account, batch);
        batch.flushAll();
    }

    /** Sends everything into {@code batch}: its owner flushes the receivers. */
    public void sendAll(InternalClient client, Account account, FlushBatch batch) {
        for (Out o : pending) client.publish(account, o.subject, null, o.headers, o.payload == null ? EMPTY : o.payload, batch);
        pending.clear();
    }

    private static final byte[] EMPTY = new byte[0];
}
