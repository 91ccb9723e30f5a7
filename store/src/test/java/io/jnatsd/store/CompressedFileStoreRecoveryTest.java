package io.jnatsd.store;

import static io.jnatsd.store.StreamStoreContractTest.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Every recovery test again with compression on, plus what only compressed blocks have: damaged
 * chunks (lost records are exactly those the chunk held), damage found on read, a torn active
 * block after compressed ones, erase, truncate and compaction of compressed blocks, changing
 * the setting, and the disk space saved.
 */
class CompressedFileStoreRecoveryTest extends FileStoreRecoveryTest {

    @Override
    StoreCompression compression() {
        return StoreCompression.S2;
    }

    /** Where a frame of a compressed block file is and which content it holds. */
    record Frame(int fileOffset, int length, int contentOffset, int contentLength) {
    }

    static List<Frame> frames(Path blockFile) throws IOException {
        byte[] file = Files.readAllBytes(blockFile);
        List<Frame> out = new ArrayList<>();
        CRC32C crc = new CRC32C();
        for (int at = 0; at < file.length; ) {
            int len = ChunkFormat.validLength(file, at, file.length, crc);
            assertTrue(len > 0, "intact frame at " + at + " of " + blockFile);
            out.add(new Frame(at, len, ChunkFormat.contentOffset(file, at), ChunkFormat.contentLength(file, at)));
            at += len;
        }
        return out;
    }

    static boolean isCompressedFile(Path blockFile) throws IOException {
        byte[] file = Files.readAllBytes(blockFile);
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == ChunkFormat.MAGIC;
    }

    /** The content of a compressed block file, decompressed. */
    static byte[] content(Path blockFile) throws IOException {
        byte[] file = Files.readAllBytes(blockFile);
        return ChunkDirectory.parse(file, file.length, new CRC32C()).content(file);
    }

    /** Sequences of {@code block} whose records overlap content {@code [from, to)}. */
    private static long[] seqsOverlapping(FileStore s, MessageBlock block, long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long seq = block.firstSeq; seq <= block.lastSeq; seq++) {
            SequenceIndex.Page p = s.index.page(seq);
            int i = SequenceIndex.slot(seq);
            if (p == null || p.subj[i] == 0 || p.ref[i] != block) {
                continue;
            }
            long loc = p.loc[i];
            long end = loc + (p.len[i] & RecordFormat.LEN_MASK);
            if (loc < to && end > from) {
                out.add(seq);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** A store whose first block (many chunks) is sealed and compressed; returns the last sequence. */
    private long fillTwoBlocks(FileStore s) {
        long seq = 0;
        while (s.blocks.size() < 2) {
            seq++;
            storeMessages(s, seq, seq);
        }
        awaitBackgroundWork();
        assertTrue(s.blocks.get(0).compressed, "first block compressed: " + s.blocks.get(0));
        return seq;
    }

    @Override
    @Test
    void corruptLastRecordOfASealedBlockIsLostNotTorn() throws IOException {
        // A 1 KiB block is one chunk: damage anywhere in it loses the block's records, which are
        // reported lost (not cut as a torn tail), and nothing else.
        Path dir = tmp.resolve("sealed");
        List<Path> blocks;
        long first;
        long last;
        try (FileStore s = FileStore.open(dir, config(1024))) {
            storeMessages(s, 1, 60);
            blocks = s.blockFiles();
            first = s.blocks.get(0).firstSeq;
            last = s.blocks.get(0).lastSeq;
        }
        Files.delete(dir.resolve("msgs/index.db"));
        List<Frame> frames = frames(blocks.get(0));
        assertEquals(1, frames.size());
        flipByte(blocks.get(0), frames.get(0).fileOffset() + frames.get(0).length() - 3);
        try (FileStore r = FileStore.open(dir)) {
            RecoveryReport report = r.recoveryReport();
            long[] expected = java.util.stream.LongStream.rangeClosed(first, last).toArray();
            assertArrayEquals(expected, report.lostSequences(), report.toString());
            assertEquals(0, report.tornTailBytes());
            for (long seq = last + 1; seq <= 60; seq++) {
                assertMessage(r, seq);
            }
            assertEquals(61, r.store(subjectFor(61), headersFor(61), payloadFor(61), 0).seq());
        }
    }

    @Test
    void damagedChunkLosesExactlyTheRecordsItHeld() throws IOException {
        // Damage the stored bytes, the magic, the content offset and the checksum of one frame.
        int[] where = {ChunkFormat.HEADER_SIZE + 40, 0, ChunkFormat.OFF_CONTENT_OFFSET, ChunkFormat.OFF_CRC};
        for (int v = 0; v < where.length; v++) {
            Path dir = tmp.resolve("chunk" + v);
            long last;
            long[] expected;
            Frame damaged;
            Path block;
            try (FileStore s = FileStore.open(dir, config(256 * 1024))) {
                last = fillTwoBlocks(s);
                MessageBlock first = s.blocks.get(0);
                block = first.file;
                List<Frame> frames = frames(block);
                assertTrue(frames.size() >= 6, "frames: " + frames.size());
                damaged = frames.get(3);
                expected = seqsOverlapping(s, first, damaged.contentOffset(),
                        damaged.contentOffset() + damaged.contentLength());
                assertTrue(expected.length > 100, "records in a chunk: " + expected.length);
            }
            Files.delete(dir.resolve("msgs/index.db"));
            flipByte(block, damaged.fileOffset() + where[v]);
            try (FileStore r = FileStore.open(dir)) {
                RecoveryReport report = r.recoveryReport();
                assertArrayEquals(expected, report.lostSequences(), "variant " + v + ": " + report);
                assertEquals(0, report.tornTailBytes());
                List<Long> lost = java.util.Arrays.stream(expected).boxed().toList();
                for (long seq = 1; seq <= last; seq++) {
                    if (lost.contains(seq)) {
                        assertNull(r.load(seq));
                    } else {
                        assertMessage(r, seq);
                    }
                }
                assertEquals(last - expected.length, r.state().msgs());
                assertEquals(last + 1, r.store(subjectFor(last + 1), headersFor(last + 1), payloadFor(last + 1), 0)
                        .seq());
            }
            try (FileStore r = FileStore.open(dir)) {
                assertMessage(r, last + 1);
                assertMessage(r, 1);
            }
        }
    }

    @Test
    void damagedChunkFoundOnReadIsAnError() throws IOException {
        Path dir = tmp.resolve("read");
        long inDamaged;
        long inIntact;
        Path block;
        Frame damaged;
        try (FileStore s = FileStore.open(dir, config(256 * 1024))) {
            fillTwoBlocks(s);
            MessageBlock first = s.blocks.get(0);
            block = first.file;
            List<Frame> frames = frames(block);
            damaged = frames.get(2);
            inDamaged = seqsOverlapping(s, first, damaged.contentOffset() + 500, damaged.contentOffset() + 501)[0];
            inIntact = seqsOverlapping(s, first, frames.get(0).contentOffset() + 500,
                    frames.get(0).contentOffset() + 501)[0];
        }
        // The snapshot still matches (same file sizes): the damage is found when the chunk is read.
        flipByte(block, damaged.fileOffset() + ChunkFormat.HEADER_SIZE + 100);
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().usedIndexSnapshot());
            StoreException e = assertThrows(StoreException.class, () -> r.load(inDamaged));
            assertTrue(e.getMessage().contains("corrupt compressed chunk"), e.getMessage());
            assertMessage(r, inIntact);
        }
    }

    @Test
    void tornActiveBlockAfterCompressedBlocksIsCut() throws IOException {
        Path base = tmp.resolve("torn");
        long last = 300;
        long lastStart;
        Path tail;
        try (FileStore s = FileStore.open(base, config(4096))) {
            storeMessages(s, 1, last - 1);
            lastStart = s.tail.size;
            storeMessages(s, last, last);
            tail = s.tail.file;
            assertTrue(s.blocks.size() > 4, "blocks: " + s.blocks.size());
        }
        Files.delete(base.resolve("msgs/index.db"));
        long end = Files.size(tail);
        for (long cut : new long[] {lastStart + 1, (lastStart + end) / 2, end - 1}) {
            Path dir = tmp.resolve("torn-cut" + cut);
            copyTree(base, dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(base.relativize(tail)), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            try (FileStore r = FileStore.open(dir)) {
                RecoveryReport report = r.recoveryReport();
                assertEquals(cut - lastStart, report.tornTailBytes(), report.toString());
                assertEquals(List.of(), report.lost());
                for (MessageBlock b : r.blocks) {
                    assertEquals(b != r.tail, b.compressed, b.toString());
                }
                for (long seq = 1; seq < last; seq++) {
                    assertMessage(r, seq);
                }
                assertNull(r.load(last));
                assertEquals(last, r.store(subjectFor(last), headersFor(last), payloadFor(last), 0).seq());
            }
            deleteTree(dir);
        }
    }

    @Test
    void sealedBlocksCompressWhileOpenAndSaveSpace() throws IOException {
        long count = 6000;
        long plain = storeCompressible(tmp.resolve("plain"), StoreCompression.NONE, count);
        long compressed = storeCompressible(tmp.resolve("s2"), StoreCompression.S2, count);
        assertTrue(compressed * 3 < plain, "compressed " + compressed + " bytes vs plain " + plain);
        for (boolean viaSnapshot : new boolean[] {true, false}) {
            if (!viaSnapshot) {
                Files.delete(tmp.resolve("s2/msgs/index.db"));
            }
            try (FileStore r = FileStore.open(tmp.resolve("s2"))) {
                assertEquals(viaSnapshot, r.recoveryReport().usedIndexSnapshot());
                assertTrue(r.recoveryReport().clean());
                assertEquals(count, r.state().msgs());
                for (long seq = 1; seq <= count; seq++) {
                    assertArrayEquals(compressiblePayload(seq), r.load(seq).payload(), "payload of " + seq);
                }
                assertEquals(count - 1, r.loadLast("orders.3").seq());
                assertEquals(5, r.loadNext("orders.1", 2).seq());
            }
        }
    }

    static byte[] compressiblePayload(long seq) {
        return b("{\"order\":" + seq + ",\"status\":\"shipped\",\"region\":\"eu-west-1\",\"items\":" + seq % 7 + "}");
    }

    /** Stores compressible messages, checks the sealed blocks' state, closes; returns block bytes on disk. */
    private long storeCompressible(Path dir, StoreCompression compression, long count) throws IOException {
        StoreConfig c = config(64 * 1024).toBuilder().compression(compression).build();
        try (FileStore s = FileStore.open(dir, c)) {
            for (long seq = 1; seq <= count; seq++) {
                s.store("orders." + seq % 4, null, compressiblePayload(seq), 0);
            }
            awaitBackgroundWork();
            assertTrue(s.blocks.size() > 3, "blocks: " + s.blocks.size());
            for (MessageBlock b : s.blocks) {
                assertEquals(compression == StoreCompression.S2 && b != s.tail, b.compressed, b.toString());
            }
            for (long seq = 1; seq <= count; seq += 97) {
                assertArrayEquals(compressiblePayload(seq), s.load(seq).payload());
            }
            long total = 0;
            for (Path p : s.blockFiles()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    @Test
    void changedCompressionAppliesToBlocksSealedAfterwards() throws IOException {
        Path dir = tmp.resolve("change");
        StoreConfig plain = config(4096).toBuilder().compression(StoreCompression.NONE).build();
        List<Boolean> expected = new ArrayList<>();
        try (FileStore s = FileStore.open(dir, plain)) {
            storeMessages(s, 1, 150);
            int sealedPlain = s.blocks.size() - 1;
            s.updateConfig(plain.toBuilder().compression(StoreCompression.S2).build());
            storeMessages(s, 151, 300);
            int sealedCompressed = s.blocks.size() - 1 - sealedPlain;
            s.updateConfig(plain);
            storeMessages(s, 301, 450);
            awaitBackgroundWork();
            assertTrue(sealedPlain > 1 && sealedCompressed > 1, sealedPlain + " then " + sealedCompressed);
            for (int i = 0; i < s.blocks.size(); i++) {
                expected.add(i >= sealedPlain && i < sealedPlain + sealedCompressed);
                assertEquals(expected.get(i), s.blocks.get(i).compressed, s.blocks.get(i).toString());
            }
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().clean());
            for (int i = 0; i < r.blocks.size(); i++) {
                assertEquals(expected.get(i), isCompressedFile(r.blocks.get(i).file));
            }
            for (long seq = 1; seq <= 450; seq++) {
                assertMessage(r, seq);
            }
        }
    }

    @Test
    void eraseInACompressedBlockDestroysTheContent() throws IOException {
        Path dir = tmp.resolve("erase-compressed");
        byte[] secret = b("TOP-SECRET-PAYLOAD-0123456789");
        Path block;
        try (FileStore s = FileStore.open(dir, config(4096))) {
            s.store("a", null, b("before"), 0);
            s.store("secret.subject", null, secret, 0);
            storeMessages(s, 3, 200);
            awaitBackgroundWork();
            block = s.blocks.get(0).file;
            assertTrue(s.blocks.get(0).compressed);
            assertTrue(contains(content(block), secret));
            assertTrue(s.erase(2));
            assertTrue(isCompressedFile(block));
            assertFalse(contains(content(block), secret));
            assertFalse(contains(content(block), b("secret.subject")));
            assertEquals("before", new String(s.load(1).payload()));
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().clean(), r.recoveryReport().toString());
            assertNull(r.load(2));
            assertMessage(r, 3);
        }
    }

    @Test
    void truncateIntoACompressedBlockMakesItThePlainTail() throws IOException {
        Path dir = tmp.resolve("truncate-compressed");
        long cutAt;
        try (FileStore s = FileStore.open(dir, config(4096))) {
            storeMessages(s, 1, 200);
            awaitBackgroundWork();
            MessageBlock second = s.blocks.get(1);
            assertTrue(second.compressed);
            cutAt = (second.firstSeq + second.lastSeq) / 2;
            s.truncate(cutAt);
            assertEquals(second, s.tail);
            assertFalse(isCompressedFile(second.file));
            assertEquals(cutAt, s.state().lastSeq());
            storeMessages(s, cutAt + 1, cutAt + 5);
        }
        Files.delete(dir.resolve("msgs/index.db"));
        try (FileStore r = FileStore.open(dir)) {
            assertTrue(r.recoveryReport().clean(), r.recoveryReport().toString());
            assertEquals(cutAt + 5, r.state().lastSeq());
            for (long seq = 1; seq <= cutAt + 5; seq++) {
                assertMessage(r, seq);
            }
        }
    }

    @Test
    void compactionWritesCompressedBlocks() throws IOException {
        Path dir = tmp.resolve("compact-compressed");
        try (FileStore s = FileStore.open(dir, config(4096))) {
            storeMessages(s, 1, 400);
            awaitBackgroundWork();
            for (long seq = 1; seq <= 400; seq++) {
                if (seq % 4 != 0) {
                    s.remove(seq);
                }
            }
            s.compactBlocks();
            awaitBackgroundWork();
            for (MessageBlock b : s.blocks) {
                assertEquals(b != s.tail, isCompressedFile(b.file), b.toString());
                if (b != s.tail) {
                    // 3 of 4 records removed passes the threshold (half a block) in every block.
                    assertTrue(b.size <= 2048, "rewritten without removed records: " + b);
                }
            }
            for (long seq = 4; seq <= 400; seq += 4) {
                assertMessage(s, seq);
            }
        }
    }
}
