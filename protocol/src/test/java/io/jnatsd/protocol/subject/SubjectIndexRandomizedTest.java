package io.jnatsd.protocol.subject;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks the index and the wildcard algebra against brute force written independently of
 * {@link Subjects} (split-based), over a small alphabet so that subjects and filters overlap.
 */
class SubjectIndexRandomizedTest {

    private static final String[] ALPHABET = {"a", "b", "c", "d"};
    private static final String[] QUEUES = {null, null, null, "q1", "q2"};

    private record Sub(String subject, String queue, int id) {
    }

    static boolean refMatches(String subject, String filter) {
        String[] s = subject.split("\\.", -1);
        String[] f = filter.split("\\.", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals(">")) {
                return s.length > i;
            }
            if (i >= s.length || !f[i].equals("*") && !f[i].equals(s[i])) {
                return false;
            }
        }
        return s.length == f.length;
    }

    static String randomFilter(Random rnd) {
        int depth = 1 + rnd.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append('.');
            }
            int r = rnd.nextInt(10);
            if (i == depth - 1 && r == 0) {
                sb.append('>');
            } else if (r < 3) {
                sb.append('*');
            } else {
                sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
            }
        }
        return sb.toString();
    }

    static String randomSubject(Random rnd) {
        int depth = 1 + rnd.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "seed={0} cacheMax={1}")
    @CsvSource({"1,1024", "2,1024", "3,0", "4,8", "5,8", "6,2"})
    void indexAgreesWithBruteForce(long seed, int cacheMax) {
        Random rnd = new Random(seed);
        SubjectIndex<Sub> idx = new SubjectIndex<>(cacheMax, cacheMax / 2);
        List<Sub> model = new ArrayList<>();
        int nextId = 0;
        for (int op = 0; op < 6000; op++) {
            int r = rnd.nextInt(100);
            if (r < 35 || model.isEmpty()) {
                Sub s = new Sub(randomFilter(rnd), QUEUES[rnd.nextInt(QUEUES.length)], nextId++);
                assertEquals(true, idx.insert(s.subject(), s.queue(), s));
                model.add(s);
            } else if (r < 60) {
                Sub s = model.remove(rnd.nextInt(model.size()));
                assertEquals(true, idx.remove(s.subject(), s.queue(), s), "remove " + s);
            } else if (r < 63) {
                Sub ghost = new Sub(randomFilter(rnd), null, -1);
                assertEquals(false, idx.remove(ghost.subject(), ghost.queue(), ghost));
            } else if (r < 95) {
                String subject = randomSubject(rnd);
                checkMatch(idx, model, subject);
                checkMatch(idx, model, subject); // possibly from the cache now
            } else {
                String filter = randomFilter(rnd);
                Map<Sub, Integer> expected = new IdentityHashMap<>();
                for (Sub s : model) {
                    if (Subjects.subjectsCollide(s.subject(), filter)) {
                        expected.merge(s, 1, Integer::sum);
                    }
                }
                assertEquals(expected, counts(idx.matchingAll(filter)), "matchingAll " + filter);
            }
            assertEquals(model.size(), idx.count());
            if (cacheMax > 0) {
                assertEquals(true, idx.cacheSize() <= Math.max(cacheMax, 1) + 1);
            }
        }
    }

    private static void checkMatch(SubjectIndex<Sub> idx, List<Sub> model, String subject) {
        Map<Sub, Integer> plain = new IdentityHashMap<>();
        Map<String, Map<Sub, Integer>> groups = new HashMap<>();
        for (Sub s : model) {
            if (refMatches(subject, s.subject())) {
                if (s.queue() == null) {
                    plain.merge(s, 1, Integer::sum);
                } else {
                    groups.computeIfAbsent(s.queue(), q -> new IdentityHashMap<>()).merge(s, 1, Integer::sum);
                }
            }
        }
        MatchResult<Sub> r = idx.match(subject);
        assertEquals(plain, counts(r.plainList()), "plain for " + subject);
        Map<String, Map<Sub, Integer>> actualGroups = new HashMap<>();
        for (int g = 0; g < r.queueGroupCount(); g++) {
            MatchResult.QueueGroup<Sub> group = r.queueGroup(g);
            List<Sub> members = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                members.add(group.get(i));
            }
            assertEquals(null, actualGroups.put(group.name(), counts(members)), "one group per name");
        }
        assertEquals(groups, actualGroups, "queue groups for " + subject);
        assertEquals(!plain.isEmpty() || !groups.isEmpty(), idx.hasInterest(subject), "hasInterest " + subject);
    }

    private static Map<Sub, Integer> counts(List<Sub> subs) {
        Map<Sub, Integer> m = new IdentityHashMap<>();
        for (Sub s : subs) {
            m.merge(s, 1, Integer::sum);
        }
        return m;
    }

    /** Every literal subject of up to {@code depth} tokens over the alphabet plus a stranger. */
    private static List<String> allSubjects(int depth) {
        String[] tokens = {"a", "b", "c", "d", "x"};
        List<String> out = new ArrayList<>();
        List<String> layer = List.of("");
        for (int d = 1; d <= depth; d++) {
            List<String> next = new ArrayList<>();
            for (String prefix : layer) {
                for (String t : tokens) {
                    next.add(prefix.isEmpty() ? t : prefix + "." + t);
                }
            }
            out.addAll(next);
            layer = next;
        }
        return out;
    }

    @Test
    void algebraAgreesWithEnumeration() {
        Random rnd = new Random(42);
        // filters have at most 4 tokens, so a witness, if any, has at most 5
        List<String> universe = allSubjects(5);
        for (int n = 0; n < 250; n++) {
            String f = randomFilter(rnd);
            String o = randomFilter(rnd);
            boolean subset = true;
            boolean collide = false;
            for (String s : universe) {
                boolean inF = refMatches(s, f);
                boolean inO = refMatches(s, o);
                subset &= !inF || inO;
                collide |= inF && inO;
                if (n < 40) {
                    assertEquals(inF, Subjects.subjectMatchesFilter(s, f), s + " ~ " + f);
                }
            }
            assertEquals(subset, Subjects.subjectIsSubsetOf(f, o), f + " <= " + o);
            assertEquals(collide, Subjects.subjectsCollide(f, o), f + " x " + o);
        }
    }
}
