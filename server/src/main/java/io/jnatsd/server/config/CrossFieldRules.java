package io.jnatsd.server.config;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.subject.Subjects;

/**
 * The rules upstream checks across options once the whole configuration is read
 * (server.go's validateOptions and the JetStream part of it), with upstream's messages. The
 * rules of one block (users, TLS files, websocket auth overrides, operators) are checked where
 * that block is built.
 */
public final class CrossFieldRules {
    /** Upstream warns above this payload size. */
    public static final int LARGE_PAYLOAD = 8 * 1024 * 1024;

    private CrossFieldRules() {}

    /** Throws IllegalArgumentException with upstream's text for the first rule broken. */
    public static void check(ServerOptions o) {
        if (!o.lameDuckDuration.isZero() && !o.lameDuckDuration.isNegative()
                && o.lameDuckGracePeriod.compareTo(o.lameDuckDuration) >= 0) {
            throw new IllegalArgumentException("lame duck grace period (" + GoDuration.format(o.lameDuckGracePeriod)
                    + ") should be strictly lower than lame duck duration (" + GoDuration.format(o.lameDuckDuration) + ")");
        }
        if (o.maxPayload > o.maxPending) {
            // a delivered message must fit in a receiver's pending bytes
            throw new IllegalArgumentException("max_payload (" + o.maxPayload + ") cannot be higher than max_pending ("
                    + o.maxPending + ")");
        }
        jetStream(o);
    }

    private static void jetStream(ServerOptions o) {
        String domain = o.jetstreamDomain;
        if (domain != null && !domain.isEmpty()) {
            String api = "$JS." + domain + ".API.>";
            if (!Subjects.isValidSubject(api)) {
                throw new IllegalArgumentException("invalid domain name: derived \"" + api + "\" is not a valid subject");
            }
            if (domain.contains(".") || domain.contains("*") || domain.contains(">")) {
                throw new IllegalArgumentException("invalid domain name: may not contain ., * or >");
            }
        }
        if (!o.jetstream || !o.cluster.enabled()) return;
        if (o.serverName == null || o.serverName.isEmpty()) {
            throw new IllegalArgumentException("jetstream cluster requires `server_name` to be set");
        }
        if (o.cluster.name == null || o.cluster.name.isEmpty()) {
            throw new IllegalArgumentException("jetstream cluster requires `cluster.name` to be set");
        }
    }
}
