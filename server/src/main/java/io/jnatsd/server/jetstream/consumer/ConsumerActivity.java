package io.jnatsd.server.jetstream.consumer;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whether a consumer is in use, as upstream judges it: a push consumer is active while its
 * deliver subject has a subscriber (push_bound) and sends idle heartbeats there while nothing
 * is delivered; a deliver subject's last subscriber leaving is heard of at once (through the
 * account's interest events, {@code JetStream.interestChanged}) and starts a timer to the
 * inactive_threshold, and the periodic housekeeping pass notices interest coming back and
 * deletes a consumer unused past its threshold (a pull consumer's requests and any consumer's
 * acks count as use). Guarded by the consumer's lock.
 */
final class ConsumerActivity {
    private final Consumer consumer;
    /** Null for a push consumer. */
    private final PullRequests waiting;
    private final PullRequestHandler pull;
    private boolean active = true;
    private long inactiveSince;
    private ScheduledFuture<?> heartbeatTimer;
    private ScheduledFuture<?> inactivityTimer;
    private boolean deliveredSinceHeartbeat;

    ConsumerActivity(Consumer consumer, PullRequests waiting, PullRequestHandler pull, long now) {
        this.consumer = consumer;
        this.waiting = waiting;
        this.pull = pull;
        this.inactiveSince = now;
    }

    /** Whether a push consumer's deliver subject had a subscriber at the last look. Lock held. */
    boolean active() {
        return active;
    }

    /** A push consumer starts: looks for interest and starts its idle heartbeats. Lock held. */
    void start() {
        ConsumerConfig cfg = consumer.config();
        lookForInterest();
        if (cfg.idleHeartbeat > 0) startHeartbeats(cfg.idleHeartbeat);
    }

    /** Looks at a push consumer's deliver subject again (start, config update). Lock held. */
    void lookForInterest() {
        active = consumer.hasInterest(consumer.config().deliverSubject);
    }

    /** Nobody takes a push consumer's deliveries any more. Lock held. */
    void lostInterest() {
        if (active) becameInactive(System.nanoTime());
    }

    /** Looks at a push consumer's deliver subject now; true when interest came back. Lock held. */
    boolean refreshInterest(long now) {
        boolean interest = consumer.hasInterest(consumer.config().deliverSubject);
        if (interest && !active) {
            active = true;
            cancelInactivityTimer();
            return true;
        } else if (!interest && active) {
            becameInactive(now);
        }
        return false;
    }

    /**
     * The deliver subject lost its last subscriber: the deletion is timed from now, to the
     * threshold, as upstream's timer is (the housekeeping pass stays as a backstop). Lock held.
     */
    private void becameInactive(long now) {
        active = false;
        inactiveSince = now;
        long threshold = deleteThreshold();
        if (threshold > 0) {
            cancelInactivityTimer();
            inactivityTimer = consumer.js().timers().schedule(consumer::inactivityDue, threshold, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelInactivityTimer() {
        if (inactivityTimer != null) {
            inactivityTimer.cancel(false);
            inactivityTimer = null;
        }
    }

    /** Periodic housekeeping: push interest and the inactivity threshold. Returns true to delete. */
    boolean tick(long now) {
        boolean wake = false;
        synchronized (consumer) {
            if (consumer.isStopped()) return false;
            long threshold = deleteThreshold();
            if (consumer.config().isPush()) {
                wake = refreshInterest(now);
                if (!active && threshold > 0 && now - inactiveSince >= threshold) return true;
            } else if (threshold > 0 && now - waiting.lastActivity > threshold) {
                pull.processWaiting(true);
                if (waiting.isEmpty()) return true;
                waiting.lastActivity = now;
            }
        }
        if (wake) consumer.signal();
        return false;
    }

    private long deleteThreshold() {
        ConsumerConfig cfg = consumer.config();
        if (!cfg.isDurable() && cfg.inactiveThreshold <= 0) return ConsumerConfigs.DEFAULT_INACTIVE_THRESHOLD_NANOS;
        return Math.max(cfg.inactiveThreshold, 0);
    }

    /** Acks count as activity: they push back the inactivity deletion. Lock held. */
    void suppressDeletion() {
        long now = System.nanoTime();
        if (consumer.config().isPush()) inactiveSince = now;
        else waiting.lastActivity = now;
    }

    /** A message went out: the next idle heartbeat is skipped. Lock held. */
    void delivered() {
        deliveredSinceHeartbeat = true;
    }

    private void startHeartbeats(long hb) {
        heartbeatTimer = consumer.js().timers().scheduleAtFixedRate(() -> consumer.run(this::heartbeatFired), hb, hb,
                TimeUnit.NANOSECONDS);
    }

    private void heartbeatFired() {
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            if (deliveredSinceHeartbeat) {
                deliveredSinceHeartbeat = false;
                return;
            }
            if (active) consumer.sendHeartbeat(consumer.config().deliverSubject);
        }
    }

    /** The consumer stops. Lock held. */
    void stop() {
        if (heartbeatTimer != null) heartbeatTimer.cancel(false);
        cancelInactivityTimer();
    }
}
