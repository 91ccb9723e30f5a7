package io.jnatsd.store;

import io.jnatsd.protocol.subject.Subjects;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;

/**
 * The per-subject index: subject → count, first and last live sequence, plus a small int id
 * used by the sequence index so it never stores a reference per message. Ids of subjects that
 * lose their last message are reused; filter caches are told so. Guarded by the store's lock.
 */
final class SubjectTable {

    /** One subject's live messages. */
    static final class Subject {
        final String name;
        final int id;
        long count;
        long first;
        long last;

        Subject(String name, int id) {
            this.name = name;
            this.id = id;
        }
    }

    private final HashMap<String, Subject> byName = new HashMap<>();
    private Subject[] byId = new Subject[64];
    private int[] freeIds = new int[16];
    private int freeCount;
    private int nextId = 1;
    private final List<FilterCache> caches = new ArrayList<>();

    Subject get(String name) {
        return byName.get(name);
    }

    Subject byId(int id) {
        return byId[id];
    }

    /** The subject with this id, or null (also for ids out of range). */
    Subject byIdOrNull(int id) {
        return id > 0 && id < byId.length ? byId[id] : null;
    }

    int size() {
        return byName.size();
    }

    /** One more than the largest id in use, for sizing per-id arrays. */
    int idLimit() {
        return nextId;
    }

    Collection<Subject> all() {
        return byName.values();
    }

    Subject add(String name) {
        int id = freeCount > 0 ? freeIds[--freeCount] : nextId++;
        if (id >= byId.length) {
            byId = java.util.Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
        }
        Subject s = new Subject(name, id);
        byId[id] = s;
        byName.put(name, s);
        for (int i = 0; i < caches.size(); i++) {
            caches.get(i).forget(id);
        }
        return s;
    }

    /**
     * Puts back a subject as a store summary saved it, with its id, count, first and last.
     * {@link #restored} must follow the last one.
     */
    Subject restore(String name, int id, long count, long first, long last) {
        if (id <= 0 || byName.containsKey(name) || (id < byId.length && byId[id] != null)) {
            throw new IllegalArgumentException("bad subject entry " + id + " " + name);
        }
        if (id >= byId.length) {
            byId = java.util.Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
        }
        Subject s = new Subject(name, id);
        s.count = count;
        s.first = first;
        s.last = last;
        byId[id] = s;
        byName.put(name, s);
        nextId = Math.max(nextId, id + 1);
        return s;
    }

    /** After {@link #restore}: the ids left unused below the largest become free. */
    void restored() {
        freeCount = 0;
        for (int id = nextId - 1; id >= 1; id--) {
            if (byId[id] == null) {
                if (freeCount == freeIds.length) {
                    freeIds = java.util.Arrays.copyOf(freeIds, freeCount * 2);
                }
                freeIds[freeCount++] = id;
            }
        }
    }

    void remove(Subject s) {
        byName.remove(s.name);
        byId[s.id] = null;
        if (freeCount == freeIds.length) {
            freeIds = java.util.Arrays.copyOf(freeIds, freeCount * 2);
        }
        freeIds[freeCount++] = s.id;
    }

    void clear() {
        byName.clear();
        byId = new Subject[64];
        freeCount = 0;
        nextId = 1;
        caches.clear();
    }

    /**
     * A cache of "does subject id N match this wildcard filter", shared by queries with the same
     * filter (consumers call loadNext with one filter again and again). At most 16 are kept.
     */
    FilterCache cacheFor(String filter) {
        synchronized (caches) {
            for (int i = 0; i < caches.size(); i++) {
                FilterCache c = caches.get(i);
                if (c.filter.equals(filter)) {
                    return c;
                }
            }
            FilterCache c = new FilterCache(filter);
            if (caches.size() == 16) {
                caches.remove(0);
            }
            caches.add(c);
            return c;
        }
    }

    /**
     * Match results per subject id: 0 unknown, 1 match, 2 no match. Readers holding the read
     * lock may fill it concurrently; they only ever write the true answer, and a lost write just
     * means recomputing it. Writers (holding the write lock) reset ids that get reused.
     */
    final class FilterCache {
        final String filter;
        private volatile byte[] state = new byte[64];

        FilterCache(String filter) {
            this.filter = filter;
        }

        boolean matches(int id) {
            byte[] s = state;
            if (id < s.length) {
                byte v = s[id];
                if (v != 0) {
                    return v == 1;
                }
            } else {
                s = java.util.Arrays.copyOf(s, Math.max(id + 1, s.length * 2));
                state = s;
            }
            boolean m = Subjects.subjectMatchesFilter(byId[id].name, filter);
            s[id] = (byte) (m ? 1 : 2);
            return m;
        }

        void forget(int id) {
            byte[] s = state;
            if (id < s.length) {
                s[id] = 0;
            }
        }
    }
}
