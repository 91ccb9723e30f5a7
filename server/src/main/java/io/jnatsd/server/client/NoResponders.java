package io.jnatsd.server.client;

import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.core.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/** The 503 status a requester is sent when nobody listens to its request. */
final class NoResponders {
    private static final byte[] HEADER = "NATS/1.0 503\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private NoResponders() {
    }

    /**
     * One HMSG with the 503 status and no payload, on the requester's own subscription to the
     * reply subject (an exact one preferred over a wildcard, as upstream picks); null without one.
     */
    static byte[] frame(String reply, Collection<Subscription> requesterSubs) {
        Subscription target = null;
        for (Subscription sub : requesterSubs) {
            if (sub.subject().equals(reply)) {
                target = sub;
                break;
            }
            if (target == null && Subjects.subjectMatchesFilter(reply, sub.subject())) target = sub;
        }
        if (target == null) return null;
        byte[] head = ("HMSG " + reply + " " + target.sid() + " " + HEADER.length + " " + HEADER.length + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[head.length + HEADER.length + 2];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(HEADER, 0, frame, head.length, HEADER.length);
        frame[frame.length - 2] = '\r';
        frame[frame.length - 1] = '\n';
        return frame;
    }
}
