package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records are written in version 2 (28 bytes of overhead; upstream's are 30) since #16. A store
 * written before holds version 1 records (44 bytes): it must still open, read, remove, erase
 * and account its messages, with new records appended after the old ones in the same block.
 */
class RecordFormatCompatibilityTest {

    @TempDir
    Path tmp;

    /** A version 1 record, encoded here byte by byte as the old writer did. */
    static byte[] v1Record(long seq, long ts, long ttl, String subject, byte[] headers, byte[] payload, int type) {
        byte[] subj = subject.getBytes(StandardCharsets.UTF_8);
        int len = 44 + subj.length + (headers == null ? 0 : headers.length) + payload.length;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x314D534A).putInt(len).putLong(seq).putLong(ts).putLong(ttl).putShort((short) subj.length);
        b.put((byte) type).put((byte) (headers != null ? 1 : 0)).putInt(headers == null ? 0 : headers.length);
        b.put(subj);
        if (headers != null) {
            b.put(headers);
        }
        b.put(payload);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, len - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] headers(long i) {
        return i % 3 == 0 ? ("NATS/1.0\r\nI: " + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)
                : i % 3 == 1 ? null : new byte[0];
    }

    private static byte[] payload(long i) {
        return ("payload " + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static String subject(long i) {
        return "old." + (i % 3);
    }

    /** Upstream's fileStoreMsgSize, which both record versions must report. */
    private static long upstreamSize(long i) {
        byte[] h = headers(i);
        return 22 + subject(i).length() + (h == null || h.length == 0 ? 0 : 4 + h.length) + payload(i).length + 8;
    }

    private static StoreConfig config() {
        return StoreConfig.builder("OLD").allowMsgTtl(true).build();
    }

    /** A store as the old writer left it: one block of version 1 records 1..10, no summary. */
    private Path oldStore() throws IOException {
        Path dir = tmp.resolve("old");
        Files.createDirectories(dir.resolve("msgs"));
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (long i = 1; i <= 10; i++) {
            block.writeBytes(v1Record(i, 1_000_000_000L * i, i == 4 ? -1 : 0, subject(i), headers(i), payload(i), 1));
        }
        Files.write(dir.resolve("msgs/1.blk"), block.toByteArray());
        return dir;
    }

    private static void assertV1Message(StreamStore s, long i) {
        StoredMessage m = s.load(i);
        assertEquals(subject(i), m.subject(), "subject of " + i);
        assertArrayEquals(headers(i), m.headers(), "headers of " + i);
        assertArrayEquals(payload(i), m.payload(), "payload of " + i);
        if (i <= 10) {
            assertEquals(1_000_000_000L * i, m.timestampNanos(), "time of " + i);
        }
    }

    @Test
    void aStoreOfVersionOneRecordsOpensReadsAndTakesNewRecords() throws IOException {
        Path dir = oldStore();
        long expectedBytes = 0;
        try (FileStore s = FileStore.open(dir, config())) {
            assertTrue(s.recoveryReport().clean(), s.recoveryReport().toString());
            for (long i = 1; i <= 10; i++) {
                assertV1Message(s, i);
                expectedBytes += upstreamSize(i);
            }
            assertEquals(-1, s.load(4).ttlNanos());
            assertEquals(expectedBytes, s.state().bytes());
            // New records go into the same block, in version 2.
            for (long i = 11; i <= 20; i++) {
                assertEquals(i, s.store(subject(i), headers(i), payload(i), 0).seq());
                expectedBytes += upstreamSize(i);
            }
            assertEquals(expectedBytes, s.state().bytes());
            assertEquals(1, s.blockFiles().size());
            assertTrue(s.remove(2));
            assertTrue(s.erase(3));
            expectedBytes -= upstreamSize(2) + upstreamSize(3);
        }
        byte[] file = Files.readAllBytes(dir.resolve("msgs/1.blk"));
        assertFalse(FileStoreRecoveryTest.contains(file, payload(3)), "erased in place");
        for (boolean fromSummary : new boolean[] {true, false}) {
            if (!fromSummary) {
                Files.deleteIfExists(dir.resolve("msgs/index.db"));
            }
            try (FileStore s = FileStore.open(dir)) {
                assertEquals(fromSummary, s.recoveryReport().usedIndexSnapshot());
                assertTrue(s.recoveryReport().clean(), s.recoveryReport().toString());
                assertNull(s.load(2));
                assertNull(s.load(3));
                for (long i = 1; i <= 20; i++) {
                    if (i != 2 && i != 3) {
                        assertV1Message(s, i);
                    }
                }
                assertEquals(18, s.state().msgs());
                assertEquals(expectedBytes, s.state().bytes());
                assertEquals(java.util.Map.of("old.0", 5L, "old.1", 7L, "old.2", 6L), s.subjectsState(">"));
            }
        }
    }

    @Test
    void versionTwoSpendsLessThanUpstreamPerRecord() throws IOException {
        Path dir = tmp.resolve("new");
        try (FileStore s = FileStore.open(dir, StoreConfig.builder("NEW").build())) {
            s.store("orders.x", null, new byte[16], 0);
        }
        // Upstream: 22 header + 8 hash = 30 bytes beside subject and payload.
        assertEquals(28 + "orders.x".length() + 16, Files.size(dir.resolve("msgs/1.blk")));
    }

    @Test
    void damagedVersionOneRecordAmongNewOnesIsSkippedAndTheRestSurvive() throws IOException {
        Path dir = oldStore();
        try (FileStore s = FileStore.open(dir, config())) {
            for (long i = 11; i <= 14; i++) {
                s.store(subject(i), headers(i), payload(i), 0);
            }
        }
        Files.delete(dir.resolve("msgs/index.db"));
        long offset = 0;
        for (long i = 1; i < 5; i++) {
            offset += v1Record(i, 0, i == 4 ? -1 : 0, subject(i), headers(i), payload(i), 1).length;
        }
        FileStoreRecoveryTest.flipByte(dir.resolve("msgs/1.blk"), offset + 50); // inside record 5
        try (FileStore s = FileStore.open(dir)) {
            assertArrayEquals(new long[] {5}, s.recoveryReport().lostSequences(), s.recoveryReport().toString());
            for (long i = 1; i <= 14; i++) {
                if (i != 5) {
                    assertV1Message(s, i);
                }
            }
        }
    }
}
