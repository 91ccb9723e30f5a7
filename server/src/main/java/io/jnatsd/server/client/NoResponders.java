package io.jnatsd.server.client;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The 503 status a requester is sent when nobody listens to its request. As upstream 2.12 does,
 * it names the request's subject in a {@code Nats-Subject} header, so a client with many
 * requests in flight on one inbox subscription can tell which one found nobody.
 */
final class NoResponders {
    private NoResponders() {
    }

    /**
     * One HMSG with the 503 status, {@code subject} in its Nats-Subject header and no payload, on
     * the requester's own subscription to the reply subject (an exact one preferred over a wildcard, as upstream picks); null without one.
     */
    static byte[] frame(String reply, String subject, Collection<Subscription> requesterSubs) {
        Subscription target = null;
        for (Subscription sub : requesterSubs) {
            if (sub.subject().equals(reply)) {
                target = sub;
                break;
            }
            if (target == null && Subjects.subjectMatchesFilter(reply, sub.subject())) target = sub;
        }
        if (target == null) return null;
        byte[] header = ("NATS/1.0 503\r\nNats-Subject: " + subject + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        String head = "HMSG " + reply + " " + target.sid() + " " + header.length + " " + header.length + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[h.length + header.length + 2];
        System.arraycopy(h, 0, frame, 0, h.length);
        System.arraycopy(header, 0, frame, h.length, header.length);
        frame[frame.length - 2] = '\r';
        frame[frame.length - 1] = '\n';
        return frame;
    }
}
