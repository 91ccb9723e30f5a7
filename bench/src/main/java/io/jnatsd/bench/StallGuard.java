package io.jnatsd.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Fails a phase whose progress stops: a count that has not moved for the stall timeout means
 * something was lost (or the server hangs), and waiting longer would only hide it.
 */
final class StallGuard {
    /** A check run while waiting; throws to fail the run. */
    interface Check {
        void run() throws VerificationException;
    }

    private final String phase;
    private final long stallNanos;
    private long last = -1;
    private long lastChange = System.nanoTime();

    StallGuard(String phase, Duration stall) {
        this.phase = phase;
        this.stallNanos = stall.toNanos();
    }

    /** Records the count reached now; throws when it has not changed for the stall timeout. */
    void observe(long count, long target, Supplier<String> state) throws VerificationException {
        long t = System.nanoTime();
        if (count != last) {
            last = count;
            lastChange = t;
        } else if (t - lastChange > stallNanos) {
            throw new VerificationException(phase + ": no progress for " + stallNanos / 1_000_000
                    + " ms at " + count + " of " + target + "; " + state.get());
        }
    }

    /** Polls until {@code progress} reaches {@code target}, running {@code check} on every round. */
    static void await(String phase, Duration stall, long target, LongSupplier progress, Check check,
                      Supplier<String> state) throws VerificationException {
        StallGuard guard = new StallGuard(phase, stall);
        while (true) {
            long now = progress.getAsLong();
            check.run();
            if (now >= target) return;
            guard.observe(now, target, state);
            LockSupport.parkNanos(200_000);
        }
    }
}
