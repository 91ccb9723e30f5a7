package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.stream.Advisories;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A pull consumer's priority policy (nats-server 2.11): which waiting request may take the next
 * message. With {@code overflow} a request that names {@code min_pending} or
 * {@code min_ack_pending} waits until the consumer is that far behind; with
 * {@code pinned_client} the first request served pins its client (a pin id it must send with
 * every later request), the others wait until the pin is released by the admin (UNPIN) or
 * times out after {@code priority_timeout} without a pull from the pinned client. As upstream,
 * only the first configured group carries a pin. With {@code prioritized} (2.12) every request
 * may be served; {@link PullRequests} orders them by their priority. Guarded by the consumer's lock.
 */
final class PriorityGroups {
    /** What a waiting request may do with the next message. */
    enum Verdict { SERVE, SKIP, REFUSE }

    /** Announces pins (upstream's consumer_group_pinned/unpinned advisories). */
    interface Advice {
        void pinned(String group, String pinId);

        void unpinned(String group, String reason);
    }

    /** Slack for a timer that fires a hair before the time it was set for. */
    private static final long TIMER_SLACK_NANOS = 1_000_000L;

    private final ScheduledExecutorService timers;
    /** Runs on the timer thread when the pin may have timed out; the consumer then calls {@link #expire}. */
    private final Runnable pinTimeout;
    private final Advice advice;
    private String pinId = "";
    /** When the pin was given, epoch nanos (INFO's pinned_ts); 0 when there is no pin. */
    private long pinnedAt;
    /** When the pinned client last pulled, {@link System#nanoTime()}. */
    private long lastPull;
    private ScheduledFuture<?> timer;

    PriorityGroups(ScheduledExecutorService timers, Runnable pinTimeout, Advice advice) {
        this.timers = timers;
        this.pinTimeout = pinTimeout;
        this.advice = advice;
    }

    /**
     * upstream's checks of a new pull request (its status when refused, or null); a request of
     * the pinned client keeps the pin alive. {@code group} is null for a request that is not JSON.
     */
    String admitRequest(ConsumerConfig cfg, PullRequests.Group group) {
        if (group != null) {
            if ((group.minPending() != 0 || group.minAckPending() != 0) && !cfg.isOverflow()) {
                return "400 Bad Request - Not a Overflow Priority consumer";
            }
            if (!group.id().isEmpty() && !cfg.isPinnedClient()) return "400 Bad Request - Not a Pinned Client Priority consumer";
            // checked whatever the policy, as upstream; only prioritized then uses it
            if (group.priority() < 0 || group.priority() > 9) return "400 Bad Request - Priority must be between 0 and 9";
        }
        if (!cfg.hasPriorityPolicy()) return null;
        // upstream skips these checks for a request that is not JSON (and then trips over it):
        // here it has no group, which is what it is
        if (group == null || group.name().isEmpty()) return "400 Bad Request - Priority Group missing";
        if (!cfg.priorityGroups.contains(group.name())) return "400 Bad Request - Invalid Priority Group";
        if (!pinId.isEmpty()) {
            if (group.id().equals(pinId)) armTimer(cfg.priorityTimeout);
            else if (!group.id().isEmpty()) return "423 Nats-Pin-Id mismatch";
        }
        return null;
    }

    /**
     * upstream's nextWaiting rules for one request: whether it takes the next message, waits
     * (moves to the back) or is turned away (423 Nats-Wrong-Pin-Id, an old pin). Serving the
     * first request while nobody is pinned pins it. {@code numPending}: messages left to deliver
     * counting the one at hand; {@code ackPending}: deliveries awaiting their ack.
     */
    Verdict admit(PullRequests.Request wr, ConsumerConfig cfg, long numPending, int ackPending) {
        if (cfg.isPinnedClient()) {
            if (pinId.isEmpty()) {
                if (!wr.pinId.isEmpty()) return Verdict.REFUSE;
                pin(wr, cfg);
            } else if (!wr.pinId.equals(pinId)) {
                return wr.pinId.isEmpty() ? Verdict.SKIP : Verdict.REFUSE;
            }
        } else if (cfg.isOverflow() && wr.group != null) {
            long minPending = wr.group.minPending();
            long minAckPending = wr.group.minAckPending();
            // Either threshold reached is enough (upstream from 2.12 on; 2.11 wanted both)
            boolean limited = minPending > 0 || minAckPending > 0;
            boolean reached = (minPending > 0 && numPending >= minPending)
                    || (minAckPending > 0 && ackPending >= minAckPending);
            if (limited && !reached) return Verdict.SKIP;
        }
        return Verdict.SERVE;
    }

    private void pin(PullRequests.Request wr, ConsumerConfig cfg) {
        pinId = Advisories.id();
        pinnedAt = GoTime.nowNanos();
        wr.pinId = pinId;
        armTimer(cfg.priorityTimeout);
        advice.pinned(cfg.priorityGroups.get(0), pinId);
    }

    /** The pin id delivered messages carry (Nats-Pin-Id), or "" when nobody is pinned. */
    String pinId() {
        return pinId;
    }

    /** CONSUMER.UNPIN: the pin goes; the next request served pins its client. */
    void unpin(String group) {
        clear();
        advice.unpinned(group, "admin");
    }

    /** The pin timer fired: the pin goes if its client has not pulled for priority_timeout. */
    boolean expire(ConsumerConfig cfg) {
        if (pinId.isEmpty() || System.nanoTime() - lastPull < cfg.priorityTimeout - TIMER_SLACK_NANOS) return false;
        clear();
        advice.unpinned(cfg.priorityGroups.get(0), "timeout");
        return true;
    }

    /** Forgets the pin without a word (the policy changed, or the consumer stops). */
    void clear() {
        pinId = "";
        pinnedAt = 0;
        if (timer != null) timer.cancel(false);
        timer = null;
    }

    private void armTimer(long ttlNanos) {
        lastPull = System.nanoTime();
        if (timer != null) timer.cancel(false);
        timer = timers.schedule(pinTimeout, ttlNanos, TimeUnit.NANOSECONDS);
    }

    /** INFO's priority_groups: the (first) group with its pin, as upstream lists it; null without groups. */
    List<Map<String, Object>> state(ConsumerConfig cfg) {
        if (cfg.priorityGroups == null || cfg.priorityGroups.isEmpty()) return null;
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("group", cfg.priorityGroups.get(0));
        if (!pinId.isEmpty()) g.put("pinned_client_id", pinId);
        g.put("pinned_ts", GoTime.rfc3339Nano(pinnedAt)); // Go writes the zero time when unpinned
        return List.of(g);
    }
}
