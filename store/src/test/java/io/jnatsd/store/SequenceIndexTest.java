package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The sequence index against a naive model (a sorted map): random appends, removals and gaps,
 * then every query compared, including the per-subject links and the far-link fallback.
 */
class SequenceIndexTest {

    @Test
    void matchesANaiveModel() {
        Random random = new Random(42);
        for (int round = 0; round < 8; round++) {
            SequenceIndex index = new SequenceIndex();
            SubjectTable subjects = new SubjectTable();
            TreeMap<Long, Integer> model = new TreeMap<>();
            long seq = 1 + random.nextInt(1000);
            for (int op = 0; op < 3000; op++) {
                if (model.isEmpty() || random.nextInt(3) > 0) {
                    seq += random.nextInt(10) == 0 ? 1 + random.nextInt(500) : 1;
                    String name = "s" + random.nextInt(8);
                    SubjectTable.Subject s = subjects.get(name);
                    if (s == null) {
                        s = subjects.add(name);
                    }
                    index.put(seq, seq * 10, 7, s, null);
                    model.put(seq, s.id);
                } else {
                    List<Long> keys = new ArrayList<>(model.keySet());
                    long victim = keys.get(random.nextInt(keys.size()));
                    SubjectTable.Subject s = subjects.byId(model.remove(victim));
                    index.remove(victim, s);
                    if (s.count == 0) {
                        subjects.remove(s);
                    }
                }
            }
            check(index, subjects, model, seq);
        }
    }

    private static void check(SequenceIndex index, SubjectTable subjects, TreeMap<Long, Integer> model, long last) {
        assertEquals(model.size(), index.size());
        long first = model.isEmpty() ? 0 : model.firstKey();
        for (long s = Math.max(1, first - 70); s <= last + 70; s++) {
            Long next = model.ceilingKey(s);
            assertEquals(next == null ? -1 : next, index.nextLive(s, Long.MAX_VALUE), "nextLive " + s);
            Long prev = model.floorKey(s);
            assertEquals(prev == null ? -1 : prev, index.prevLive(s, 0), "prevLive " + s);
            if (s % 97 == 0) {
                assertEquals(model.tailMap(s, true).size(), index.countFrom(s), "countFrom " + s);
            }
            assertEquals(model.containsKey(s), index.contains(s));
        }
        for (SubjectTable.Subject subject : subjects.all()) {
            List<Long> seqs = new ArrayList<>();
            model.forEach((k, v) -> {
                if (v == subject.id) {
                    seqs.add(k);
                }
            });
            assertEquals(seqs.size(), subject.count);
            assertEquals(seqs.get(0), subject.first);
            assertEquals(seqs.get(seqs.size() - 1), subject.last);
            for (int i = 0; i + 1 < seqs.size(); i++) {
                assertEquals(seqs.get(i + 1), index.nextSameSubject(seqs.get(i)));
                assertEquals(seqs.get(i), index.prevSameSubject(seqs.get(i + 1)));
            }
        }
    }

    @Test
    void theWindowIsBounded() {
        SequenceIndex index = new SequenceIndex();
        SubjectTable.Subject a = new SubjectTable().add("a");
        long first = 1L + Integer.MAX_VALUE;
        index.put(first, 0, 1, a, null);
        long limit = ((first >>> SequenceIndex.PAGE_BITS) + SequenceIndex.MAX_PAGES) << SequenceIndex.PAGE_BITS;
        assertTrue(index.canPut(limit - 1));
        assertFalse(index.canPut(limit));
        assertThrows(IllegalArgumentException.class, () -> index.put(limit, 0, 1, a, null));
        index.put(limit - 1, 0, 1, a, null);
        assertEquals(limit - 1, index.nextSameSubject(first));
        index.remove(first, a);
        assertEquals(limit - 1, a.first);
        // Once the old message is gone the window moves: far sequences fit again.
        assertTrue(index.canPut(limit + 1000));
    }
}
