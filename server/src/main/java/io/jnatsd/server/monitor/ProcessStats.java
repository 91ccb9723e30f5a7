package io.jnatsd.server.monitor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process's resident memory and CPU use, as upstream's /varz {@code mem} and {@code cpu}:
 * RSS in bytes, and the CPU time used over the last sampling period (at least a second) as a
 * percentage of one core.
 */
final class ProcessStats {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final long MIN_PERIOD_NANOS = 1_000_000_000L;

    private final com.sun.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean b ? b : null;
    private long lastWallNanos;
    private long lastCpuNanos;
    private double cpu;

    ProcessStats() {
        lastWallNanos = System.nanoTime();
        lastCpuNanos = cpuTime();
        // Until a full period has passed, report the average since the JVM started.
        long up = ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        cpu = up > 0 && lastCpuNanos > 0 ? round(100.0 * lastCpuNanos / up) : 0;
    }

    /** CPU use in percent of one core (may exceed 100 on several cores). */
    synchronized double cpuPercent() {
        long now = System.nanoTime();
        if (now - lastWallNanos >= MIN_PERIOD_NANOS) {
            long used = cpuTime();
            cpu = round(100.0 * Math.max(0, used - lastCpuNanos) / (now - lastWallNanos));
            lastWallNanos = now;
            lastCpuNanos = used;
        }
        return cpu;
    }

    /** Resident set size in bytes (the JVM's committed memory where /proc is not available). */
    long residentBytes() {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory();
    }

    private long cpuTime() {
        return os == null ? 0 : Math.max(0, os.getProcessCpuTime());
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
