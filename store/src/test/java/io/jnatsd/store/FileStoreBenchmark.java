package io.jnatsd.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A JMH-free microbenchmark (a main, not a test): appends N small messages to a file store and
 * reports the append rate, the time to reopen from the index snapshot and by scanning the
 * blocks, the random-read rate, a group-commit (sync_always) rate, and the memory store's
 * append rate for comparison.
 *
 * <pre>
 * bin/mvn -q -pl store test-compile
 * java -cp store/target/classes:store/target/test-classes io.jnatsd.store.FileStoreBenchmark [count] [payload] [dir]
 * </pre>
 */
public final class FileStoreBenchmark {

    private FileStoreBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int payloadSize = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        boolean ownRoot = args.length <= 2;
        Path root = ownRoot ? Files.createTempDirectory("jnatsd-store-bench") : Path.of(args[2]);
        byte[] payload = new byte[payloadSize];
        ThreadLocalRandom.current().nextBytes(payload);
        String subject = "bench.orders.created";

        // Warm the JIT up on a throwaway store.
        try (FileStore warm = FileStore.open(root.resolve("warmup"), StoreConfig.builder("W").build())) {
            appendMany(warm, subject, payload, Math.min(count, 300_000));
            warm.delete();
        }

        Path dir = root.resolve("bench");
        FileStore store = FileStore.open(dir, StoreConfig.builder("BENCH").build());
        long t0 = System.nanoTime();
        appendMany(store, subject, payload, count);
        long appendNanos = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        store.sync();
        long syncNanos = System.nanoTime() - t1;
        long onDisk = 0;
        for (Path p : store.blockFiles()) {
            onDisk += Files.size(p);
        }
        int blocks = store.blockFiles().size();

        long t2 = System.nanoTime();
        int reads = Math.min(count, 200_000);
        long sink = 0;
        for (int i = 0; i < reads; i++) {
            sink += store.load(1 + ThreadLocalRandom.current().nextInt(count)).payload().length;
        }
        long readNanos = System.nanoTime() - t2;

        long t3 = System.nanoTime();
        store.close();
        long closeNanos = System.nanoTime() - t3;

        long t4 = System.nanoTime();
        FileStore reopened = FileStore.open(dir);
        long reopenSnapshotNanos = System.nanoTime() - t4;
        check(reopened, count, true);
        reopened.close();
        Files.delete(dir.resolve("msgs").resolve(StoreSummary.NAME));
        long t5 = System.nanoTime();
        FileStore scanned = FileStore.open(dir);
        long reopenScanNanos = System.nanoTime() - t5;
        check(scanned, count, false);
        scanned.delete();

        int groupCount = Math.min(count, 200_000);
        int batch = 100;
        FileStore group = FileStore.open(root.resolve("group"), StoreConfig.builder("G").syncAlways(true).build());
        long t6 = System.nanoTime();
        for (int i = 0; i < groupCount; i += batch) {
            appendMany(group, subject, payload, batch);
            group.sync();
        }
        long groupNanos = System.nanoTime() - t6;
        group.delete();

        MemoryStore memory = MemoryStore.create(StoreConfig.builder("M").storage(StorageType.MEMORY).build());
        appendMany(memory, subject, payload, Math.min(count, 300_000));
        memory.purge();
        long t7 = System.nanoTime();
        appendMany(memory, subject, payload, count);
        long memoryNanos = System.nanoTime() - t7;
        memory.close();

        if (ownRoot) {
            FileConsumerStore.deleteDirectory(root);
        }
        System.out.printf(Locale.ROOT, "file store, %,d messages of %d bytes (subject %d bytes), %d blocks, %,d bytes on disk%n",
                count, payloadSize, subject.length(), blocks, onDisk);
        System.out.printf(Locale.ROOT, "  append:                 %,12.0f msgs/s  (%.1f MB/s of records, %.0f ns/msg)%n",
                rate(count, appendNanos), onDisk / (appendNanos / 1e9) / 1e6, (double) appendNanos / count);
        System.out.printf(Locale.ROOT, "  fsync after append:     %8.1f ms%n", syncNanos / 1e6);
        System.out.printf(Locale.ROOT, "  random load():          %,12.0f msgs/s%n", rate(reads, readNanos));
        System.out.printf(Locale.ROOT, "  close (index snapshot): %8.1f ms%n", closeNanos / 1e6);
        System.out.printf(Locale.ROOT, "  reopen from index.db:   %8.1f ms%n", reopenSnapshotNanos / 1e6);
        System.out.printf(Locale.ROOT, "  reopen by block scan:   %8.1f ms%n", reopenScanNanos / 1e6);
        System.out.printf(Locale.ROOT, "  sync_always, fsync per %d appends: %,10.0f msgs/s%n", batch,
                rate(groupCount, groupNanos));
        System.out.printf(Locale.ROOT, "memory store append:      %,12.0f msgs/s%n", rate(count, memoryNanos));
        if (sink == 42) {
            System.out.println();
        }
    }

    private static void appendMany(StreamStore store, String subject, byte[] payload, int n) {
        for (int i = 0; i < n; i++) {
            store.store(subject, null, payload, 0);
        }
    }

    private static void check(FileStore store, int count, boolean fromSnapshot) {
        if (store.state().msgs() != count || store.recoveryReport().usedIndexSnapshot() != fromSnapshot) {
            throw new IllegalStateException("unexpected recovery: " + store.state() + " " + store.recoveryReport());
        }
    }

    private static double rate(long n, long nanos) {
        return n / (nanos / 1e9);
    }
}
