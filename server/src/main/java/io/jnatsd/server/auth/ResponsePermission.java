package io.jnatsd.server.auth;

import java.time.Duration;

/**
 * {@code allow_responses}: a service may publish to the reply subjects of requests it received,
 * at most {@code maxMsgs} times each, within {@code expires} (upstream defaults 1 and 2m).
 */
public record ResponsePermission(int maxMsgs, Duration expires) {
    public static final ResponsePermission DEFAULT = new ResponsePermission(1, Duration.ofMinutes(2));
}
