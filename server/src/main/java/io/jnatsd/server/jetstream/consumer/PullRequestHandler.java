package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.StatusHeaders;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How a pull consumer answers CONSUMER.MSG.NEXT (upstream's processNextMsgReq and
 * processWaiting): a request is refused with upstream's status or queued in
 * {@link PullRequests}; a timer expires waiting requests and sends their heartbeats; the
 * consumer's {@link PriorityGroups} decide which waiting request takes the next message; when
 * the consumer is deleted, every waiting request is told. Guarded by the consumer's lock, like
 * the queue, which the consumer's delivery shares.
 */
final class PullRequestHandler {
    private final Consumer consumer;
    /** Null for a push consumer. */
    private final PullRequests waiting;
    private final AckTracker acks;
    private final PriorityGroups priority;
    private ScheduledFuture<?> waitTimer;
    private long waitTimerAt;

    PullRequestHandler(Consumer consumer, PullRequests waiting, AckTracker acks) {
        this.consumer = consumer;
        this.waiting = waiting;
        this.acks = acks;
        this.priority = new PriorityGroups(consumer.js().timers(), () -> consumer.run(this::pinTimedOut), pinAdvice);
    }

    /** A CONSUMER.MSG.NEXT request (or the request part of +NXT). */
    void nextRequest(String reply, byte[] body) {
        if (reply == null || reply.isEmpty()) return;
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            ConsumerConfig cfg = consumer.config();
            if (cfg.isPush()) {
                sendStatus(reply, "409 Consumer is push based");
                return;
            }
            PullRequests.Parsed req = PullRequests.parse(body);
            if (req.error() != null) {
                sendStatus(reply, "400 " + req.error());
                return;
            }
            String overLimit = PullRequests.overLimits(req, cfg);
            if (overLimit != null) {
                sendStatus(reply, overLimit);
                return;
            }
            String refused = priority.admitRequest(cfg, req.group());
            if (refused != null) {
                sendStatus(reply, refused);
                return;
            }
            long now = System.nanoTime();
            if (waiting.isFull()) processWaiting(false);
            if (req.noWait()) {
                long msgsPending = consumer.numPending() + acks.queuedCount();
                if (msgsPending == 0 && req.expiresNanos() == 0) {
                    waiting.lastActivity = now;
                    sendStatus(reply, "404 No Messages");
                    return;
                }
                if (msgsPending > 0 && msgsPending < processWaiting(false)) {
                    waiting.lastActivity = now;
                    sendStatus(reply, "408 Requests Pending");
                    return;
                }
            }
            PullRequests.Request wr = new PullRequests.Request(reply, req, now);
            if (!waiting.add(wr, now, cfg.isPrioritized())) {
                sendStatus(reply, "409 Exceeded MaxWaiting");
                return;
            }
            scheduleWaitTimer(wr.expiresAt);
            scheduleWaitTimer(wr.nextHeartbeatAt);
        }
        consumer.signal();
    }

    /** Requests that expired or lost interest go; due heartbeats are sent; the timer re-armed. Lock held. */
    long processWaiting(boolean endOfStream) {
        if (waiting == null || waiting.isEmpty()) return 0;
        long[] next = new long[1];
        long wanted = waiting.expire(endOfStream, System.nanoTime(), consumer::hasInterest, replies, next);
        if (next[0] != 0) scheduleWaitTimer(next[0]);
        return wanted;
    }

    /** INFO's num_waiting, once what expired is gone. Lock held. */
    int numWaiting() {
        processWaiting(false);
        return waiting.size();
    }

    /**
     * upstream's nextWaiting: the waiting request that takes a message of {@code size} bytes,
     * or null when none may now. Lock held.
     */
    PullRequests.Request take(long size) {
        ConsumerConfig cfg = consumer.config();
        return waiting.take(size, System.nanoTime(), consumer::hasInterest, replies,
                r -> priority.admit(r, cfg, consumer.numPending() + 1, acks.pendingCount()), cfg.isPrioritized());
    }

    /** Statuses and heartbeats to pull requests' inboxes. */
    final PullRequests.Replies replies = new PullRequests.Replies() {
        @Override
        public void status(String reply, String status, long pendingMessages, long pendingBytes) {
            consumer.publishEmpty(reply, StatusHeaders.status(status, pendingMessages, pendingBytes));
        }

        @Override
        public void heartbeat(String reply) {
            consumer.sendHeartbeat(reply);
        }
    };

    private void scheduleWaitTimer(long at) {
        if (at == 0) return;
        if (waitTimer != null && !waitTimer.isDone() && waitTimerAt - at <= 0) return;
        if (waitTimer != null) waitTimer.cancel(false);
        waitTimerAt = at;
        long delay = Math.max(at - System.nanoTime(), 500_000L);
        waitTimer = consumer.js().timers().schedule(() -> consumer.run(this::waitTimerFired), delay, TimeUnit.NANOSECONDS);
    }

    private void waitTimerFired() {
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            waitTimer = null;
            processWaiting(true);
        }
    }

    /** Releases waiting requests when the consumer goes away (409 Consumer Deleted). Lock held. */
    void releaseRequests() {
        if (waiting == null) return;
        for (PullRequests.Request wr : waiting.drain()) sendStatus(wr.reply, "409 Consumer Deleted");
    }

    /** The consumer stops. Lock held. */
    void stop() {
        if (waitTimer != null) waitTimer.cancel(false);
        priority.clear();
    }

    private void sendStatus(String subject, String status) {
        consumer.publishEmpty(subject, StatusHeaders.status(status));
    }

    // ---- priority groups ----

    /** The pin id delivered messages carry (Nats-Pin-Id). Lock held. */
    String pinId() {
        return priority.pinId();
    }

    /** The priority policy is no longer pinned_client: the pin goes without a word. Lock held. */
    void clearPin() {
        priority.clear();
    }

    /** INFO's priority_groups, or null. Lock held. */
    List<Map<String, Object>> priorityGroups() {
        return priority.state(consumer.config());
    }

    private void pinTimedOut() {
        synchronized (consumer) {
            if (consumer.isStopped() || !priority.expire(consumer.config())) return;
        }
        consumer.signal();
    }

    /** CONSUMER.UNPIN of one of the consumer's groups: the next request served gets the pin. */
    void unpin(String group) {
        synchronized (consumer) {
            if (consumer.isStopped()) return;
            priority.unpin(group);
        }
        consumer.signal();
    }

    private final PriorityGroups.Advice pinAdvice = new PriorityGroups.Advice() {
        @Override
        public void pinned(String group, String pinId) {
            consumer.advise("PINNED", "consumer_group_pinned", "account", accountName(), "group", group, "pinned_id", pinId);
        }

        @Override
        public void unpinned(String group, String reason) {
            consumer.advise("UNPINNED", "consumer_group_unpinned", "account", accountName(), "group", group, "reason", reason);
        }

        private String accountName() {
            return consumer.stream().account().name();
        }
    };
}
