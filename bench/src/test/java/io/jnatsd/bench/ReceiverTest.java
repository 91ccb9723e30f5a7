package io.jnatsd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The checks that make a load run fail loudly. */
class ReceiverTest {
    private static void feed(Receiver r, long... seqs) {
        for (long s : seqs) r.accept(Payloads.make(16, s));
    }

    @Test
    void inOrderIsFine() {
        Receiver r = new Receiver("s", true, 4, 16);
        feed(r, 0, 1, 2, 3);
        assertNull(r.error());
        assertEquals(4, r.count());
    }

    @Test
    void gapIsReportedAsLoss() {
        Receiver r = new Receiver("s", true, 10, 16);
        feed(r, 0, 1, 4);
        assertNotNull(r.error());
        assertTrue(r.error().contains("lost messages 2..3"), r.error());
    }

    @Test
    void duplicateIsReported() {
        Receiver r = new Receiver("s", true, 10, 16);
        feed(r, 0, 1, 1);
        assertTrue(r.error().contains("duplicate"), r.error());
    }

    @Test
    void queueMemberRecordsWhatItSaw() {
        Receiver r = new Receiver("q", false, 10, 16);
        feed(r, 1, 5, 9);
        assertNull(r.error());
        assertEquals(3, r.seen().cardinality());
        feed(r, 5);
        assertTrue(r.error().contains("duplicate or reordered"), r.error());
    }

    @Test
    void outOfRangeAndWrongSizeAreReported() {
        Receiver r = new Receiver("s", true, 3, 16);
        feed(r, 7);
        assertTrue(r.error().contains("outside"), r.error());
        Receiver s = new Receiver("s", true, 3, 16);
        s.accept(new byte[20]);
        assertTrue(s.error().contains("20 bytes"), s.error());
    }

    @Test
    void markKeepsTheTimeOfTheMarkedMessage() {
        Receiver r = new Receiver("s", true, 4, 16, 2);
        feed(r, 0);
        assertEquals(0, r.markNanos());
        feed(r, 1);
        long mark = r.markNanos();
        assertTrue(mark != 0);
        feed(r, 2, 3);
        assertEquals(mark, r.markNanos(), "later messages leave it");
    }

    @Test
    void sequenceRoundTrips() {
        for (long v : new long[] {0, 1, 255, 256, 1L << 40, Long.MAX_VALUE}) {
            assertEquals(v, Payloads.seq(Payloads.make(8, v)));
        }
        assertEquals(-1, Payloads.seq(new byte[3]));
    }
}
