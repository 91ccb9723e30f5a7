package io.jnatsd.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The latency workloads' loop (reqrep, kv-put, kv-get): operations one at a time, the warm-up
 * ones untimed, every measured one recorded in an HdrHistogram (1 ns to 60 s, 3 digits).
 */
final class LatencyLoop {
    /** Operation {@code i} (from 0): does it and verifies its outcome. */
    interface Op {
        void run(long i) throws Exception;
    }

    private LatencyLoop() {}

    static Result run(BenchConfig cfg, String serverVersion, Op op) throws Exception {
        long total = cfg.warmup() + cfg.msgs();
        for (long i = 0; i < cfg.warmup(); i++) op.run(i);
        Histogram hist = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long start = System.nanoTime();
        for (long i = cfg.warmup(); i < total; i++) {
            long t0 = System.nanoTime();
            op.run(i);
            hist.recordValue(Math.min(System.nanoTime() - t0, hist.getHighestTrackableValue()));
        }
        return new Result(cfg, serverVersion, System.nanoTime() - start, hist);
    }
}
