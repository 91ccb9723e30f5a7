package io.jnatsd.server.mqtt;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one connection's packets in order on a virtual thread, so that processing may block on JetStream (storing a
 * QoS 1 message before PUBACK, loading a session at CONNECT) without holding an event loop. {@link #queued()} lets
 * the socket stop reading while a client sends faster than it is served.
 */
final class SerialRunner {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Runnable afterEach;

    SerialRunner(Runnable afterEach) {
        this.afterEach = afterEach;
    }

    void execute(Runnable task) {
        tasks.add(task);
        queued.incrementAndGet();
        if (running.compareAndSet(false, true)) Thread.ofVirtual().name("mqtt-conn").start(this::drain);
    }

    int queued() {
        return queued.get();
    }

    private void drain() {
        while (true) {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    // A task's failure is its own; the tasks behind it still run.
                } finally {
                    queued.decrementAndGet();
                    afterEach.run();
                }
            }
            running.set(false);
            if (tasks.isEmpty() || !running.compareAndSet(false, true)) return;
        }
    }
}
