package io.jnatsd.protocol.subject;

import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * The subscribers of one trie node (or of one queue group at a node): a set by identity.
 *
 * <p>Kept as a dense array so that building a match result is a bulk copy. Removal swaps the
 * last element into the hole, so order is not preserved. Most nodes hold one or two items, so
 * the identity index that makes removal O(1) is only built once a node gets crowded: a
 * hundred thousand subscribers on one subject must not make each unsubscribe a linear scan.
 */
final class ItemList {

    private static final int INDEX_THRESHOLD = 16;

    private Object[] items = new Object[2];
    private int size;
    private IdentityHashMap<Object, Integer> positions;

    int size() {
        return size;
    }

    Object get(int i) {
        return items[i];
    }

    /** Adds the item unless it is already present; returns whether it was added. */
    boolean add(Object item) {
        if (indexOf(item) >= 0) {
            return false;
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = item;
        if (positions != null) {
            positions.put(item, size);
        } else if (size + 1 > INDEX_THRESHOLD) {
            positions = new IdentityHashMap<>(size * 2);
            for (int i = 0; i <= size; i++) {
                positions.put(items[i], i);
            }
        }
        size++;
        return true;
    }

    boolean remove(Object item) {
        int i = indexOf(item);
        if (i < 0) {
            return false;
        }
        int last = --size;
        Object moved = items[last];
        items[i] = moved;
        items[last] = null;
        if (positions != null) {
            positions.remove(item);
            if (i != last) {
                positions.put(moved, i);
            }
            if (size < INDEX_THRESHOLD / 2) {
                positions = null;
            }
        }
        if (size > 4 && size < items.length / 4) {
            items = Arrays.copyOf(items, items.length / 2);
        }
        return true;
    }

    /** Copies all items into {@code dst} from {@code offset}; the caller sized it. */
    void copyTo(Object[] dst, int offset) {
        System.arraycopy(items, 0, dst, offset, size);
    }

    private int indexOf(Object item) {
        if (positions != null) {
            Integer p = positions.get(item);
            return p == null ? -1 : p;
        }
        for (int i = 0; i < size; i++) {
            if (items[i] == item) {
                return i;
            }
        }
        return -1;
    }
}
