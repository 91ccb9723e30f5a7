package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while appending. A child JVM ({@link CrashWriter}) appends and removes messages and
 * prints each one after the store acknowledged it; this test kills it with SIGKILL after a few
 * hundred milliseconds of writing, reopens the store and checks that every acknowledged message
 * is there, byte for byte, in order, and every acknowledged removal stuck. Three rounds on the
 * same directory, so recovery also runs on a store that already recovered from a kill. Each
 * check runs twice: after the kill (a scan) and after a clean close (from the summary, loading
 * blocks lazily); the writer of the next round starts from that summary and removes old
 * messages from blocks it has not loaded. With
 * compression on, the kill may also land while a sealed block is being compressed.
 */
class FileStoreCrashTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(StoreCompression.class)
    void everyAcknowledgedMessageSurvivesSigkill(StoreCompression compression) throws Exception {
        Path dir = tmp.resolve("crash");
        long acknowledgedBefore = 0;
        Set<Long> removed = new HashSet<>();
        Set<Long> removing = new HashSet<>();
        long totalAcked = 0;
        boolean sawCompressed = false;
        for (int round = 0; round < 3; round++) {
            List<String> lines = runAndKill(dir, compression);
            List<Long> acked = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("a ")) {
                    acked.add(Long.parseLong(line.substring(2)));
                } else if (line.startsWith("d ")) {
                    removed.add(Long.parseLong(line.substring(2)));
                } else if (line.startsWith("r ")) {
                    removing.add(Long.parseLong(line.substring(2)));
                }
            }
            totalAcked += acked.size();
            assertTrue(acked.size() > 50, "round " + round + ": only " + acked.size() + " acknowledged");
            verify(dir, round, acked, acknowledgedBefore, removed, removing, false);
            // Closed cleanly by the check: the same again from the summary, blocks loading lazily.
            sawCompressed |= verify(dir, round, acked, acknowledgedBefore, removed, removing, true);
            try (FileStore store = FileStore.open(dir)) {
                // Messages written but not yet acknowledged may or may not be there; start the next
                // round after whatever is.
                acknowledgedBefore = store.state().lastSeq();
            }
        }
        assertTrue(removed.size() > 10, "removals exercised: " + removed.size() + " of " + totalAcked);
        // Blocks compress in the background, each with two fsyncs: some, not all, are done by a kill.
        assertEquals(compression == StoreCompression.S2, sawCompressed, "compressed blocks seen");
    }

    /** Checks every acknowledged message and removal; returns whether a compressed block was seen. */
    private static boolean verify(Path dir, int round, List<Long> acked, long acknowledgedBefore, Set<Long> removed,
                                  Set<Long> removing, boolean lazy) {
        try (FileStore store = FileStore.open(dir)) {
            RecoveryReport report = store.recoveryReport();
            assertEquals(lazy, report.usedIndexSnapshot(), report.toString());
            assertEquals(List.of(), report.lost(), report.toString());
            boolean sawCompressed = store.blocks.stream().anyMatch(b -> b.compressed);
            long expectSeq = acknowledgedBefore;
            for (int i = 0; i < acked.size(); i++) {
                long seq = acked.get(i);
                assertEquals(++expectSeq, seq, "acknowledged sequences are consecutive");
                // The child numbers its messages from 1 each round; sequences continue from the store.
                long child = seq - acknowledgedBefore;
                if (removed.contains(seq)) {
                    continue;
                }
                if (removing.contains(seq) && store.load(seq) == null) {
                    continue; // killed between the removal and its confirmation
                }
                StoredMessage m = store.load(seq);
                if (m == null) {
                    fail("round " + round + (lazy ? " (lazy)" : "") + ": acknowledged message " + seq
                            + " is missing; " + report);
                }
                assertEquals(FileStoreRecoveryTest.subjectFor(child), m.subject());
                assertEquals(java.util.Arrays.toString(FileStoreRecoveryTest.payloadFor(child)),
                        java.util.Arrays.toString(m.payload()), "payload of " + seq);
                assertEquals(java.util.Arrays.toString(FileStoreRecoveryTest.headersFor(child)),
                        java.util.Arrays.toString(m.headers()), "headers of " + seq);
            }
            for (long seq : removed) {
                assertNull(store.load(seq), "acknowledged removal of " + seq + " was lost");
            }
            long last = store.state().lastSeq();
            assertTrue(last >= expectSeq, "last " + last + " < acknowledged " + expectSeq);
            return sawCompressed;
        }
    }

    /** Starts the writer, waits until it has acknowledged a few hundred messages, kills it. */
    private List<String> runAndKill(Path dir, StoreCompression compression) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path output = Files.createTempFile(tmp, "writer", ".out");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), dir.toString(), "8192",
                compression.configName());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        // A file, not a pipe: what the child printed before it died is all there afterwards.
        pb.redirectOutput(output.toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long killAt = Long.MAX_VALUE;
        while (System.nanoTime() < killAt) {
            Thread.sleep(5);
            long now = System.nanoTime();
            if (killAt == Long.MAX_VALUE && Files.size(output) > 200 * 6) {
                killAt = now + TimeUnit.MILLISECONDS.toNanos(100 + ThreadLocalRandom.current().nextInt(300));
            }
            if (now > deadline || !p.isAlive()) {
                p.destroyForcibly();
                fail("writer did not get going (alive=" + p.isAlive() + "): " + Files.readString(output));
            }
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        String out = Files.readString(output, StandardCharsets.US_ASCII);
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < out.length(); i++) {
            if (out.charAt(i) == '\n') {
                lines.add(out.substring(start, i));
                start = i + 1;
            }
        }
        // A line without its newline was cut by the kill: not known to be acknowledged.
        return lines;
    }

}
