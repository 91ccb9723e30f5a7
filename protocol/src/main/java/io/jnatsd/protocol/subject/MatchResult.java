package io.jnatsd.protocol.subject;

import java.util.AbstractList;
import java.util.List;

/**
 * The subscribers interested in one literal subject: every plain subscriber, and the members
 * of each queue group (one of which gets the message).
 *
 * <p>Immutable and shared: the same instance is handed out by the match cache to every thread
 * publishing on that subject, so delivery must not modify it. Plain access is by index over
 * arrays so that the delivery loop does not allocate an iterator per message.
 *
 * <p>An item appears once per matching subscription. If the caller's item is shared by several
 * subscriptions (say, a connection subscribed to both {@code foo.*} and {@code foo.>}), it can
 * appear several times; de-duplicating per connection is the caller's business.
 *
 * @param <T> the subscription item stored in the {@link SubjectIndex}
 */
public final class MatchResult<T> {

    private static final Object[] NO_ITEMS = new Object[0];

    /** The result with no subscribers; use {@link #empty()} for a typed reference. */
    public static final MatchResult<?> EMPTY = new MatchResult<Object>(NO_ITEMS, noGroups());

    private final Object[] plain;
    private final QueueGroup<T>[] groups;
    private final int total;

    MatchResult(Object[] plain, QueueGroup<T>[] groups) {
        this.plain = plain;
        this.groups = groups;
        int sum = plain.length;
        for (QueueGroup<T> g : groups) {
            sum += g.size();
        }
        this.total = sum;
    }

    @SuppressWarnings("unchecked")
    private static QueueGroup<Object>[] noGroups() {
        return (QueueGroup<Object>[]) new QueueGroup<?>[0];
    }

    @SuppressWarnings("unchecked")
    public static <T> MatchResult<T> empty() {
        return (MatchResult<T>) EMPTY;
    }

    public int plainCount() {
        return plain.length;
    }

    @SuppressWarnings("unchecked")
    public T plain(int i) {
        return (T) plain[i];
    }

    /** A read-only view of the plain subscribers, for code off the hot path. */
    public List<T> plainList() {
        return new AbstractList<>() {
            @Override
            public T get(int index) {
                return plain(index);
            }

            @Override
            public int size() {
                return plain.length;
            }
        };
    }

    /** Number of distinct queue groups; each has at least one member. */
    public int queueGroupCount() {
        return groups.length;
    }

    public QueueGroup<T> queueGroup(int g) {
        return groups[g];
    }

    /** No plain subscriber and no queue group. */
    public boolean isEmpty() {
        return total == 0;
    }

    /** Plain subscribers plus all queue group members. */
    public int total() {
        return total;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MatchResult{plain=").append(plainList());
        for (QueueGroup<T> g : groups) {
            sb.append(", ").append(g);
        }
        return sb.append('}').toString();
    }

    /**
     * The members of one queue group that are interested in the subject, gathered from every
     * matching filter (a group may subscribe to {@code foo.*} and {@code foo.bar} alike).
     */
    public static final class QueueGroup<T> {
        private final String name;
        private final Object[] members;

        QueueGroup(String name, Object[] members) {
            this.name = name;
            this.members = members;
        }

        public String name() {
            return name;
        }

        public int size() {
            return members.length;
        }

        @SuppressWarnings("unchecked")
        public T get(int i) {
            return (T) members[i];
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(name).append('[');
            for (int i = 0; i < members.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(members[i]);
            }
            return sb.append(']').toString();
        }
    }
}
