package io.jnatsd.store;

import io.jnatsd.protocol.subject.Subjects;

import java.util.HashMap;
import java.util.Map;

/**
 * Subject-filtered questions answered from the in-memory indexes alone: next/previous matching
 * sequence, filtered counts, per-subject counts. Literal filters use the per-subject index
 * (first, last, count and the links between a subject's messages); wildcard filters either
 * combine the matching subjects (when there are few subjects) or walk the sequence index with a
 * cached match result per subject id. Callers hold the store's lock (read or write).
 * All methods return -1 for "no such sequence".
 */
final class IndexQueries {

    /** Below this many subjects, a wildcard filter is answered subject by subject. */
    private static final int FEW_SUBJECTS = 32;
    /** Below this many messages, a subject is walked through its links rather than scanned. */
    private static final long SHORT_CHAIN = 256;

    private final SequenceIndex index;
    private final SubjectTable subjects;

    IndexQueries(SequenceIndex index, SubjectTable subjects) {
        this.index = index;
        this.subjects = subjects;
    }

    /** The first live sequence in [from, to] whose subject matches. */
    long nextMatch(String filter, long from, long to) {
        if (from > to) {
            return -1;
        }
        if (Subjects.matchesEverything(filter)) {
            return index.nextLive(from, to);
        }
        if (Subjects.isLiteral(filter)) {
            SubjectTable.Subject s = subjects.get(filter);
            return s == null ? -1 : nextInSubject(s, from, to);
        }
        if (subjects.size() <= FEW_SUBJECTS) {
            long best = -1;
            for (SubjectTable.Subject s : subjects.all()) {
                if (Subjects.subjectMatchesFilter(s.name, filter)) {
                    long n = nextInSubject(s, from, best < 0 ? to : best - 1);
                    if (n >= 0) {
                        best = n;
                    }
                }
            }
            return best;
        }
        return scanForward(subjects.cacheFor(filter), from, to);
    }

    /** The last live sequence in [to, from] (from ≥ to) whose subject matches. */
    long prevMatch(String filter, long from, long to) {
        if (from < to) {
            return -1;
        }
        if (Subjects.matchesEverything(filter)) {
            return index.prevLive(from, to);
        }
        if (Subjects.isLiteral(filter)) {
            SubjectTable.Subject s = subjects.get(filter);
            return s == null ? -1 : prevInSubject(s, from, to);
        }
        if (subjects.size() <= FEW_SUBJECTS) {
            long best = -1;
            for (SubjectTable.Subject s : subjects.all()) {
                if (Subjects.subjectMatchesFilter(s.name, filter)) {
                    long n = prevInSubject(s, from, best < 0 ? to : best + 1);
                    if (n >= 0) {
                        best = n;
                    }
                }
            }
            return best;
        }
        return scanBackward(subjects.cacheFor(filter), from, to);
    }

    private long nextInSubject(SubjectTable.Subject s, long from, long to) {
        if (s.count == 0 || from > s.last || s.first > to) {
            return -1;
        }
        if (from <= s.first) {
            return s.first;
        }
        long n;
        if (from > 1 && isLiveWithSubject(from - 1, s.id)) {
            // A consumer walking forward asks for "after the one I just had": follow its link.
            n = index.nextSameSubject(from - 1);
        } else if (s.count <= SHORT_CHAIN) {
            n = s.first;
            while (n > 0 && n < from) {
                n = index.nextSameSubject(n);
            }
        } else {
            n = index.nextWithSubject(from, Math.min(to, s.last), s.id);
        }
        return n > 0 && n <= to ? n : -1;
    }

    private long prevInSubject(SubjectTable.Subject s, long from, long to) {
        if (s.count == 0 || from < s.first || s.last < to) {
            return -1;
        }
        if (from >= s.last) {
            return s.last;
        }
        long n;
        if (isLiveWithSubject(from + 1, s.id)) {
            n = index.prevSameSubject(from + 1);
        } else if (s.count <= SHORT_CHAIN) {
            n = s.last;
            while (n > 0 && n > from) {
                n = index.prevSameSubject(n);
            }
        } else {
            n = index.prevWithSubject(from, Math.max(to, s.first), s.id);
        }
        return n > 0 && n >= to ? n : -1;
    }

    private boolean isLiveWithSubject(long seq, int id) {
        SequenceIndex.Page p = index.page(seq);
        return p != null && p.subj[SequenceIndex.slot(seq)] == id;
    }

    private long scanForward(SubjectTable.FilterCache cache, long from, long to) {
        long seq = index.nextLive(from, to);
        while (seq >= 0) {
            SequenceIndex.Page p = index.page(seq);
            int end = (int) Math.min(SequenceIndex.SLOT_MASK, to - p.firstSeq);
            for (int i = SequenceIndex.slot(seq); i <= end; i++) {
                int id = p.subj[i];
                if (id != 0 && cache.matches(id)) {
                    return p.firstSeq + i;
                }
            }
            long nextPage = p.firstSeq + SequenceIndex.PAGE_SIZE;
            seq = nextPage > to ? -1 : index.nextLive(nextPage, to);
        }
        return -1;
    }

    private long scanBackward(SubjectTable.FilterCache cache, long from, long to) {
        long seq = index.prevLive(from, to);
        while (seq >= 0) {
            SequenceIndex.Page p = index.page(seq);
            int end = (int) Math.max(0, to - p.firstSeq);
            for (int i = SequenceIndex.slot(seq); i >= end; i--) {
                int id = p.subj[i];
                if (id != 0 && cache.matches(id)) {
                    return p.firstSeq + i;
                }
            }
            long prevPage = p.firstSeq - 1;
            seq = prevPage < to ? -1 : index.prevLive(prevPage, to);
        }
        return -1;
    }

    /** Messages at or after {@code start} matching the filter; the store's counters passed in. */
    SimpleState filteredState(long start, String filter, long firstSeq, long lastSeq, long msgs) {
        if (msgs == 0) {
            return SimpleState.EMPTY;
        }
        start = Math.max(start, firstSeq);
        if (start > lastSeq) {
            return SimpleState.EMPTY;
        }
        if (Subjects.matchesEverything(filter)) {
            long n = start <= firstSeq ? msgs : index.countFrom(start);
            if (n == 0) {
                return SimpleState.EMPTY;
            }
            return new SimpleState(n, index.nextLive(start, lastSeq), index.prevLive(lastSeq, start));
        }
        if (Subjects.isLiteral(filter)) {
            SubjectTable.Subject s = subjects.get(filter);
            return s == null ? SimpleState.EMPTY : subjectState(s, start);
        }
        long total = 0;
        long first = Long.MAX_VALUE;
        long last = 0;
        SubjectTable.FilterCache cache = subjects.cacheFor(filter);
        for (SubjectTable.Subject s : subjects.all()) {
            if (start > s.last || !cache.matches(s.id)) {
                continue;
            }
            SimpleState ss = subjectState(s, start);
            total += ss.msgs();
            first = Math.min(first, ss.first());
            last = Math.max(last, ss.last());
        }
        return total == 0 ? SimpleState.EMPTY : new SimpleState(total, first, last);
    }

    /**
     * One subject's messages at or after {@code start}. A partial answer walks the subject's
     * links from whichever end is nearer to {@code start}.
     */
    private SimpleState subjectState(SubjectTable.Subject s, long start) {
        if (start <= s.first) {
            return new SimpleState(s.count, s.first, s.last);
        }
        if (start > s.last) {
            return SimpleState.EMPTY;
        }
        boolean nearerTheEnd = (start - s.first) > (s.last - start);
        if (nearerTheEnd) {
            long n = 0;
            long seq = s.last;
            long first = s.last;
            while (seq > 0 && seq >= start) {
                n++;
                first = seq;
                seq = index.prevSameSubject(seq);
            }
            return new SimpleState(n, first, s.last);
        }
        long skipped = 0;
        long seq = s.first;
        while (seq > 0 && seq < start) {
            skipped++;
            seq = index.nextSameSubject(seq);
        }
        return new SimpleState(s.count - skipped, seq, s.last);
    }

    /** Subjects matching the filter whose last message is at or after {@code start}. */
    long lastPerSubjectPending(long start, String filter) {
        if (!Subjects.matchesEverything(filter) && Subjects.isLiteral(filter)) {
            SubjectTable.Subject s = subjects.get(filter);
            return s != null && s.last >= start ? 1 : 0;
        }
        SubjectTable.FilterCache cache = Subjects.matchesEverything(filter) ? null : subjects.cacheFor(filter);
        long n = 0;
        for (SubjectTable.Subject s : subjects.all()) {
            if (s.last >= start && (cache == null || cache.matches(s.id))) {
                n++;
            }
        }
        return n;
    }

    /** Live messages per subject, for subjects matching the filter. */
    Map<String, Long> subjectsState(String filter) {
        Map<String, Long> out = new HashMap<>();
        if (!Subjects.matchesEverything(filter) && Subjects.isLiteral(filter)) {
            SubjectTable.Subject s = subjects.get(filter);
            if (s != null) {
                out.put(s.name, s.count);
            }
            return out;
        }
        SubjectTable.FilterCache cache = Subjects.matchesEverything(filter) ? null : subjects.cacheFor(filter);
        for (SubjectTable.Subject s : subjects.all()) {
            if (cache == null || cache.matches(s.id)) {
                out.put(s.name, s.count);
            }
        }
        return out;
    }
}
