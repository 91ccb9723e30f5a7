package io.jnatsd.store;

import static io.jnatsd.store.StreamStoreContractTest.b;
import static io.jnatsd.store.StreamStoreContractTest.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the file store does with damaged files: every torn tail, corrupt records in the middle,
 * a missing, stale or corrupt index snapshot, torn delete logs. Each test damages the files of
 * a closed store the way a crash or a bad disk would, reopens it and checks that every intact
 * message comes back byte for byte and that the damage is reported.
 */
class FileStoreRecoveryTest {

    @TempDir
    Path tmp;

    /** The compression every test runs with; {@link CompressedFileStoreRecoveryTest} turns it on. */
    StoreCompression compression() {
        return StoreCompression.NONE;
    }

    StoreConfig config(int blockSize) {
        return StoreConfig.builder("R").blockSize(blockSize).allowMsgTtl(true).compression(compression()).build();
    }

    /** The message a test stores at {@code seq}: varied subjects, headers on some, varied sizes. */
    static String subjectFor(long seq) {
        return "rec." + (seq % 4) + ".x";
    }

    static byte[] headersFor(long seq) {
        return seq % 3 == 0 ? b("NATS/1.0\r\nSeq: " + seq + "\r\n\r\n") : null;
    }

    static byte[] payloadFor(long seq) {
        byte[] p = new byte[(int) (seq * 7 % 50)];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    static void assertMessage(StreamStore s, long seq) {
        StoredMessage m = s.load(seq);
        assertNotNull(m, "message " + seq);
        assertEquals(subjectFor(seq), m.subject());
        assertArrayEquals(headersFor(seq), m.headers(), "headers of " + seq);
        assertArrayEquals(payloadFor(seq), m.payload(), "payload of " + seq);
    }

    static void storeMessages(StreamStore s, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            assertEquals(seq, s.store(subjectFor(seq), headersFor(seq), payloadFor(seq), 0).seq());
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).position(0);
            ch.write(one, offset);
        }
    }

    /** Waits until the store timer thread has run what was scheduled so far (it runs tasks in order). */
    static void awaitBackgroundWork() {
        try {
            StoreScheduler.schedule(() -> { }, 0).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store timer thread did not catch up", e);
        }
    }

    static long offsetOf(FileStore fs, long seq) {
        SequenceIndex.Page p = fs.index.page(seq);
        return p.loc[SequenceIndex.slot(seq)];
    }

    // ---- torn tails -----------------------------------------------------------------------------

    @Test
    void tornLastRecordAtEveryByteOffset() throws IOException {
        Path base = tmp.resolve("base");
        FileStore s = FileStore.open(base, config(1 << 20));
        storeMessages(s, 1, 8);
        s.remove(2);
        long lastStart = Files.size(s.blockFiles().get(0));
        storeMessages(s, 9, 9);
        Path block = s.blockFiles().get(0);
        s.close();
        Files.delete(base.resolve("msgs/index.db"));
        long end = Files.size(block);
        assertTrue(end - lastStart > RecordFormat.OVERHEAD);

        for (long cut = lastStart; cut < end; cut++) {
            Path dir = tmp.resolve("cut" + cut);
            copyTree(base, dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(base.relativize(block)), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            try (FileStore r = FileStore.open(dir)) {
                RecoveryReport report = r.recoveryReport();
                assertFalse(report.usedIndexSnapshot());
                assertEquals(cut - lastStart, report.tornTailBytes(), "torn bytes at cut " + cut);
                assertEquals(List.of(), report.lost());
                assertNull(r.load(9), "torn message present at cut " + cut);
                assertNull(r.load(2));
                for (long seq = 1; seq <= 8; seq++) {
                    if (seq != 2) {
                        assertMessage(r, seq);
                    }
                }
                assertEquals(8, r.state().lastSeq());
                assertEquals(7, r.state().msgs());
                // The torn message was never acknowledged: its sequence is used again.
                assertEquals(9, r.store(subjectFor(9), headersFor(9), payloadFor(9), 0).seq());
            }
            try (FileStore again = FileStore.open(dir)) {
                assertTrue(again.recoveryReport().clean());
                assertMessage(again, 9);
            }
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        FileConsumerStore.deleteDirectory(dir);
    }

    @Test
    void zeroFilledTailIsCut() throws IOException {
        Path dir = tmp.resolve("z");
        FileStore s = FileStore.open(dir, config(1 << 20));
        storeMessages(s, 1, 3);
        Path block = s.blockFiles().get(0);
        s.close();
        Files.write(block, new byte[4096], StandardOpenOption.APPEND);
        try (FileStore r = FileStore.open(dir)) {
            assertEquals(4096, r.recoveryReport().tornTailBytes());
            assertEquals(3, r.state().msgs());
            storeMessages(r, 4, 5);
        }
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().clean());
            for (long seq = 1; seq <= 5; seq++) {
                assertMessage(r, seq);
            }
        }
    }

    // ---- corruption in the middle -------------------------------------------------------------

    @Test
    void corruptMiddleRecordIsReportedAndTheRestSurvive() throws IOException {
        // Damage different parts of record 5: payload, checksum, sequence, length, magic.
        long[] where = {RecordFormat.HEADER_SIZE + 14, -1, RecordFormat.OFF_SEQ, RecordFormat.OFF_LENGTH,
                RecordFormat.OFF_MAGIC, RecordFormat.OFF_TIMESTAMP};
        for (int v = 0; v < where.length; v++) {
            Path dir = tmp.resolve("mid" + v);
            long offset;
            long length;
            Path block;
            try (FileStore s = FileStore.open(dir, config(1 << 20))) {
                storeMessages(s, 1, 9);
                offset = offsetOf(s, 5);
                length = offsetOf(s, 6) - offset;
                block = s.blockFiles().get(0);
            }
            Files.delete(dir.resolve("msgs/index.db"));
            flipByte(block, offset + (where[v] >= 0 ? where[v] : length - 2));
            try (FileStore r = FileStore.open(dir)) {
                RecoveryReport report = r.recoveryReport();
                assertArrayEquals(new long[] {5}, report.lostSequences(), "variant " + v + ": " + report);
                assertEquals(0, report.tornTailBytes());
                assertNull(r.load(5));
                for (long seq = 1; seq <= 9; seq++) {
                    if (seq != 5) {
                        assertMessage(r, seq);
                    }
                }
                assertEquals(8, r.state().msgs());
                assertEquals(9, r.state().lastSeq());
                assertEquals(10, r.store(subjectFor(10), headersFor(10), payloadFor(10), 0).seq());
            }
            try (FileStore r = FileStore.open(dir)) {
                assertMessage(r, 10);
                assertMessage(r, 9);
            }
        }
    }

    @Test
    void corruptRecordThatWasRemovedIsNotReportedLost() throws IOException {
        Path dir = tmp.resolve("removed");
        long offset;
        Path block;
        try (FileStore s = FileStore.open(dir, config(1 << 20))) {
            storeMessages(s, 1, 6);
            offset = offsetOf(s, 3);
            block = s.blockFiles().get(0);
            s.remove(3);
        }
        Files.delete(dir.resolve("msgs/index.db"));
        flipByte(block, offset + RecordFormat.HEADER_SIZE + 2);
        try (FileStore r = FileStore.open(dir)) {
            assertEquals(List.of(), r.recoveryReport().lost());
            assertEquals(5, r.state().msgs());
        }
    }

    @Test
    void corruptLastRecordOfASealedBlockIsLostNotTorn() throws IOException {
        Path dir = tmp.resolve("sealed");
        List<Path> blocks;
        long lastOfFirst;
        long offset;
        try (FileStore s = FileStore.open(dir, config(1024))) {
            storeMessages(s, 1, 60);
            blocks = s.blockFiles();
            assertTrue(blocks.size() >= 3, "blocks: " + blocks.size());
            lastOfFirst = s.blocks.get(0).lastSeq;
            offset = offsetOf(s, lastOfFirst);
        }
        Files.delete(dir.resolve("msgs/index.db"));
        flipByte(blocks.get(0), offset + RecordFormat.OFF_TTL);
        try (FileStore r = FileStore.open(dir)) {
            RecoveryReport report = r.recoveryReport();
            assertArrayEquals(new long[] {lastOfFirst}, report.lostSequences(), report.toString());
            assertEquals(0, report.tornTailBytes());
            for (long seq = 1; seq <= 60; seq++) {
                if (seq != lastOfFirst) {
                    assertMessage(r, seq);
                }
            }
        }
    }

    @Test
    void corruptionFoundOnReadIsAnError() throws IOException {
        Path dir = tmp.resolve("read");
        try (FileStore s = FileStore.open(dir, config(1 << 20))) {
            storeMessages(s, 1, 3);
            flipByte(s.blockFiles().get(0), offsetOf(s, 2) + RecordFormat.HEADER_SIZE + 3);
            StoreException e = assertThrows(StoreException.class, () -> s.load(2));
            assertTrue(e.getMessage().contains("corrupt record for sequence 2"), e.getMessage());
            assertMessage(s, 3);
        }
    }

    // ---- index snapshot -------------------------------------------------------------------------

    private FileStore populated(Path dir) {
        FileStore s = FileStore.open(dir, config(1024));
        storeMessages(s, 1, 200);
        for (long seq = 10; seq < 200; seq += 7) {
            s.remove(seq);
        }
        s.store("ttl.msg", null, b("soon"), TimeUnit.HOURS.toNanos(1));
        s.store("never.msg", null, b("never"), -1);
        s.compact(3);
        return s;
    }

    private static void assertSameContent(StreamState expected, StreamStore actual) {
        StreamState st = actual.state(true);
        assertEquals(expected.msgs(), st.msgs());
        assertEquals(expected.bytes(), st.bytes());
        assertEquals(expected.firstSeq(), st.firstSeq());
        assertEquals(expected.lastSeq(), st.lastSeq());
        assertEquals(expected.firstTimeNanos(), st.firstTimeNanos());
        assertEquals(expected.lastTimeNanos(), st.lastTimeNanos());
        assertEquals(expected.numSubjects(), st.numSubjects());
        assertArrayEquals(expected.deleted(), st.deleted());
        for (long seq = 1; seq <= 200; seq++) {
            if (seq >= 3 && !(seq >= 10 && (seq - 10) % 7 == 0)) {
                assertMessage(actual, seq);
            } else {
                assertNull(actual.load(seq));
            }
        }
        assertEquals("soon", str(actual.load(201).payload()));
        assertEquals(TimeUnit.HOURS.toNanos(1), actual.load(201).ttlNanos());
        assertEquals(-1, actual.load(202).ttlNanos());
    }

    @Test
    void indexSnapshotIsUsedAndAScanGivesTheSameState() throws IOException {
        Path dir = tmp.resolve("idx");
        StreamState expected;
        try (FileStore s = populated(dir)) {
            expected = s.state(true);
        }
        assertTrue(Files.exists(dir.resolve("msgs/index.db")));
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().usedIndexSnapshot());
            assertFalse(Files.exists(dir.resolve("msgs/index.db")), "snapshot must not outlive the open");
            assertSameContent(expected, r);
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertFalse(r.recoveryReport().usedIndexSnapshot());
            assertTrue(r.recoveryReport().clean());
            assertSameContent(expected, r);
        }
    }

    @Test
    void staleOrCorruptIndexSnapshotFallsBackToAScan() throws IOException {
        Path dir = tmp.resolve("stale");
        try (FileStore s = populated(dir)) {
            s.store("x", null, b("x"), 0);
        }
        Path old = tmp.resolve("old-index.db");
        Files.copy(dir.resolve("msgs/index.db"), old);
        StreamState expected;
        try (FileStore s = FileStore.open(dir)) {
            assertTrue(s.remove(203));
            assertEquals(204, s.store("y", null, b("y"), 0).seq());
            expected = s.state(true);
        }
        Files.copy(old, dir.resolve("msgs/index.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (FileStore r = FileStore.open(dir)) {
            assertFalse(r.recoveryReport().usedIndexSnapshot());
            assertEquals(expected.msgs(), r.state().msgs());
            assertEquals(expected.lastSeq(), r.state().lastSeq());
            assertNull(r.load(203));
            assertEquals("y", str(r.load(204).payload()));
        }
        Path idx = dir.resolve("msgs/index.db");
        flipByte(idx, Files.size(idx) / 2);
        try (FileStore r = FileStore.open(dir)) {
            assertFalse(r.recoveryReport().usedIndexSnapshot());
            assertEquals(expected.msgs(), r.state().msgs());
        }
    }

    @Test
    void crashAfterOpenDoesNotTrustAnOldSnapshot() throws IOException {
        Path dir = tmp.resolve("crash-after-open");
        try (FileStore s = FileStore.open(dir, config(1 << 20))) {
            storeMessages(s, 1, 5);
        }
        FileStore s = FileStore.open(dir);
        s.remove(2);
        s.store(subjectFor(6), headersFor(6), payloadFor(6), 0);
        // No close: as if killed. The snapshot from the first close must not resurrect 2 or hide 6.
        Path copy = tmp.resolve("copy");
        copyTree(dir, copy);
        s.close();
        try (FileStore r = FileStore.open(copy)) {
            assertFalse(r.recoveryReport().usedIndexSnapshot());
            assertNull(r.load(2));
            assertMessage(r, 6);
        }
    }

    // ---- blocks, delete logs, compaction, erase ---------------------------------------------

    @Test
    void blocksRollAndEmptyOnesAreDeleted() throws IOException {
        Path dir = tmp.resolve("roll");
        try (FileStore s = FileStore.open(dir, config(1024))) {
            storeMessages(s, 1, 100);
            List<Path> blocks = s.blockFiles();
            assertTrue(blocks.size() > 5);
            for (Path b : blocks) {
                assertTrue(Files.size(b) <= 1024 + 200, b + " " + Files.size(b));
            }
            long firstOfSecond = s.blocks.get(1).firstSeq;
            for (long seq = 1; seq < firstOfSecond; seq++) {
                s.remove(seq);
            }
            assertFalse(Files.exists(blocks.get(0)), "empty block deleted");
            assertEquals(blocks.size() - 1, s.blockFiles().size());
            s.purge();
            assertEquals(0, s.blockFiles().size());
            // A block compressing in the background when the purge deleted it leaves its file aside until then.
            awaitBackgroundWork();
            try (var files = Files.list(dir.resolve("msgs"))) {
                assertEquals(List.of("floor.dat"), files.map(p -> p.getFileName().toString()).toList());
            }
        }
        try (FileStore r = FileStore.open(dir)) {
            assertEquals(100, r.state().lastSeq());
            assertEquals(101, r.store("a", null, b("x"), 0).seq());
        }
    }

    @Test
    void anEmptiedTailIsDeletedOnceTheNextBlockTakesOver() throws IOException {
        Path dir = tmp.resolve("empty-tail");
        try (FileStore s = FileStore.open(dir, config(1024))) {
            storeMessages(s, 1, 30);
            int blocks = s.blockFiles().size();
            MessageBlock tail = s.tail;
            for (long seq = tail.firstSeq; seq <= tail.lastSeq; seq++) {
                s.remove(seq);
            }
            assertTrue(Files.exists(tail.file), "the tail keeps the last sequence");
            // Too big for what is left of the tail: it goes to a new block.
            s.store("big", null, new byte[1024], 0);
            assertTrue(s.tail != tail);
            assertFalse(Files.exists(tail.file));
            assertEquals(blocks, s.blockFiles().size());
            assertEquals(31, s.state().lastSeq());
        }
    }

    @Test
    void compactionRewritesBlocksWithManyRemovals() throws IOException {
        Path dir = tmp.resolve("compaction");
        try (FileStore s = FileStore.open(dir, config(4096))) {
            storeMessages(s, 1, 400);
            int blocks = s.blockFiles().size();
            long before = totalSize(s.blockFiles());
            for (long seq = 1; seq <= 400; seq++) {
                if (seq % 4 != 0) {
                    s.remove(seq);
                }
            }
            s.compactBlocks();
            assertEquals(blocks, s.blockFiles().size());
            long after = totalSize(s.blockFiles());
            // Background compaction may have rewritten a block before all its removals came, and
            // then rightly left it: what holds is that no sealed block keeps half a block removed.
            assertTrue(after < before * 3 / 4, before + " -> " + after);
            for (MessageBlock b : s.blocks) {
                if (b != s.tail) {
                    assertTrue(b.size - b.liveBytes < 4096 / 2, b + ": " + (b.size - b.liveBytes) + " removed bytes");
                }
            }
            for (long seq = 4; seq <= 400; seq += 4) {
                assertMessage(s, seq);
            }
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().clean());
            assertEquals(100, r.state().msgs());
            for (long seq = 1; seq <= 400; seq++) {
                if (seq % 4 == 0) {
                    assertMessage(r, seq);
                } else {
                    assertNull(r.load(seq));
                }
            }
        }
    }

    @Test
    void compactionRunsInTheBackgroundPastTheThreshold() {
        Path dir = tmp.resolve("bg");
        try (FileStore s = FileStore.open(dir, config(4096))) {
            storeMessages(s, 1, 300);
            long before = totalSize(s.blockFiles());
            for (long seq = 1; seq <= 300; seq++) {
                if (seq % 5 != 0) {
                    s.remove(seq);
                }
            }
            StreamStoreContractTest.await("background compaction", () -> totalSize(s.blockFiles()) < before / 2);
            for (long seq = 5; seq <= 300; seq += 5) {
                assertMessage(s, seq);
            }
        }
    }

    private static long totalSize(List<Path> files) {
        long total = 0;
        for (Path p : files) {
            try {
                total += Files.size(p);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return total;
    }

    @Test
    void eraseOverwritesTheBytesOnDisk() throws IOException {
        Path dir = tmp.resolve("erase");
        byte[] secret = b("TOP-SECRET-PAYLOAD-0123456789");
        try (FileStore s = FileStore.open(dir, config(1 << 20))) {
            s.store("a", null, b("before"), 0);
            s.store("secret.subject", b("NATS/1.0\r\nK: TOP-SECRET-HDR\r\n\r\n"), secret, 0);
            s.store("a", null, b("after"), 0);
            Path block = s.blockFiles().get(0);
            assertTrue(contains(Files.readAllBytes(block), secret));
            assertTrue(s.erase(2));
            byte[] onDisk = Files.readAllBytes(block);
            assertFalse(contains(onDisk, secret));
            assertFalse(contains(onDisk, b("TOP-SECRET-HDR")));
            assertFalse(contains(onDisk, b("secret.subject")));
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().clean(), r.recoveryReport().toString());
            assertNull(r.load(2));
            assertEquals("after", str(r.load(3).payload()));
        }
    }

    /** Whether {@code needle} occurs in {@code haystack} (erased content must not). */
    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void tornDeleteLogEntryIsIgnored() throws IOException {
        Path dir = tmp.resolve("dlt");
        try (FileStore s = FileStore.open(dir, config(1 << 20))) {
            storeMessages(s, 1, 5);
            s.remove(2);
        }
        Files.delete(dir.resolve("msgs/index.db"));
        Files.write(dir.resolve("msgs/1.dlt"), new byte[] {1, 2, 3, 4, 5, 6, 7}, StandardOpenOption.APPEND);
        try (FileStore r = FileStore.open(dir)) {
            assertNull(r.load(2));
            assertEquals(4, r.state().msgs());
            r.remove(4);
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertNull(r.load(4));
            assertEquals(3, r.state().msgs());
        }
    }

    // ---- meta, sync, delete -------------------------------------------------------------------

    @Test
    void metaFileKeepsTheConfig() throws IOException {
        Path dir = tmp.resolve("meta");
        StoreConfig c = StoreConfig.builder("orders/eu").maxMsgs(10).maxBytes(1 << 20).maxAgeNanos(5_000_000_000L)
                .maxMsgsPerSubject(3).maxMsgSize(512).discardNew(true).discardNewPerSubject(true).syncAlways(true)
                .blockSize(4096).allowMsgTtl(true).firstSeq(7).compression(StoreCompression.S2).build();
        FileStore.open(dir, c).close();
        try (FileStore r = FileStore.open(dir)) {
            assertEquals(c, r.config());
            assertEquals(7, r.state().firstSeq());
        }
        flipByte(dir.resolve("meta.inf"), 30);
        assertThrows(StoreException.class, () -> FileStore.open(dir));
        assertThrows(StoreException.class, () -> FileStore.open(tmp.resolve("nothing-here")));
    }

    @Test
    void syncAlwaysGroupCommit() throws IOException {
        Path dir = tmp.resolve("sync");
        try (FileStore s = FileStore.open(dir, config(2048).toBuilder().syncAlways(true).build())) {
            for (int batch = 0; batch < 5; batch++) {
                storeMessages(s, batch * 20L + 1, batch * 20L + 20);
                s.remove(batch * 20L + 3);
                s.sync();
            }
            ConsumerStore c = s.consumerStore("dur");
            c.update(new ConsumerState(new ConsumerState.SequencePair(3, 3), new ConsumerState.SequencePair(1, 1),
                    null, null));
        }
        try (FileStore r = FileStore.open(dir)) {
            assertEquals(95, r.state().msgs());
            assertEquals(3, r.consumerStore("dur").state().delivered().streamSeq());
        }
    }

    @Test
    void deleteRemovesEverything() {
        Path dir = tmp.resolve("del");
        FileStore s = FileStore.open(dir, config(1024));
        storeMessages(s, 1, 50);
        s.consumerStore("c").update(ConsumerState.EMPTY);
        s.delete();
        assertFalse(Files.exists(dir));
        assertThrows(IllegalStateException.class, () -> s.load(1));
    }

    @Test
    void consumerStateFileIsChecksummed() throws IOException {
        Path dir = tmp.resolve("obs");
        try (FileStore s = FileStore.open(dir, config(1024))) {
            s.consumerStore("c").update(new ConsumerState(new ConsumerState.SequencePair(9, 9),
                    new ConsumerState.SequencePair(4, 4), java.util.Map.of(5L, new ConsumerState.Pending(5, 1L)),
                    java.util.Map.of(5L, 2L)));
        }
        Path state = dir.resolve("obs/c/o.dat");
        assertTrue(Files.exists(state));
        flipByte(state, 10);
        try (FileStore r = FileStore.open(dir)) {
            assertThrows(StoreException.class, () -> r.consumerStore("c"));
        }
    }

    @Test
    void manySmallBlocksReopenWithTtlsAndSubjects() {
        Path dir = tmp.resolve("many");
        List<Long> kept = new ArrayList<>();
        try (FileStore s = FileStore.open(dir, config(1024).toBuilder().maxMsgsPerSubject(5).build())) {
            for (long seq = 1; seq <= 500; seq++) {
                s.store("k." + (seq % 20), null, payloadFor(seq), 0);
            }
            for (StoredMessage m = s.loadNext(null, 0); m != null; m = s.loadNext(null, m.seq() + 1)) {
                kept.add(m.seq());
            }
        }
        try (FileStore r = FileStore.open(dir)) {
            List<Long> after = new ArrayList<>();
            for (StoredMessage m = r.loadNext(null, 0); m != null; m = r.loadNext(null, m.seq() + 1)) {
                after.add(m.seq());
                assertArrayEquals(payloadFor(m.seq()), m.payload());
            }
            assertEquals(kept, after);
            assertEquals(100, r.state().msgs());
            assertEquals(20, r.subjectsState("k.*").size());
        }
    }
}
