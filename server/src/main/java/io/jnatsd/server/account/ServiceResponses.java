package io.jnatsd.server.account;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.FlushBatch;
import io.jnatsd.server.core.Subscriber;
import io.jnatsd.server.core.Subscription;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Routes responses of a service import back to the requester. A request crossing into the
 * exporting account gets a reply subject of its own, {@code _R_.<token>.<n>}, which this
 * router subscribes to there; a response published to it is delivered in the importing
 * account on the requester's original reply subject. A singleton export takes one response;
 * stream and chunked exports take any number until the response threshold passes.
 *
 * <p>A response that carries a reply of its own (the responder asking back) crosses with that
 * reply mapped the same way by the opposite router, which listens in the importing account and
 * routes to this one's: so a conversation goes back and forth across the import as upstream's
 * response service imports carry it, and neither side sees the other account's subjects.
 */
final class ServiceResponses implements Subscriber {
    private static final byte[] JS_ACK_PREFIX = "$JS.ACK.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private record Pending(Account requesterAccount, String reply, boolean singleton, long expiresNanos) {}

    private final String prefix;
    private final long thresholdNanos;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();
    private Account home;
    private ServiceResponses opposite;

    ServiceResponses(long thresholdNanos) {
        SecureRandom rnd = new SecureRandom();
        StringBuilder token = new StringBuilder("_R_.");
        for (int i = 0; i < 8; i++) token.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        this.prefix = token.append('.').toString();
        this.thresholdNanos = thresholdNanos;
    }

    /**
     * Pairs two routers of one import: {@code a} listening in {@code aHome}, {@code b} in
     * {@code bHome}; each maps the replies of what it delivers through the other.
     */
    static void pair(ServiceResponses a, Account aHome, ServiceResponses b, Account bHome) {
        a.home = aHome;
        a.opposite = b;
        b.home = bHome;
        b.opposite = a;
    }

    /** The wildcard subject this router listens on in its account. */
    String subscriptionSubject() {
        return prefix + ">";
    }

    /** Registers a reply to be answered in {@code requesterAccount}; returns the subject that stands for it here. */
    String register(Account requesterAccount, String reply, boolean singleton) {
        long now = System.nanoTime();
        if ((next.get() & 1023) == 0) pending.values().removeIf(p -> now - p.expiresNanos() > 0);
        String mapped = prefix + Long.toString(next.incrementAndGet(), 36);
        pending.put(mapped, new Pending(requesterAccount, reply, singleton, now + thresholdNanos));
        return mapped;
    }

    @Override
    public boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        String subject = msg.subject();
        Pending p = pending.get(subject);
        if (p == null) return false;
        if (System.nanoTime() - p.expiresNanos() > 0) {
            pending.remove(subject);
            return false;
        }
        if (p.singleton()) pending.remove(subject);
        if (!ImportDepth.enter()) return false;
        try {
            String reply = !msg.hasReply() ? null
                    : keepsReply(msg) ? msg.reply()
                    : opposite == null ? null
                    : opposite.register(home, msg.reply(), p.singleton());
            return p.requesterAccount().publish(msg.rewritten(p.reply(), reply), null, batch) > 0;
        } finally {
            ImportDepth.exit();
        }
    }

    /**
     * Whether a message crossing accounts keeps its reply as it is: a JetStream ack subject
     * (a pull delivery answering a request that came through an import) is left unmapped, as
     * upstream leaves it, so that the importer's client acks on the exporter's ack subject.
     */
    static boolean keepsReply(InboundMessage msg) {
        return msg.replyStartsWith(JS_ACK_PREFIX);
    }

    @Override
    public ConnectionKind kind() {
        return ConnectionKind.SYSTEM;
    }

    @Override
    public boolean echo() {
        return true;
    }

    int pendingCount() {
        return pending.size();
    }
}
