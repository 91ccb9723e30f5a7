package io.jnatsd.store;

import static io.jnatsd.store.FileStoreRecoveryTest.copyTree;
import static io.jnatsd.store.FileStoreRecoveryTest.flipByte;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The file store after a clean close opens from its summary and loads each block's message
 * index when something first reads the block. Every test runs the same operations on a
 * {@link MemoryStore} (the model) and checks that the file store answers every question the
 * same way, whichever blocks happen to be loaded, and after the summary or an index file is
 * missing, damaged or stale.
 */
class LazyFileStoreTest {

    private static final String[] SUBJECTS = {"lazy.a.1", "lazy.a.2", "lazy.b.1", "lazy.b.2", "lazy.c", "other.x",
        "other.y"};
    private static final String[] FILTERS = {">", "lazy.a.1", "lazy.c", "other.y", "lazy.*.1", "lazy.>", "*.x",
        "lazy.b.*", "nothing.here"};

    @TempDir
    Path tmp;

    private static StoreConfig config(StorageType storage, StoreCompression compression) {
        return StoreConfig.builder("LAZY").storage(storage).blockSize(1024).maxMsgsPerSubject(40)
                .compression(compression).build();
    }

    private static MemoryStore model(StoreCompression compression) {
        return MemoryStore.create(config(StorageType.MEMORY, compression));
    }

    private static byte[] payload(long i) {
        byte[] p = new byte[(int) (i * 13 % 40)];
        for (int k = 0; k < p.length; k++) {
            p[k] = (byte) (i + k);
        }
        return p;
    }

    private static byte[] headers(long i) {
        return i % 5 == 0 ? ("NATS/1.0\r\nI: " + i + "\r\n\r\n").getBytes() : null;
    }

    private static void storeBoth(StreamStore a, StreamStore b, Random r, int count) {
        for (int k = 0; k < count; k++) {
            long i = r.nextLong(1_000_000);
            String subject = SUBJECTS[r.nextInt(SUBJECTS.length)];
            assertEquals(a.store(subject, headers(i), payload(i), 0).seq(),
                    b.store(subject, headers(i), payload(i), 0).seq());
        }
    }

    private static FileStore reopen(Path dir, boolean expectLazy) {
        FileStore fs = FileStore.open(dir);
        assertEquals(expectLazy, fs.recoveryReport().usedIndexSnapshot(), fs.recoveryReport().toString());
        if (expectLazy) {
            // The open read no block index at all (an empty tail has none to read).
            assertTrue(fs.unloadedBlocks() >= fs.blockFiles().size() - 1,
                    fs.unloadedBlocks() + " of " + fs.blockFiles().size() + " blocks unloaded");
        }
        return fs;
    }

    /** Every question the stream layer asks, compared with the model. */
    static void assertSameAnswers(StreamStore model, StreamStore fs) {
        StreamState m = model.state(true);
        StreamState f = fs.state(true);
        assertEquals(m.msgs(), f.msgs(), "msgs");
        assertEquals(m.firstSeq(), f.firstSeq(), "first");
        assertEquals(m.lastSeq(), f.lastSeq(), "last");
        assertEquals(m.numDeleted(), f.numDeleted(), "deleted");
        assertArrayEquals(m.deleted(), f.deleted(), "deleted sequences");
        assertEquals(m.numSubjects(), f.numSubjects(), "subjects");
        for (String filter : FILTERS) {
            assertEquals(model.subjectsState(filter), fs.subjectsState(filter), "subjects of " + filter);
            assertEquals(walk(model, filter, true), walk(fs, filter, true), "forward walk of " + filter);
            assertEquals(walk(model, filter, false), walk(fs, filter, false), "backward walk of " + filter);
            for (long start = Math.max(1, m.firstSeq() - 1); start <= m.lastSeq() + 1; start += 17) {
                assertEquals(model.filteredState(start, filter), fs.filteredState(start, filter),
                        "filtered state of " + filter + " from " + start);
                assertEquals(model.numPending(start, filter, true), fs.numPending(start, filter, true),
                        "last-per-subject pending of " + filter + " from " + start);
            }
        }
        for (long seq = Math.max(1, m.firstSeq() - 2); seq <= m.lastSeq() + 2; seq++) {
            StoredMessage a = model.load(seq);
            StoredMessage b = fs.load(seq);
            if (a == null) {
                assertNull(b, "message " + seq + " should be gone");
            } else {
                assertEquals(a.subject(), b.subject(), "subject of " + seq);
                assertArrayEquals(a.headers(), b.headers(), "headers of " + seq);
                assertArrayEquals(a.payload(), b.payload(), "payload of " + seq);
            }
        }
    }

    private static List<Long> walk(StreamStore s, String filter, boolean forward) {
        List<Long> seqs = new ArrayList<>();
        if (forward) {
            for (StoredMessage m = s.loadNext(filter, 0); m != null; m = s.loadNext(filter, m.seq() + 1)) {
                seqs.add(m.seq());
            }
        } else {
            for (StoredMessage m = s.loadLast(filter); m != null; m = s.loadPrev(filter, m.seq() - 1)) {
                seqs.add(m.seq());
                if (m.seq() == 1) {
                    break;
                }
            }
        }
        return seqs;
    }

    /** One of the stream layer's questions, asked first after a lazy open, so each loads blocks its own way. */
    private static void firstQuestion(StreamStore model, StreamStore fs, Random r) {
        String filter = FILTERS[r.nextInt(FILTERS.length)];
        long last = model.state().lastSeq();
        long seq = 1 + r.nextLong(Math.max(1, last));
        switch (r.nextInt(6)) {
            case 0 -> assertEquals(seqOf(model.loadNext(filter, seq)), seqOf(fs.loadNext(filter, seq)));
            case 1 -> assertEquals(seqOf(model.loadPrev(filter, seq)), seqOf(fs.loadPrev(filter, seq)));
            case 2 -> assertEquals(model.filteredState(seq, filter), fs.filteredState(seq, filter));
            case 3 -> assertEquals(model.numPending(seq, filter, false), fs.numPending(seq, filter, false));
            case 4 -> assertEquals(model.remove(seq), fs.remove(seq), "remove " + seq);
            default -> assertEquals(model.purge(filter, seq, 3), fs.purge(filter, seq, 3), "purge " + filter);
        }
    }

    private static long seqOf(StoredMessage m) {
        return m == null ? -1 : m.seq();
    }

    @ParameterizedTest
    @EnumSource(StoreCompression.class)
    void randomOperationsAcrossLazyReopensMatchTheModel(StoreCompression compression) {
        Path dir = tmp.resolve("random");
        Random r = new Random(16);
        try (MemoryStore model = model(compression)) {
            try (FileStore fs = FileStore.open(dir, config(StorageType.FILE, compression))) {
                storeBoth(model, fs, r, 400);
            }
            for (int round = 0; round < 6; round++) {
                try (FileStore fs = reopen(dir, true)) {
                    firstQuestion(model, fs, r);
                    for (int op = 0; op < 60; op++) {
                        int kind = r.nextInt(10);
                        long last = model.state().lastSeq();
                        if (kind < 5) {
                            storeBoth(model, fs, r, 1);
                        } else if (kind < 8) {
                            long seq = 1 + r.nextLong(last);
                            assertEquals(model.remove(seq), fs.remove(seq), "remove " + seq);
                        } else if (kind == 8) {
                            long seq = 1 + r.nextLong(last);
                            assertEquals(model.erase(seq), fs.erase(seq), "erase " + seq);
                        } else {
                            String filter = FILTERS[r.nextInt(FILTERS.length)];
                            assertEquals(model.purge(filter, 0, 10), fs.purge(filter, 0, 10), "purge " + filter);
                        }
                    }
                    if (round % 2 == 1) {
                        assertSameAnswers(model, fs);
                    }
                }
            }
            long cut = model.state().firstSeq() + 30;
            try (FileStore fs = reopen(dir, true)) {
                assertEquals(model.compact(cut), fs.compact(cut));
            }
            try (FileStore fs = reopen(dir, true)) {
                long to = model.state().lastSeq() - 25;
                model.truncate(to);
                fs.truncate(to);
                storeBoth(model, fs, r, 20);
            }
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void tighterPerSubjectLimitRemovesFromUnloadedBlocks() {
        Path dir = tmp.resolve("limit");
        Random r = new Random(7);
        try (MemoryStore model = model(StoreCompression.NONE)) {
            try (FileStore fs = FileStore.open(dir, config(StorageType.FILE, StoreCompression.NONE))) {
                storeBoth(model, fs, r, 250);
            }
            try (FileStore fs = reopen(dir, true)) {
                StoreConfig tighter = fs.config().toBuilder().maxMsgsPerSubject(3).build();
                fs.updateConfig(tighter);
                model.updateConfig(model.config().toBuilder().maxMsgsPerSubject(3).build());
                assertSameAnswers(model, fs);
            }
            try (FileStore fs = reopen(dir, true)) {
                storeBoth(model, fs, r, 30);
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void concurrentReadersLoadBlocksSafely() throws Exception {
        Path dir = tmp.resolve("concurrent");
        Random r = new Random(3);
        try (MemoryStore model = model(StoreCompression.NONE)) {
            try (FileStore fs = FileStore.open(dir, config(StorageType.FILE, StoreCompression.NONE))) {
                storeBoth(model, fs, r, 600);
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (FileStore fs = reopen(dir, true)) {
                List<Future<List<Long>>> walks = new ArrayList<>();
                List<Future<?>> loads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    String filter = FILTERS[t + 1];
                    boolean forward = t % 2 == 0;
                    walks.add(pool.submit(() -> walk(fs, filter, forward)));
                    long seed = t;
                    loads.add(pool.submit(() -> {
                        Random own = new Random(seed);
                        for (int k = 0; k < 300; k++) {
                            long seq = 1 + own.nextLong(600);
                            StoredMessage m = model.load(seq);
                            StoredMessage f = fs.load(seq);
                            assertEquals(m == null ? null : m.subject(), f == null ? null : f.subject());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : loads) {
                    f.get(30, TimeUnit.SECONDS);
                }
                for (int t = 0; t < 4; t++) {
                    assertEquals(walk(model, FILTERS[t + 1], t % 2 == 0), walks.get(t).get(30, TimeUnit.SECONDS));
                }
                pool.shutdown();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
                assertSameAnswers(model, fs);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ---- damaged, missing and stale files ------------------------------------------------------

    /** A closed store with many blocks, some removals, and the model of it. */
    private MemoryStore populate(Path dir) {
        Random r = new Random(11);
        MemoryStore model = model(StoreCompression.NONE);
        try (FileStore fs = FileStore.open(dir, config(StorageType.FILE, StoreCompression.NONE))) {
            storeBoth(model, fs, r, 500);
            for (int k = 0; k < 40; k++) {
                long seq = 1 + r.nextLong(500);
                assertEquals(model.remove(seq), fs.remove(seq));
            }
        }
        return model;
    }

    private static Path middleIndexFile(Path dir) throws IOException {
        try (var files = Files.list(dir.resolve("msgs"))) {
            List<Path> idx = files.filter(p -> p.toString().endsWith(".idx")).sorted(
                    (a, b) -> Integer.compare(MessageBlock.idOf(a), MessageBlock.idOf(b))).toList();
            assertTrue(idx.size() > 10, "index files: " + idx.size());
            return idx.get(idx.size() / 2);
        }
    }

    @Test
    void damagedBlockIndexIsRebuiltFromItsBlock() throws IOException {
        Path dir = tmp.resolve("damaged-idx");
        try (MemoryStore model = populate(dir)) {
            Path idx = middleIndexFile(dir);
            flipByte(idx, Files.size(idx) / 2);
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs);
            }
            // The rebuilt block is written back whole at the next close.
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void damagedBlockIndexFoundByARemovalIsRebuiltWithItsLinks() throws IOException {
        Path dir = tmp.resolve("damaged-idx-write");
        try (MemoryStore model = populate(dir)) {
            Path idx = middleIndexFile(dir);
            int block = MessageBlock.idOf(idx);
            flipByte(idx, 60);
            try (FileStore fs = reopen(dir, true)) {
                // Remove every message of the damaged block's range first: relinking its subjects' neighbours.
                long first = fs.blocks.stream().filter(b -> b.id == block).findFirst().orElseThrow().firstSeq;
                for (long seq = first; seq < first + 12; seq++) {
                    assertEquals(model.remove(seq), fs.remove(seq), "remove " + seq);
                }
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void missingBlockIndexMeansAScan() throws IOException {
        Path dir = tmp.resolve("missing-idx");
        try (MemoryStore model = populate(dir)) {
            Files.delete(middleIndexFile(dir));
            try (FileStore fs = reopen(dir, false)) {
                assertTrue(fs.recoveryReport().clean());
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void staleBlockIndexMeansAScan() throws IOException {
        Path dir = tmp.resolve("stale-idx");
        Random r = new Random(5);
        try (MemoryStore model = populate(dir)) {
            Path idx = middleIndexFile(dir);
            Path old = tmp.resolve("old.idx");
            Files.copy(idx, old);
            int block = MessageBlock.idOf(idx);
            try (FileStore fs = reopen(dir, true)) {
                long first = fs.blocks.stream().filter(b -> b.id == block).findFirst().orElseThrow().firstSeq;
                for (long seq = first; seq < first + 5; seq++) {
                    assertEquals(model.remove(seq), fs.remove(seq));
                }
                storeBoth(model, fs, r, 5);
            }
            Files.copy(old, idx, StandardCopyOption.REPLACE_EXISTING);
            try (FileStore fs = reopen(dir, false)) {
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void missingDamagedOrOlderSummaryMeansAScan() throws IOException {
        Path dir = tmp.resolve("summary");
        Random r = new Random(9);
        try (MemoryStore model = populate(dir)) {
            Path summary = dir.resolve("msgs/index.db");
            Path old = tmp.resolve("old-index.db");
            Files.copy(summary, old);
            Files.delete(summary);
            try (FileStore fs = reopen(dir, false)) {
                assertSameAnswers(model, fs);
            }
            flipByte(summary, Files.size(summary) / 3);
            try (FileStore fs = reopen(dir, false)) {
                assertSameAnswers(model, fs);
                storeBoth(model, fs, r, 30);
                assertTrue(fs.remove(model.state().lastSeq()));
                assertTrue(model.remove(model.state().lastSeq()));
            }
            // A summary from before the last session: older than the blocks.
            Files.copy(old, summary, StandardCopyOption.REPLACE_EXISTING);
            try (FileStore fs = reopen(dir, false)) {
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void summaryNewerThanATornBlockMeansAScan() throws IOException {
        Path dir = tmp.resolve("torn");
        try (MemoryStore model = populate(dir)) {
            long last = model.state().lastSeq();
            Path tail;
            try (FileStore fs = FileStore.open(dir)) {
                List<Path> files = fs.blockFiles();
                tail = files.get(files.size() - 1);
            }
            // As if the last record's write had been cut by the kill after the summary was written.
            try (FileChannel ch = FileChannel.open(tail, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 3);
            }
            try (FileStore fs = reopen(dir, false)) {
                assertTrue(fs.recoveryReport().tornTailBytes() > 0);
                if (model.load(last) != null) {
                    model.remove(last);
                }
                assertEquals(model.state().msgs(), fs.state().msgs());
                for (long seq = 1; seq < last; seq++) {
                    StoredMessage m = model.load(seq);
                    StoredMessage f = fs.load(seq);
                    assertEquals(m == null, f == null, "message " + seq);
                    if (m != null) {
                        assertArrayEquals(m.payload(), f.payload());
                    }
                }
            }
        }
    }

    @Test
    void openFromSummaryReadsNoBlockIndexUntilAsked() throws IOException {
        Path dir = tmp.resolve("untouched");
        try (MemoryStore model = populate(dir)) {
            try (FileStore fs = reopen(dir, true)) {
                int unloaded = fs.unloadedBlocks();
                StreamState state = fs.state();
                assertEquals(model.state().msgs(), state.msgs());
                assertEquals(model.subjectsState(">"), fs.subjectsState(">"));
                assertEquals(model.state().lastSeq(), state.lastSeq());
                assertEquals(model.state().firstSeq(), state.firstSeq());
                assertTrue(state.firstTimeNanos() > 0, "the first message's time comes from the summary");
                assertEquals(unloaded, fs.unloadedBlocks(), "state and subjects come from the summary");
                assertFalse(Files.exists(dir.resolve("msgs/index.db")), "the summary must not outlive the open");
                fs.load(fs.blocks.get(fs.blocks.size() / 2).firstSeq);
                assertEquals(unloaded - 1, fs.unloadedBlocks(), "one load reads one block");
            }
        }
    }

    @Test
    void evictedBlockIndexesLoadAgainAndSurviveACrash() throws IOException {
        Path dir = tmp.resolve("evict");
        Random r = new Random(21);
        try (MemoryStore model = populate(dir)) {
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs);
                assertEquals(0, fs.unloadedBlocks());
                int evicted = fs.evictIdleIndexes(0);
                assertEquals(fs.blockFiles().size() - 1, evicted, "all but the tail");
                assertEquals(evicted, fs.unloadedBlocks());
                assertEquals(0, fs.evictIdleIndexes(0));
                // Changes touching evicted blocks load them again.
                for (int k = 0; k < 30; k++) {
                    long seq = 1 + r.nextLong(model.state().lastSeq());
                    assertEquals(model.remove(seq), fs.remove(seq), "remove " + seq);
                }
                storeBoth(model, fs, r, 40);
                assertSameAnswers(model, fs);
                fs.evictIdleIndexes(0);
                storeBoth(model, fs, r, 10);
                // Killed here: the index files written by the eviction must not be trusted alone.
                // (The copy waits for background compaction, which renames files as it goes.)
                FileStoreRecoveryTest.awaitBackgroundWork();
                copyTree(dir, tmp.resolve("evict-crash"));
            }
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs);
            }
            try (FileStore fs = reopen(tmp.resolve("evict-crash"), false)) {
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void onlyIdleBlocksAreEvicted() throws IOException {
        Path dir = tmp.resolve("idle");
        try (MemoryStore model = populate(dir)) {
            try (FileStore fs = reopen(dir, true)) {
                MessageBlock a = fs.blocks.get(1);
                MessageBlock b = fs.blocks.get(3);
                long inA = model.loadNext(">", a.firstSeq).seq();
                long inB = model.loadNext(">", b.firstSeq).seq();
                assertEquals(model.load(inA).subject(), fs.load(inA).subject());
                assertEquals(model.load(inB).subject(), fs.load(inB).subject());
                assertTrue(a.indexed && b.indexed);
                assertEquals(0, fs.evictIdleIndexes(1), "nothing is idle yet");
                fs.loader.epoch += 2;
                fs.load(inA); // read again: A stays, B goes
                assertEquals(1, fs.evictIdleIndexes(1));
                assertTrue(a.indexed);
                assertFalse(b.indexed);
                assertSameAnswers(model, fs);
            }
        }
    }

    @Test
    void closeWritesOnlyTheIndexesOfBlocksThatChanged() throws IOException {
        Path dir = tmp.resolve("rewrite");
        try (MemoryStore model = populate(dir)) {
            java.util.Map<Path, Object> before = indexFileKeys(dir);
            long removed;
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs); // every block loaded, none changed
                removed = model.loadNext(">", fs.blocks.get(2).firstSeq).seq();
            }
            assertEquals(before, indexFileKeys(dir), "unchanged blocks keep their index files");
            Path changed;
            try (FileStore fs = reopen(dir, true)) {
                changed = fs.blocks.get(2).indexFile;
                // A removal in block 2 relinks its subject's neighbours, maybe in other blocks.
                assertTrue(fs.remove(removed));
                assertTrue(model.remove(removed));
            }
            java.util.Map<Path, Object> after = indexFileKeys(dir);
            assertFalse(before.get(changed).equals(after.get(changed)), "the changed block's index is rewritten");
            try (FileStore fs = reopen(dir, true)) {
                assertSameAnswers(model, fs);
            }
        }
    }

    private static java.util.Map<Path, Object> indexFileKeys(Path dir) throws IOException {
        java.util.Map<Path, Object> keys = new java.util.HashMap<>();
        try (var files = Files.list(dir.resolve("msgs"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".idx")).toList()) {
                keys.put(p, Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
            }
        }
        return keys;
    }
}
