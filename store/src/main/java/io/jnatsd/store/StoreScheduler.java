package io.jnatsd.store;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread, {@code jnatsd-store-timer}, shared by every store in the JVM for its
 * background work: max_age and TTL expiry, periodic fsync, block compaction. Tasks take their
 * store's write lock, so a slow task delays that store's writer, never another store's.
 */
final class StoreScheduler {

    private static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private StoreScheduler() {
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jnatsd-store-timer");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return e;
    }

    static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(guard(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    static ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long periodNanos) {
        return EXECUTOR.scheduleWithFixedDelay(guard(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** A failing task must not kill the shared thread's periodic schedules: report and go on. */
    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                report(e);
            }
        };
    }

    /** Reports a background failure that must not end the task's loop, as an uncaught one would be. */
    static void report(Throwable e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }

    /** Wall-clock time in nanoseconds since the epoch, as message timestamps use. */
    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
