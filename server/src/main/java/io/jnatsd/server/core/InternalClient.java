package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;
import java.util.concurrent.Executor;

/**
 * How the server's own services (JetStream, system events and requests) take part in
 * messaging: through the same subscribe and publish path as clients, inside an account
 * (DESIGN.md: no side doors). Messages received are copied out of the publisher's buffer and
 * handed to the handler on the service's executor, so a slow handler never blocks an event loop.
 */
public final class InternalClient implements Subscriber {
    /**
     * A received message, copied: safe to keep; a JetStream delivery under the subject it shows. Headers are the raw NATS/1.0 block or null;
     * {@code publisher} is the client connection that published it (through imports too), or
     * null when the server did.
     */
    public record Msg(String subject, String reply, byte[] headers, byte[] payload, Subscriber publisher) {
        /** Copies a message out of the publisher's buffer. */
        public static Msg copyOf(InboundMessage msg, Subscriber publisher) {
            byte[] headers = null;
            if (msg.hasHeaders()) {
                headers = new byte[msg.headerLength()];
                msg.headers().getBytes(0, headers);
            }
            byte[] payload = new byte[msg.payloadLength()];
            msg.payload().getBytes(0, payload);
            return new Msg(msg.shownSubject(), msg.reply(), headers, payload, publisher);
        }
    }

    /** Handles messages for one internal subscription. */
    public interface Handler {
        void onMessage(Subscription sub, Msg msg);
    }

    private final String name;
    private final ConnectionKind kind;
    private final Executor executor;
    private final java.util.Map<Subscription, Handler> handlers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong sids = new java.util.concurrent.atomic.AtomicLong();

    /** @param kind {@link ConnectionKind#SYSTEM} or {@link ConnectionKind#JETSTREAM} */
    public InternalClient(String name, ConnectionKind kind, Executor executor) {
        this.name = name;
        this.kind = kind;
        this.executor = executor;
    }

    public String name() {
        return name;
    }

    public Subscription subscribe(Account account, String subject, String queue, Handler handler) {
        Subscription sub = new Subscription(this, subject, queue, name + "-" + sids.incrementAndGet());
        handlers.put(sub, handler);
        account.subscribe(sub);
        return sub;
    }

    public void unsubscribe(Account account, Subscription sub) {
        handlers.remove(sub);
        account.unsubscribe(sub);
    }

    /** Publishes as the server; returns how many subscriptions received it. */
    public int publish(Account account, String subject, String reply, byte[] headers, byte[] payload) {
        FlushBatch batch = new FlushBatch();
        int n = account.publish(InboundMessage.internal(subject, reply, headers, payload), this, batch);
        batch.flushAll();
        return n;
    }

    /**
     * Publishes as the server into {@code batch}: receivers are flushed when the caller calls
     * {@link FlushBatch#flushAll()}, once for many messages.
     */
    public int publish(Account account, String subject, String reply, byte[] headers, byte[] payload, FlushBatch batch) {
        return account.publish(InboundMessage.internal(subject, reply, headers, payload), this, batch);
    }

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch flush) {
        Handler h = handlers.get(sub);
        if (h == null) return false;
        Msg copy = Msg.copyOf(msg, flush.origin());
        executor.execute(() -> h.onMessage(sub, copy));
        return true;
    }

    @Override
    public boolean echo() {
        return false;
    }

    @Override
    public ConnectionKind kind() {
        return kind;
    }
}
