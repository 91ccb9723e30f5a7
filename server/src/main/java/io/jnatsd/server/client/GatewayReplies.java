package io.jnatsd.server.client;

import io.jnatsd.protocol.client.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Upstream's gateway reply mapping for one client (gwReplyMapping): a request that came from
 * another cluster carries its reply as {@code _GR_.<cluster hash>.<server hash>.<reply>}; the
 * client is shown the plain reply, and for 2 s a message it publishes on that plain reply is
 * published on the routed one instead, which goes straight back to the requester's cluster.
 */
final class GatewayReplies {
    static final byte[] PREFIX = "_GR_.".getBytes(StandardCharsets.US_ASCII);
    /** {@code _GR_.} and two 6-character hashes, each followed by a dot. */
    private static final int SUBJECT_OFFSET = 19;
    /** Upstream's defaultGatewayRecentSubExpiration, which also bounds a reply mapping's life. */
    private static final long TTL_NANOS = 2_000_000_000L;

    private record Routed(String subject, long expires) {}

    private final Map<String, Routed> byReply = new HashMap<>();
    private volatile boolean empty = true;

    /** Whether {@code msg}'s reply is a routed one worth mapping. */
    static boolean routed(InboundMessage msg) {
        return msg.hasReply() && msg.replyStartsWith(PREFIX);
    }

    /** {@code msg} as the client is shown it, the mapping kept. */
    InboundMessage shown(InboundMessage msg) {
        String reply = msg.reply();
        if (reply.length() <= SUBJECT_OFFSET) return msg;
        String plain = reply.substring(SUBJECT_OFFSET);
        synchronized (this) {
            purge(System.nanoTime());
            byReply.put(plain, new Routed(reply, System.nanoTime() + TTL_NANOS));
            empty = false;
        }
        return msg.rewritten(msg.subject(), plain);
    }

    /** The routed subject a publish on {@code subject} goes to, or null. */
    String routedSubject(String subject) {
        if (empty) return null;
        synchronized (this) {
            Routed r = byReply.get(subject);
            if (r == null) return null;
            if (r.expires() - System.nanoTime() <= 0) {
                byReply.remove(subject);
                empty = byReply.isEmpty();
                return null;
            }
            return r.subject();
        }
    }

    private void purge(long now) {
        for (Iterator<Routed> it = byReply.values().iterator(); it.hasNext(); ) {
            if (it.next().expires() - now <= 0) it.remove();
        }
    }
}
