package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.GoTime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A consumer's {@code pause_until} (upstream 2.11): while that time lies ahead the consumer
 * delivers nothing (pull requests wait, or expire), and a timer wakes it when the time passes,
 * so delivery resumes without anyone asking. The deadline is part of the config, so a pause
 * outlives a restart. Guarded by the consumer's lock.
 */
final class ConsumerPause {
    private static final long CLOCK_SLACK_NANOS = 10_000_000L;

    /** Epoch nanoseconds; 0 when not paused. */
    private long until;
    private ScheduledFuture<?> timer;

    /**
     * Takes the config's {@code pause_until} (null or zero: not paused). {@code ended} runs on
     * the timer thread when a future deadline passes.
     */
    void set(String pauseUntil, ScheduledExecutorService timers, Runnable ended) {
        cancel();
        until = pauseUntil == null ? 0 : GoTime.deadline(pauseUntil);
        long delay = until - GoTime.nowNanos();
        if (until != 0 && delay > 0) timer = timers.schedule(ended, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * The timer fired: the pause is over, unless a newer deadline was set meanwhile. The wall
     * clock may trail the timer by a little, so a deadline that close counts as reached.
     */
    boolean end() {
        if (until != 0 && until - GoTime.nowNanos() > CLOCK_SLACK_NANOS) return false;
        until = 0;
        timer = null;
        return true;
    }

    boolean active() {
        return remaining() > 0;
    }

    /** Nanoseconds until delivery resumes; 0 when not paused. */
    long remaining() {
        return until == 0 ? 0 : Math.max(0, until - GoTime.nowNanos());
    }

    void cancel() {
        if (timer != null) timer.cancel(false);
        timer = null;
    }
}
