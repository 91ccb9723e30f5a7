package io.jnatsd.server.jetstream.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void tasksRunInOrderAndAnErrorInOneDoesNotStopTheOnesAfterIt() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "serial-test");
            t.setUncaughtExceptionHandler((th, e) -> reported.add(e));
            return t;
        });
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            serial.execute(() -> ran.add(1));
            serial.execute(() -> {
                throw new OutOfMemoryError("simulated: Direct buffer memory");
            });
            serial.execute(() -> ran.add(3));
            serial.execute(() -> {
                throw new IllegalStateException("simulated");
            });
            serial.execute(() -> {
                ran.add(5);
                done.countDown();
            });
            assertTrue(done.await(5, TimeUnit.SECONDS), "the tasks after the failing ones ran");
            assertEquals(List.of(1, 3, 5), ran);
            assertEquals(2, reported.size());
            assertTrue(reported.get(0) instanceof OutOfMemoryError);
        } finally {
            pool.shutdownNow();
        }
    }
}
