package io.jnatsd.server.jetstream.common;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in order, on a shared executor: a stream's single writer without
 * a thread of its own per stream.
 */
public final class SerialExecutor implements Executor {
    private final Executor pool;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) pool.execute(this::drain);
    }

    private void drain() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                // Reported, and the next task still runs: an error escaping here (an out-of-memory in a
                // consumer's delivery, say) used to leave the executor marked busy, every later task
                // queued behind it for good and the consumer silently stopped.
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
            }
        }
        scheduled.set(false);
        // A task added after the last poll but before the flag cleared must not be stranded.
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) pool.execute(this::drain);
    }
}
