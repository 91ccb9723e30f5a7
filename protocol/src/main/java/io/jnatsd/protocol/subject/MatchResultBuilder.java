package io.jnatsd.protocol.subject;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Gathers the subscribers of the trie nodes that match one subject into a {@link MatchResult},
 * merging queue members by group name across nodes. A publish rarely meets more than a few
 * groups, so groups are found by a linear scan until there are enough of them to need a map.
 */
final class MatchResultBuilder<T> {

    private static final int LINEAR_GROUPS = 16;

    private Object[] plain = new Object[8];
    private int plainSize;
    private String[] groupNames = new String[2];
    private Object[][] groupMembers = new Object[2][];
    private int[] groupSizes = new int[2];
    private int groupCount;
    private HashMap<String, Integer> groupIndex;

    void addPlain(ItemList list) {
        int n = list.size();
        plain = ensure(plain, plainSize + n);
        list.copyTo(plain, plainSize);
        plainSize += n;
    }

    void addQueue(String name, ItemList list) {
        int n = list.size();
        if (n == 0) {
            return;
        }
        int g = findGroup(name);
        if (g < 0) {
            g = groupCount++;
            if (g == groupNames.length) {
                groupNames = Arrays.copyOf(groupNames, g * 2);
                groupMembers = Arrays.copyOf(groupMembers, g * 2);
                groupSizes = Arrays.copyOf(groupSizes, g * 2);
            }
            groupNames[g] = name;
            if (groupIndex != null) {
                groupIndex.put(name, g);
            } else if (groupCount > LINEAR_GROUPS) {
                groupIndex = new HashMap<>();
                for (int i = 0; i < groupCount; i++) {
                    groupIndex.put(groupNames[i], i);
                }
            }
            groupMembers[g] = new Object[Math.max(n, 4)];
            groupSizes[g] = 0;
        }
        Object[] members = ensure(groupMembers[g], groupSizes[g] + n);
        list.copyTo(members, groupSizes[g]);
        groupMembers[g] = members;
        groupSizes[g] += n;
    }

    MatchResult<T> build() {
        if (plainSize == 0 && groupCount == 0) {
            return MatchResult.empty();
        }
        @SuppressWarnings("unchecked")
        MatchResult.QueueGroup<T>[] groups = (MatchResult.QueueGroup<T>[]) new MatchResult.QueueGroup<?>[groupCount];
        for (int g = 0; g < groupCount; g++) {
            groups[g] = new MatchResult.QueueGroup<>(groupNames[g], Arrays.copyOf(groupMembers[g], groupSizes[g]));
        }
        return new MatchResult<>(Arrays.copyOf(plain, plainSize), groups);
    }

    private int findGroup(String name) {
        if (groupIndex != null) {
            Integer g = groupIndex.get(name);
            return g == null ? -1 : g;
        }
        for (int g = 0; g < groupCount; g++) {
            if (groupNames[g].equals(name)) {
                return g;
            }
        }
        return -1;
    }

    private static Object[] ensure(Object[] a, int needed) {
        return needed <= a.length ? a : Arrays.copyOf(a, Math.max(needed, a.length * 2));
    }
}
