package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StreamStore} must have, run against {@link MemoryStore} and
 * {@link FileStore}. Where upstream's semantics are subtle (discard new, PurgeEx, compact,
 * truncate) the expectations follow upstream's memstore/filestore. The file store subclass
 * closes and reopens the store at {@link #reopen} so every scenario also checks persistence.
 */
abstract class StreamStoreContractTest {

    private final List<StreamStore> open = new ArrayList<>();

    /** A new empty store with this config (storage type filled in by the subclass). */
    abstract StreamStore newStore(StoreConfig.Builder config);

    /** The same store after a restart (memory: the same instance). */
    abstract StreamStore reopen(StreamStore store);

    /** Upstream's accounted size for one message in this kind of store. */
    abstract long expectedSize(String subject, byte[] headers, byte[] payload);

    StreamStore create(StoreConfig.Builder config) {
        StreamStore s = newStore(config);
        open.add(s);
        return s;
    }

    StreamStore restart(StreamStore store) {
        StreamStore s = reopen(store);
        if (s != store) {
            open.add(s);
        }
        return s;
    }

    StreamStore create() {
        return create(StoreConfig.builder("S"));
    }

    @AfterEach
    void closeStores() {
        for (StreamStore s : open) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // Some tests close or delete the store themselves.
            }
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    static long[] seqsOf(StreamStore s, String filter) {
        List<Long> out = new ArrayList<>();
        for (StoredMessage m = s.loadNext(filter, 0); m != null; m = s.loadNext(filter, m.seq() + 1)) {
            out.add(m.seq());
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    // ---- basics ---------------------------------------------------------------------------------

    @Test
    void newStoreIsEmpty() {
        StreamStore s = create();
        StreamState st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(0, st.bytes());
        assertEquals(0, st.firstSeq());
        assertEquals(0, st.lastSeq());
        assertEquals(0, st.numSubjects());
        assertNull(s.load(1));
        assertNull(s.loadNext(null, 0));
        assertNull(s.loadLast(">"));
    }

    @Test
    void storeAssignsSequencesAndTimestamps() {
        StreamStore s = create();
        long before = StoreScheduler.nowNanos();
        StoredAppend a1 = s.store("foo", null, b("one"), 0);
        StoredAppend a2 = s.store("bar", b("NATS/1.0\r\nA: b\r\n\r\n"), b("two"), 0);
        assertEquals(1, a1.seq());
        assertEquals(2, a2.seq());
        assertTrue(a1.timestampNanos() >= before - 1_000_000);
        assertTrue(a2.timestampNanos() >= a1.timestampNanos());

        StoredMessage m1 = s.load(1);
        assertEquals("foo", m1.subject());
        assertNull(m1.headers());
        assertEquals("one", str(m1.payload()));
        assertEquals(a1.timestampNanos(), m1.timestampNanos());
        StoredMessage m2 = s.load(2);
        assertEquals("NATS/1.0\r\nA: b\r\n\r\n", str(m2.headers()));
        assertEquals("two", str(m2.payload()));

        StreamState st = s.state();
        assertEquals(2, st.msgs());
        assertEquals(1, st.firstSeq());
        assertEquals(2, st.lastSeq());
        assertEquals(a1.timestampNanos(), st.firstTimeNanos());
        assertEquals(a2.timestampNanos(), st.lastTimeNanos());
        assertEquals(expectedSize("foo", null, b("one")) + expectedSize("bar", b("NATS/1.0\r\nA: b\r\n\r\n"), b("two")),
                st.bytes());
        assertEquals(2, st.numSubjects());
    }

    @Test
    void emptyHeadersAndEmptyPayloadRoundTrip() {
        StreamStore s = create();
        s.store("a", new byte[0], new byte[0], 0);
        s = restart(s);
        StoredMessage m = s.load(1);
        assertNotNull(m.headers());
        assertEquals(0, m.headers().length);
        assertEquals(0, m.payload().length);
        assertEquals(expectedSize("a", new byte[0], new byte[0]), s.state().bytes());
    }

    @Test
    void storedBytesAreCopies() {
        StreamStore s = create();
        byte[] payload = b("abc");
        s.store("a", null, payload, 0);
        payload[0] = 'X';
        StoredMessage m = s.load(1);
        assertEquals("abc", str(m.payload()));
        m.payload()[0] = 'Y';
        assertEquals("abc", str(s.load(1).payload()));
    }

    @Test
    void rejectsMissingSubjectOrPayload() {
        StreamStore s = create();
        assertThrows(IllegalArgumentException.class, () -> s.store("", null, b("x"), 0));
        assertThrows(IllegalArgumentException.class, () -> s.store(null, null, b("x"), 0));
        assertThrows(NullPointerException.class, () -> s.store("a", null, null, 0));
    }

    @Test
    void survivesRestart() {
        StreamStore s = create();
        for (int i = 1; i <= 50; i++) {
            s.store("sub." + (i % 5), i % 2 == 0 ? b("NATS/1.0\r\nI: " + i + "\r\n\r\n") : null, b("msg-" + i), 0);
        }
        s.remove(7);
        s.remove(8);
        StreamState before = s.state(true);
        s = restart(s);
        StreamState after = s.state(true);
        assertEquals(before.msgs(), after.msgs());
        assertEquals(before.bytes(), after.bytes());
        assertEquals(before.firstSeq(), after.firstSeq());
        assertEquals(before.lastSeq(), after.lastSeq());
        assertEquals(before.lastTimeNanos(), after.lastTimeNanos());
        assertEquals(before.firstTimeNanos(), after.firstTimeNanos());
        assertArrayEquals(before.deleted(), after.deleted());
        assertEquals(before.numSubjects(), after.numSubjects());
        for (long seq = 1; seq <= 50; seq++) {
            StoredMessage m = s.load(seq);
            if (seq == 7 || seq == 8) {
                assertNull(m);
            } else {
                assertEquals("msg-" + seq, str(m.payload()));
                assertEquals("sub." + (seq % 5), m.subject());
            }
        }
        assertEquals(51, s.store("x", null, b("y"), 0).seq());
    }

    // ---- filters --------------------------------------------------------------------------------

    @Test
    void loadNextLastPrevWithFilters() {
        StreamStore s = create();
        s.store("orders.eu.new", null, b("1"), 0);
        s.store("orders.us.new", null, b("2"), 0);
        s.store("orders.eu.done", null, b("3"), 0);
        s.store("billing.eu", null, b("4"), 0);
        s.store("orders.eu.new", null, b("5"), 0);

        assertArrayEquals(new long[] {1, 2, 3, 4, 5}, seqsOf(s, null));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5}, seqsOf(s, ""));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5}, seqsOf(s, ">"));
        assertArrayEquals(new long[] {1, 5}, seqsOf(s, "orders.eu.new"));
        assertArrayEquals(new long[] {1, 3, 5}, seqsOf(s, "orders.eu.*"));
        assertArrayEquals(new long[] {1, 2, 5}, seqsOf(s, "orders.*.new"));
        assertArrayEquals(new long[] {1, 2, 3, 5}, seqsOf(s, "orders.>"));
        assertArrayEquals(new long[] {4}, seqsOf(s, "*.eu"));
        assertArrayEquals(new long[] {}, seqsOf(s, "orders"));
        assertArrayEquals(new long[] {}, seqsOf(s, "nope.>"));

        assertEquals(3, s.loadNext("orders.eu.*", 2).seq());
        assertNull(s.loadNext("orders.eu.*", 6));
        assertEquals(5, s.loadLast("orders.eu.new").seq());
        assertEquals(4, s.loadLast("billing.>").seq());
        assertEquals(5, s.loadLast(null).seq());
        assertNull(s.loadLast("nope"));
        assertEquals(3, s.loadPrev("orders.eu.*", 4).seq());
        assertEquals(1, s.loadPrev("orders.eu.new", 4).seq());
        assertEquals(2, s.loadPrev(">", 2).seq());
        assertNull(s.loadPrev("billing.eu", 3));

        s.remove(5);
        assertEquals(1, s.loadLast("orders.eu.new").seq());
        assertEquals(3, s.loadLast("orders.>").seq());
        assertNull(s.loadNext("orders.eu.new", 2));
    }

    @Test
    void wildcardFiltersWithManySubjects() {
        StreamStore s = create();
        for (int i = 0; i < 400; i++) {
            s.store("kv.k" + i + ".v", null, b("v" + i), 0);
            s.store("other." + i, null, b("o" + i), 0);
        }
        long[] kv = seqsOf(s, "kv.*.v");
        assertEquals(400, kv.length);
        assertEquals(1, kv[0]);
        assertEquals(799, kv[399]);
        assertEquals(798, s.loadPrev("kv.>", 798).seq() + 1);
        assertEquals(800, s.loadLast("other.*").seq());
        assertEquals(797, s.loadPrev("kv.*.v", 798).seq());
        assertEquals(400, s.filteredState(0, "other.>").msgs());
        assertEquals(200, s.filteredState(401, "kv.*.v").msgs());
        assertEquals(400, s.subjectsState("kv.*.v").size());
        assertEquals(Map.of("kv.k17.v", 1L), s.subjectsState("kv.k17.*"));
        for (int i = 0; i < 400; i += 2) {
            s.remove(2L * i + 1);
        }
        assertEquals(200, seqsOf(s, "kv.*.v").length);
        assertEquals(3, s.loadNext("kv.*.v", 0).seq());
    }

    @Test
    void literalSubjectWalksManyMessages() {
        StreamStore s = create();
        for (int i = 0; i < 1000; i++) {
            s.store(i % 3 == 0 ? "a" : "b", null, b("x"), 0);
        }
        long[] a = seqsOf(s, "a");
        assertEquals(334, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(1 + 3L * i, a[i]);
        }
        assertEquals(301, s.loadNext("a", 300).seq());
        assertEquals(298, s.loadPrev("a", 300).seq());
        assertEquals(234, s.filteredState(301, "a").msgs());
        assertEquals(new SimpleState(101, 700, 1000), s.filteredState(700, "a"));
        assertEquals(new SimpleState(334, 1, 1000), s.filteredState(0, "a"));
        assertEquals(34, s.filteredState(202, "a").msgs() - s.filteredState(302, "a").msgs());
        assertEquals(new SimpleState(1, 1000, 1000), s.filteredState(998, "a"));
    }

    // ---- state queries --------------------------------------------------------------------------

    @Test
    void filteredStateSubjectsStateAndNumPending() {
        StreamStore s = create();
        s.store("a.1", null, b("x"), 0); // 1
        s.store("a.2", null, b("x"), 0); // 2
        s.store("b.1", null, b("x"), 0); // 3
        s.store("a.1", null, b("x"), 0); // 4
        s.store("a.2", null, b("x"), 0); // 5
        s.store("a.1", null, b("x"), 0); // 6

        assertEquals(new SimpleState(6, 1, 6), s.filteredState(0, null));
        assertEquals(new SimpleState(3, 4, 6), s.filteredState(4, ">"));
        assertEquals(new SimpleState(3, 1, 6), s.filteredState(1, "a.1"));
        assertEquals(new SimpleState(2, 4, 6), s.filteredState(2, "a.1"));
        assertEquals(new SimpleState(5, 1, 6), s.filteredState(1, "a.*"));
        assertEquals(new SimpleState(3, 4, 6), s.filteredState(3, "a.*"));
        assertEquals(SimpleState.EMPTY, s.filteredState(7, "a.*"));
        assertEquals(SimpleState.EMPTY, s.filteredState(1, "c"));

        assertEquals(Map.of("a.1", 3L, "a.2", 2L, "b.1", 1L), s.subjectsState(null));
        assertEquals(Map.of("a.1", 3L, "a.2", 2L), s.subjectsState("a.*"));
        assertEquals(Map.of("b.1", 1L), s.subjectsState("b.1"));
        assertEquals(Map.of(), s.subjectsState("zzz"));

        assertEquals(6, s.numPending(1, null, false));
        assertEquals(2, s.numPending(5, ">", false));
        assertEquals(3, s.numPending(1, null, true));
        assertEquals(2, s.numPending(5, null, true)); // a.1 (6) and a.2 (5)
        assertEquals(1, s.numPending(6, "a.*", true));
        assertEquals(2, s.numPending(1, "a.*", true));
        assertEquals(1, s.numPending(2, "a.2", true));
        assertEquals(0, s.numPending(6, "a.2", true));

        s.remove(6);
        assertEquals(new SimpleState(2, 1, 4), s.filteredState(0, "a.1"));
        assertEquals(Map.of("a.1", 2L, "a.2", 2L, "b.1", 1L), s.subjectsState(">"));
    }

    // ---- removals -------------------------------------------------------------------------------

    @Test
    void removeAndErase() {
        StreamStore s = create();
        for (int i = 1; i <= 5; i++) {
            s.store("a", null, b("m" + i), 0);
        }
        assertTrue(s.remove(1));
        assertFalse(s.remove(1));
        assertFalse(s.remove(99));
        assertTrue(s.erase(3));
        assertFalse(s.erase(3));
        assertNull(s.load(1));
        assertNull(s.load(3));
        StreamState st = s.state(true);
        assertEquals(3, st.msgs());
        assertEquals(2, st.firstSeq());
        assertEquals(5, st.lastSeq());
        assertEquals(1, st.numDeleted());
        assertArrayEquals(new long[] {3}, st.deleted());
        assertEquals(3 * expectedSize("a", null, b("m1")), st.bytes());

        s = restart(s);
        assertNull(s.load(3));
        assertEquals("m4", str(s.load(4).payload()));
        assertTrue(s.remove(5));
        st = s.state(true);
        assertEquals(5, st.lastSeq());
        assertArrayEquals(new long[] {3, 5}, st.deleted());
        s = restart(s);
        assertEquals(5, s.state().lastSeq());
        assertEquals(6, s.store("a", null, b("m6"), 0).seq());
    }

    @Test
    void removingEverythingKeepsTheLastSequence() {
        StreamStore s = create();
        s.store("a", null, b("1"), 0);
        s.store("a", null, b("2"), 0);
        s.remove(1);
        s.remove(2);
        StreamState st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(3, st.firstSeq());
        assertEquals(2, st.lastSeq());
        assertEquals(0, st.numDeleted());
        s = restart(s);
        assertEquals(2, s.state().lastSeq());
        assertEquals(3, s.state().firstSeq());
        assertEquals(3, s.store("a", null, b("3"), 0).seq());
    }

    @Test
    void purgeAll() {
        StreamStore s = create();
        for (int i = 0; i < 10; i++) {
            s.store("a." + i, null, b("x"), 0);
        }
        assertEquals(10, s.purge());
        StreamState st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(0, st.bytes());
        assertEquals(11, st.firstSeq());
        assertEquals(10, st.lastSeq());
        assertEquals(0, st.numSubjects());
        s = restart(s);
        assertEquals(10, s.state().lastSeq());
        assertEquals(11, s.store("b", null, b("y"), 0).seq());
        assertEquals(0, create().purge());
    }

    @Test
    void purgeBySubject() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store(i % 2 == 0 ? "even" : "odd", null, b("m" + i), 0);
        }
        assertEquals(5, s.purge("even", 0, 0));
        assertArrayEquals(new long[] {1, 3, 5, 7, 9}, seqsOf(s, null));
        assertEquals(3, s.purge("odd", 0, 2));
        assertArrayEquals(new long[] {7, 9}, seqsOf(s, null));
        s = restart(s);
        assertArrayEquals(new long[] {7, 9}, seqsOf(s, null));
        assertEquals(0, s.purge("odd", 0, 5));
        assertEquals(0, s.purge("none", 0, 0));
    }

    @Test
    void purgeBySubjectBelowSequence() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store(i % 2 == 0 ? "x.even" : "x.odd", null, b("m" + i), 0);
        }
        assertEquals(0, s.purge("x.*", 1, 0));
        assertEquals(3, s.purge("x.even", 7, 0)); // 2, 4, 6
        assertArrayEquals(new long[] {1, 3, 5, 7, 8, 9, 10}, seqsOf(s, null));
        assertEquals(3, s.purge("x.*", 6, 0)); // 1, 3, 5
        assertArrayEquals(new long[] {7, 8, 9, 10}, seqsOf(s, null));
        assertEquals(2, s.purge("x.>", 0, 2));
        assertArrayEquals(new long[] {9, 10}, seqsOf(s, null));
    }

    @Test
    void purgeWithoutFilter() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store("a", null, b("m" + i), 0);
        }
        assertEquals(3, s.purge(null, 4, 0)); // compact to 4
        assertEquals(4, s.state().firstSeq());
        assertEquals(4, s.purge(">", 0, 3)); // keep the last 3
        assertArrayEquals(new long[] {8, 9, 10}, seqsOf(s, null));
        assertEquals(0, s.purge("", 0, 5));
        assertEquals(3, s.purge("", 0, 0));
        assertEquals(11, s.state().firstSeq());
        assertEquals(10, s.state().lastSeq());
    }

    @Test
    void compactRemovesBelow() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store("a" + (i % 3), null, b("m" + i), 0);
        }
        s.remove(5);
        assertEquals(0, s.compact(1));
        assertEquals(5, s.compact(7)); // 1..6 without 5
        StreamState st = s.state();
        assertEquals(7, st.firstSeq());
        assertEquals(4, st.msgs());
        assertEquals(0, s.compact(3));
        s = restart(s);
        assertEquals(7, s.state().firstSeq());
        assertNull(s.load(6));
        assertEquals("m7", str(s.load(7).payload()));

        assertEquals(4, s.compact(20));
        st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(20, st.firstSeq());
        assertEquals(19, st.lastSeq());
        s = restart(s);
        assertEquals(19, s.state().lastSeq());
        assertEquals(20, s.store("a", null, b("x"), 0).seq());
    }

    @Test
    void compactOntoADeletedSequence() {
        StreamStore s = create();
        for (int i = 1; i <= 5; i++) {
            s.store("a", null, b("m" + i), 0);
        }
        s.remove(3);
        assertEquals(2, s.compact(3));
        assertEquals(4, s.state().firstSeq());
        assertEquals(2, s.state().msgs());
    }

    @Test
    void truncateRemovesAbove() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store("t." + (i % 2), null, b("m" + i), 0);
        }
        long ts6 = s.load(6).timestampNanos();
        s.truncate(6);
        StreamState st = s.state();
        assertEquals(6, st.msgs());
        assertEquals(6, st.lastSeq());
        assertEquals(ts6, st.lastTimeNanos());
        assertNull(s.load(7));
        assertEquals(Map.of("t.0", 3L, "t.1", 3L), s.subjectsState(null));
        s.truncate(20);
        assertEquals(6, s.state().lastSeq());
        s = restart(s);
        assertEquals(6, s.state().lastSeq());
        assertEquals(7, s.store("t.x", null, b("new7"), 0).seq());
        assertEquals("new7", str(s.load(7).payload()));
        s = restart(s);
        assertEquals("new7", str(s.load(7).payload()));
        assertEquals(7, s.state().msgs());
    }

    @Test
    void truncateOntoADeletedSequenceKeepsIt() {
        StreamStore s = create();
        for (int i = 1; i <= 6; i++) {
            s.store("a", null, b("m" + i), 0);
        }
        s.remove(4);
        s.truncate(4);
        assertEquals(4, s.state().lastSeq());
        assertEquals(3, s.state().msgs());
        s = restart(s);
        assertEquals(4, s.state().lastSeq());
        assertEquals(5, s.store("a", null, b("again5"), 0).seq());
        s = restart(s);
        assertEquals("again5", str(s.load(5).payload()));
        assertNull(s.load(4));
    }

    @Test
    void truncateToZeroResets() {
        StreamStore s = create();
        s.store("a", null, b("1"), 0);
        s.store("a", null, b("2"), 0);
        s.truncate(0);
        StreamState st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(0, st.lastSeq());
        assertEquals(0, st.firstSeq());
        s = restart(s);
        assertEquals(0, s.state().lastSeq());
        assertEquals(1, s.store("a", null, b("again"), 0).seq());
    }

    @Test
    void truncateBelowTheFirstSequence() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store("a", null, b("m" + i), 0);
        }
        s.compact(8);
        s.truncate(5);
        StreamState st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(5, st.lastSeq());
        assertEquals(6, st.firstSeq());
        s = restart(s);
        assertEquals(5, s.state().lastSeq());
        assertEquals(6, s.store("a", null, b("six"), 0).seq());
        s = restart(s);
        assertEquals("six", str(s.load(6).payload()));
    }

    // ---- storeRaw and first_seq -----------------------------------------------------------------

    @Test
    void storeRawKeepsSequenceAndTime() {
        StreamStore s = create();
        s.storeRaw("m", null, b("a"), 5, 12345L, 0);
        s.storeRaw("m", b("NATS/1.0\r\n\r\n"), b("b"), 6, 12346L, 0);
        s.storeRaw("m", null, b("c"), 9, 12350L, 0);
        StreamState st = s.state(true);
        assertEquals(3, st.msgs());
        assertEquals(5, st.firstSeq());
        assertEquals(9, st.lastSeq());
        assertEquals(12345L, st.firstTimeNanos());
        assertEquals(12350L, st.lastTimeNanos());
        assertArrayEquals(new long[] {7, 8}, st.deleted());
        assertEquals(12346L, s.load(6).timestampNanos());
        assertThrows(IllegalArgumentException.class, () -> s.storeRaw("m", null, b("d"), 9, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> s.storeRaw("m", null, b("d"), 3, 1, 0));
        StreamStore r = restart(s);
        assertEquals(12346L, r.load(6).timestampNanos());
        assertEquals(10, r.store("m", null, b("e"), 0).seq());
    }

    @Test
    void firstSeqConfig() {
        StreamStore s = create(StoreConfig.builder("S").firstSeq(100));
        assertEquals(100, s.state().firstSeq());
        assertEquals(99, s.state().lastSeq());
        assertEquals(100, s.store("a", null, b("x"), 0).seq());
        s = restart(s);
        assertEquals(101, s.store("a", null, b("y"), 0).seq());
    }

    // ---- limits ---------------------------------------------------------------------------------

    @Test
    void maxMsgsDiscardOld() {
        StreamStore s = create(StoreConfig.builder("S").maxMsgs(3));
        List<String> events = new CopyOnWriteArrayList<>();
        s.registerRemovalListener((seq, subject, reason) -> events.add(seq + ":" + subject + ":" + reason));
        for (int i = 1; i <= 5; i++) {
            s.store("a." + i, null, b("m" + i), 0);
        }
        assertArrayEquals(new long[] {3, 4, 5}, seqsOf(s, null));
        assertEquals(List.of("1:a.1:MAX_MSGS", "2:a.2:MAX_MSGS"), events);
        assertEquals(3, s.state().numSubjects());
    }

    @Test
    void maxBytesDiscardOld() {
        long one = expectedSize("a", null, new byte[100]);
        StreamStore s = create(StoreConfig.builder("S").maxBytes(one * 3 + one / 2));
        for (int i = 0; i < 10; i++) {
            s.store("a", null, new byte[100], 0);
        }
        StreamState st = s.state();
        assertEquals(3, st.msgs());
        assertEquals(8, st.firstSeq());
        assertEquals(one * 3, st.bytes());
    }

    @Test
    void maxMsgsPerSubjectDropsTheSubjectsOldest() {
        StreamStore s = create(StoreConfig.builder("S").maxMsgsPerSubject(2));
        List<String> events = new CopyOnWriteArrayList<>();
        s.registerRemovalListener((seq, subject, reason) -> events.add(seq + ":" + reason));
        s.store("k.a", null, b("a1"), 0); // 1
        s.store("k.b", null, b("b1"), 0); // 2
        s.store("k.a", null, b("a2"), 0); // 3
        s.store("k.a", null, b("a3"), 0); // 4 -> drops 1
        s.store("k.b", null, b("b2"), 0); // 5
        s.store("k.a", null, b("a4"), 0); // 6 -> drops 3
        assertArrayEquals(new long[] {2, 4, 5, 6}, seqsOf(s, null));
        assertEquals(List.of("1:MAX_MSGS_PER_SUBJECT", "3:MAX_MSGS_PER_SUBJECT"), events);
        assertEquals(Map.of("k.a", 2L, "k.b", 2L), s.subjectsState(null));
        s = restart(s);
        s.store("k.b", null, b("b3"), 0); // 7 -> drops 2
        assertArrayEquals(new long[] {4, 5, 6, 7}, seqsOf(s, null));
    }

    @Test
    void discardNewRejectsAtMaxMsgs() {
        StreamStore s = create(StoreConfig.builder("S").maxMsgs(2).discardNew(true));
        s.store("a", null, b("1"), 0);
        s.store("b", null, b("2"), 0);
        StoreLimitException e = assertThrows(StoreLimitException.class, () -> s.store("c", null, b("3"), 0));
        assertEquals(StoreLimitException.Reason.MAX_MSGS, e.reason());
        assertEquals("maximum messages exceeded", e.getMessage());
        assertEquals(2, s.state().lastSeq());
        s.remove(1);
        assertEquals(3, s.store("c", null, b("3"), 0).seq());
    }

    @Test
    void discardNewRejectsAtMaxBytes() {
        long one = expectedSize("a", null, new byte[10]);
        StreamStore s = create(StoreConfig.builder("S").maxBytes(one * 2).discardNew(true));
        s.store("a", null, new byte[10], 0);
        s.store("a", null, new byte[10], 0);
        StoreLimitException e = assertThrows(StoreLimitException.class, () -> s.store("a", null, new byte[1], 0));
        assertEquals(StoreLimitException.Reason.MAX_BYTES, e.reason());
        assertEquals(2, s.state().msgs());
    }

    @Test
    void discardNewAtSubjectLimitReplacesUnlessPerSubject() {
        // Upstream: at max_msgs_per_subject the subject's oldest makes room, so max_msgs does not reject.
        StreamStore s = create(StoreConfig.builder("S").maxMsgs(2).maxMsgsPerSubject(1).discardNew(true));
        s.store("a", null, b("1"), 0);
        s.store("b", null, b("2"), 0);
        assertEquals(3, s.store("a", null, b("3"), 0).seq());
        assertArrayEquals(new long[] {2, 3}, seqsOf(s, null));
        assertThrows(StoreLimitException.class, () -> s.store("c", null, b("4"), 0));

        StreamStore p = create(StoreConfig.builder("P").maxMsgsPerSubject(1).discardNew(true)
                .discardNewPerSubject(true));
        p.store("a", null, b("1"), 0);
        StoreLimitException e = assertThrows(StoreLimitException.class, () -> p.store("a", null, b("2"), 0));
        assertEquals(StoreLimitException.Reason.MAX_MSGS_PER_SUBJECT, e.reason());
        assertEquals(2, p.store("b", null, b("2"), 0).seq());
        // A rollup message passes and then replaces the subject's oldest.
        assertEquals(3, p.store("a", b("NATS/1.0\r\nNats-Rollup: sub\r\n\r\n"), b("3"), 0).seq());
        assertArrayEquals(new long[] {2, 3}, seqsOf(p, null));
    }

    @Test
    void maxMsgSize() {
        StreamStore s = create(StoreConfig.builder("S").maxMsgSize(10));
        s.store("a", b("12345"), b("12345"), 0);
        StoreLimitException e = assertThrows(StoreLimitException.class,
                () -> s.store("a", b("12345"), b("123456"), 0));
        assertEquals(StoreLimitException.Reason.MAX_MSG_SIZE, e.reason());
    }

    @Test
    void updateConfigEnforcesTighterLimits() {
        StreamStore s = create();
        for (int i = 1; i <= 10; i++) {
            s.store("k." + (i % 2), null, b("m" + i), 0);
        }
        s.updateConfig(s.config().toBuilder().maxMsgsPerSubject(3).build());
        assertEquals(6, s.state().msgs());
        assertArrayEquals(new long[] {5, 6, 7, 8, 9, 10}, seqsOf(s, null));
        s.updateConfig(s.config().toBuilder().maxMsgs(2).build());
        assertArrayEquals(new long[] {9, 10}, seqsOf(s, null));
        assertEquals(2, s.config().maxMsgs());
        s = restart(s);
        assertEquals(2, s.config().maxMsgs());
        s.store("k.0", null, b("x"), 0);
        assertArrayEquals(new long[] {10, 11}, seqsOf(s, null));
    }

    // ---- expiry ---------------------------------------------------------------------------------

    @Test
    void maxAgeExpiresInTheBackground() {
        StreamStore s = create(StoreConfig.builder("S").maxAgeNanos(TimeUnit.MILLISECONDS.toNanos(150)));
        List<Long> expired = new CopyOnWriteArrayList<>();
        s.registerRemovalListener((seq, subject, reason) -> {
            if (reason == RemovalReason.MAX_AGE) {
                expired.add(seq);
            }
        });
        for (int i = 0; i < 5; i++) {
            s.store("a", null, b("x"), 0);
        }
        assertEquals(5, s.state().msgs());
        await("max_age expiry", () -> expired.size() == 5);
        assertEquals(0, s.state().msgs());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), expired);
        assertEquals(6, s.state().firstSeq());
        assertEquals(5, s.state().lastSeq());
    }

    @Test
    void maxAgeExpiresLazilyOnStore() {
        StreamStore s = create(StoreConfig.builder("S").maxAgeNanos(TimeUnit.MILLISECONDS.toNanos(100)));
        s.storeRaw("a", null, b("old"), 1, StoreScheduler.nowNanos() - TimeUnit.SECONDS.toNanos(10), 0);
        s.store("a", null, b("new"), 0);
        // The first message was long expired when the second was stored.
        assertNull(s.load(1));
        assertEquals(1, s.state().msgs());
    }

    @Test
    void perMessageTtl() {
        StreamStore s = create(StoreConfig.builder("S").allowMsgTtl(true));
        List<String> events = new CopyOnWriteArrayList<>();
        s.registerRemovalListener((seq, subject, reason) -> events.add(seq + ":" + reason));
        s.store("keep", null, b("1"), 0);
        s.store("short", null, b("2"), TimeUnit.MILLISECONDS.toNanos(100));
        s.store("keep", null, b("3"), TimeUnit.HOURS.toNanos(1));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), s.load(2).ttlNanos());
        await("ttl expiry", () -> !events.isEmpty());
        assertNull(s.load(2));
        assertEquals(List.of("2:TTL"), events);
        assertEquals(2, s.state().msgs());
    }

    @Test
    void subjectDeleteMarkersAreAskedForWhenAgeOrTtlEmptiesASubject() {
        StreamStore s = create(StoreConfig.builder("S").allowMsgTtl(true).subjectDeleteMarkers(true)
                .maxAgeNanos(TimeUnit.MILLISECONDS.toNanos(200)));
        List<String> emptied = new CopyOnWriteArrayList<>();
        s.registerRemovalListener(new RemovalListener() {
            @Override
            public void messageRemoved(long seq, String subject, RemovalReason reason) {
            }

            @Override
            public void subjectEmptiedByAge(String subject) {
                emptied.add(subject);
            }

            @Override
            public boolean writesSubjectDeleteMarkers() {
                return true;
            }
        });
        s.store("two", null, b("1"), 0);
        s.store("two", null, b("2"), 0);
        s.store("ttl", null, b("3"), TimeUnit.MILLISECONDS.toNanos(100));
        s.store("marker", "NATS/1.0\r\nNats-Marker-Reason: MaxAge\r\n\r\n".getBytes(StandardCharsets.UTF_8), b(""), 0);
        s.store("purged", "NATS/1.0\r\nKV-Operation: PURGE\r\n\r\n".getBytes(StandardCharsets.UTF_8), b(""), 0);
        await("expiry", () -> s.state().msgs() == 0);
        // one report per emptied subject, none for a marker (of either kind) going
        assertEquals(List.of("ttl", "two"), emptied.stream().sorted().toList());
    }

    @Test
    void ttlIgnoredUnlessAllowed() throws InterruptedException {
        StreamStore s = create();
        s.store("a", null, b("1"), TimeUnit.MILLISECONDS.toNanos(1));
        s.store("a", null, b("2"), 0);
        assertNotNull(s.load(1));
        assertEquals(2, s.state().msgs());
    }

    @Test
    void neverTtlIsExemptFromMaxAge() {
        StreamStore s = create(StoreConfig.builder("S").allowMsgTtl(true)
                .maxAgeNanos(TimeUnit.MILLISECONDS.toNanos(100)));
        s.store("a", null, b("forever"), -1);
        s.store("a", null, b("ages"), 0);
        await("max_age expiry", () -> s.load(2) == null);
        assertEquals("forever", str(s.load(1).payload()));
        StreamStore r = restart(s);
        r.store("a", null, b("ages too"), 0);
        await("max_age expiry after restart", () -> r.load(3) == null);
        assertNotNull(r.load(1));
    }

    @Test
    void ttlSurvivesRestart() {
        StreamStore s = create(StoreConfig.builder("S").allowMsgTtl(true));
        s.store("a", null, b("1"), TimeUnit.MILLISECONDS.toNanos(300));
        s.store("a", null, b("2"), 0);
        StreamStore r = restart(s);
        await("ttl expiry after restart", () -> r.load(1) == null);
        assertNotNull(r.load(2));
    }

    // ---- listeners ------------------------------------------------------------------------------

    @Test
    void listenerHearsRemovesAndPurges() {
        StreamStore s = create();
        List<String> events = new CopyOnWriteArrayList<>();
        s.registerRemovalListener(new RemovalListener() {
            @Override
            public void messageRemoved(long seq, String subject, RemovalReason reason) {
                events.add(seq + ":" + subject + ":" + reason);
            }

            @Override
            public void messagesPurged(long count, long bytes, long firstSeq) {
                events.add("purged " + count + " first " + firstSeq);
            }
        });
        for (int i = 1; i <= 6; i++) {
            s.store("s" + i, null, b("x"), 0);
        }
        s.remove(2);
        s.erase(3);
        s.purge("s4", 0, 0);
        s.compact(6);
        s.purge();
        assertEquals(List.of("2:s2:REMOVED", "3:s3:ERASED", "purged 1 first 1", "purged 2 first 6",
                "purged 1 first 7"), events);
    }

    @Test
    void listenerMayCallBackIntoTheStore() {
        StreamStore s = create(StoreConfig.builder("S").maxMsgs(1));
        AtomicReference<StoredMessage> seen = new AtomicReference<>();
        s.registerRemovalListener((seq, subject, reason) -> seen.set(s.loadLast(null)));
        s.store("a", null, b("1"), 0);
        s.store("a", null, b("2"), 0);
        assertEquals(2, seen.get().seq());
    }

    // ---- consumers ------------------------------------------------------------------------------

    @Test
    void consumerStateRoundTrip() {
        StreamStore s = create();
        ConsumerStore c = s.consumerStore("dur");
        assertEquals(ConsumerState.EMPTY, c.state());
        ConsumerState st = new ConsumerState(new ConsumerState.SequencePair(10, 20),
                new ConsumerState.SequencePair(5, 12),
                Map.of(15L, new ConsumerState.Pending(7, 111L), 18L, new ConsumerState.Pending(9, 222L)),
                Map.of(15L, 3L));
        c.update(st);
        assertEquals(st, c.state());
        assertEquals(c, s.consumerStore("dur"));
        s = restart(s);
        assertEquals(st, s.consumerStore("dur").state());
        s.deleteConsumerStore("dur");
        assertEquals(ConsumerState.EMPTY, s.consumerStore("dur").state());
        s = restart(s);
        assertEquals(ConsumerState.EMPTY, s.consumerStore("dur").state());
    }

    @Test
    void consumerNamesAreValidated() {
        StreamStore s = create();
        assertThrows(IllegalArgumentException.class, () -> s.consumerStore("a/b"));
        assertThrows(IllegalArgumentException.class, () -> s.consumerStore("a.b"));
        assertThrows(IllegalArgumentException.class, () -> s.consumerStore(""));
    }

    @Test
    void consumerDeleteItself() {
        StreamStore s = create();
        ConsumerStore c = s.consumerStore("c1");
        c.update(new ConsumerState(new ConsumerState.SequencePair(1, 1), new ConsumerState.SequencePair(1, 1),
                null, null));
        c.delete();
        assertThrows(IllegalStateException.class, c::state);
        assertEquals(ConsumerState.EMPTY, s.consumerStore("c1").state());
    }

    // ---- lifecycle and threads ------------------------------------------------------------------

    @Test
    void syncMakesNoVisibleChange() {
        StreamStore s = create(StoreConfig.builder("S").syncAlways(true));
        s.store("a", null, b("1"), 0);
        s.remove(1);
        s.store("a", null, b("2"), 0);
        s.sync();
        s.sync();
        assertEquals(1, s.state().msgs());
        s = restart(s);
        assertEquals("2", str(s.load(2).payload()));
    }

    @Test
    void deleteDropsEverythingAndCloses() {
        StreamStore s = create();
        s.store("a", null, b("1"), 0);
        s.consumerStore("c").update(ConsumerState.EMPTY);
        s.delete();
        assertThrows(IllegalStateException.class, () -> s.load(1));
        assertThrows(IllegalStateException.class, () -> s.consumerStore("c"));
    }

    @Test
    void closedStoreRefusesCalls() {
        StreamStore s = create();
        s.store("a", null, b("1"), 0);
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.store("a", null, b("2"), 0));
        assertThrows(IllegalStateException.class, () -> s.load(1));
        assertThrows(IllegalStateException.class, s::state);
    }

    @Test
    void readersRunAlongsideTheWriter() throws Exception {
        StreamStore s = create(StoreConfig.builder("S").maxMsgs(500).blockSize(4096));
        int total = 3000;
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    s.store("w." + (i % 7), null, b("payload-" + i), 0);
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(new Thread(() -> {
                try {
                    while (s.state().lastSeq() < total) {
                        StreamState st = s.state();
                        StoredMessage m = s.loadNext("w.*", st.firstSeq());
                        if (m != null && !str(m.payload()).equals("payload-" + m.seq())) {
                            errors.add(new AssertionError("bad payload at " + m.seq()));
                        }
                        s.numPending(st.firstSeq(), "w.3", false);
                        s.loadLast("w.1");
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        writer.start();
        readers.forEach(Thread::start);
        writer.join(30_000);
        for (Thread t : readers) {
            t.join(30_000);
        }
        assertEquals(List.of(), errors);
        assertEquals(500, s.state().msgs());
        assertEquals(total, s.state().lastSeq());
    }
}
