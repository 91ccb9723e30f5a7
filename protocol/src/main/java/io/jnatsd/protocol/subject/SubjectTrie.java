package io.jnatsd.protocol.subject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The token trie behind {@link SubjectIndex}. Not thread-safe: the index guards it with its
 * read/write lock. Subjects arrive already split into tokens.
 *
 * <p>Each level holds the literal children by token plus at most one {@code *} child and one
 * {@code >} child, so a match descends the literal path and branches only where a wildcard
 * subscription actually exists. Empty nodes and levels are pruned on removal, so the trie's
 * memory follows the live subscriptions rather than everything ever subscribed.
 */
final class SubjectTrie<T> {

    /** Receives the subscriptions found by {@link #forEach}. */
    interface Visitor {
        void visit(String subject, String queue, Object item);
    }

    private final Level root = new Level();

    /** Adds the item under the tokens; false when that exact (subject, queue, item) exists. */
    boolean insert(String[] tokens, String queue, Object item) {
        Level level = root;
        Node node = null;
        for (String token : tokens) {
            if (level == null) {
                level = node.next = new Level();
            }
            node = level.childOrCreate(token);
            level = node.next;
        }
        return node.add(queue, item);
    }

    /** Removes the item by identity; false when it was not there. */
    boolean remove(String[] tokens, String queue, Object item) {
        int n = tokens.length;
        Level[] levels = new Level[n];
        Node[] nodes = new Node[n];
        Level level = root;
        for (int i = 0; i < n; i++) {
            if (level == null) {
                return false;
            }
            Node node = level.child(tokens[i]);
            if (node == null) {
                return false;
            }
            levels[i] = level;
            nodes[i] = node;
            level = node.next;
        }
        if (!nodes[n - 1].remove(queue, item)) {
            return false;
        }
        for (int i = n - 1; i >= 0 && nodes[i].isEmpty(); i--) {
            levels[i].removeChild(tokens[i], nodes[i]);
            if (i > 0 && levels[i].isEmpty()) {
                nodes[i - 1].next = null;
            }
        }
        return true;
    }

    /** Adds every subscription matching the literal tokens to {@code out}. */
    void match(String[] tokens, MatchResultBuilder<T> out) {
        matchLevel(root, tokens, 0, out);
    }

    private static void matchLevel(Level level, String[] tokens, int from, MatchResultBuilder<?> out) {
        Node literal = null;
        Node pwc = null;
        for (int i = from; i < tokens.length; i++) {
            if (level == null) {
                return;
            }
            if (level.fwc != null) {
                level.fwc.addTo(out);
            }
            pwc = level.pwc;
            if (pwc != null) {
                matchLevel(pwc.next, tokens, i + 1, out);
            }
            literal = level.literal(tokens[i]);
            level = literal == null ? null : literal.next;
        }
        if (literal != null) {
            literal.addTo(out);
        }
        if (pwc != null) {
            pwc.addTo(out);
        }
    }

    /** Same walk as {@link #match}, stopping at the first subscriber. */
    boolean hasInterest(String[] tokens) {
        return anyLevel(root, tokens, 0);
    }

    private static boolean anyLevel(Level level, String[] tokens, int from) {
        Node literal = null;
        Node pwc = null;
        for (int i = from; i < tokens.length; i++) {
            if (level == null) {
                return false;
            }
            if (level.fwc != null && level.fwc.hasSubscribers()) {
                return true;
            }
            pwc = level.pwc;
            if (pwc != null && anyLevel(pwc.next, tokens, i + 1)) {
                return true;
            }
            literal = level.literal(tokens[i]);
            level = literal == null ? null : literal.next;
        }
        return literal != null && literal.hasSubscribers() || pwc != null && pwc.hasSubscribers();
    }

    /**
     * Adds every item whose subscription subject collides with the filter tokens, that is,
     * every subscription that would receive some message the filter matches.
     */
    @SuppressWarnings("unchecked")
    void collectColliding(String[] filter, List<T> out) {
        collideLevel(root, filter, 0, (List<Object>) out);
    }

    private static void collideLevel(Level level, String[] filter, int i, List<Object> out) {
        if (level == null) {
            return;
        }
        String token = filter[i];
        if (Subjects.isFwc(token)) {
            level.forEachChild((t, child) -> collectSubtree(child, out));
            return;
        }
        boolean last = i == filter.length - 1;
        if (level.fwc != null) {
            level.fwc.collect(out);
        }
        if (Subjects.isPwc(token)) {
            if (level.literals != null) {
                for (Node child : level.literals.values()) {
                    collideChild(child, filter, i, last, out);
                }
            }
        } else {
            Node child = level.literal(token);
            if (child != null) {
                collideChild(child, filter, i, last, out);
            }
        }
        if (level.pwc != null) {
            collideChild(level.pwc, filter, i, last, out);
        }
    }

    private static void collideChild(Node child, String[] filter, int i, boolean last, List<Object> out) {
        if (last) {
            child.collect(out);
        } else {
            collideLevel(child.next, filter, i + 1, out);
        }
    }

    private static void collectSubtree(Node node, List<Object> out) {
        node.collect(out);
        if (node.next != null) {
            node.next.forEachChild((t, child) -> collectSubtree(child, out));
        }
    }

    /** Visits every subscription with its full subject. */
    void forEach(Visitor visitor) {
        visitLevel(root, new StringBuilder(), visitor);
    }

    private static void visitLevel(Level level, StringBuilder path, Visitor visitor) {
        level.forEachChild((token, child) -> {
            int mark = path.length();
            if (mark > 0) {
                path.append(Subjects.SEPARATOR);
            }
            path.append(token);
            child.visit(path.toString(), visitor);
            if (child.next != null) {
                visitLevel(child.next, path, visitor);
            }
            path.setLength(mark);
        });
    }

    /** Number of trie nodes, so tests can check that removal prunes. */
    int nodeCount() {
        return countLevel(root);
    }

    private static int countLevel(Level level) {
        int[] count = {0};
        level.forEachChild((t, child) -> count[0] += 1 + (child.next == null ? 0 : countLevel(child.next)));
        return count[0];
    }

    private static final class Level {
        HashMap<String, Node> literals;
        Node pwc;
        Node fwc;

        Node literal(String token) {
            return literals == null ? null : literals.get(token);
        }

        Node child(String token) {
            if (Subjects.isPwc(token)) {
                return pwc;
            }
            if (Subjects.isFwc(token)) {
                return fwc;
            }
            return literal(token);
        }

        Node childOrCreate(String token) {
            if (Subjects.isPwc(token)) {
                return pwc != null ? pwc : (pwc = new Node());
            }
            if (Subjects.isFwc(token)) {
                return fwc != null ? fwc : (fwc = new Node());
            }
            if (literals == null) {
                literals = new HashMap<>(4);
            }
            return literals.computeIfAbsent(token, t -> new Node());
        }

        void removeChild(String token, Node node) {
            if (node == pwc) {
                pwc = null;
            } else if (node == fwc) {
                fwc = null;
            } else if (literals != null) {
                literals.remove(token);
                if (literals.isEmpty()) {
                    literals = null;
                }
            }
        }

        boolean isEmpty() {
            return literals == null && pwc == null && fwc == null;
        }

        void forEachChild(BiConsumer<String, Node> action) {
            if (literals != null) {
                literals.forEach(action);
            }
            if (pwc != null) {
                action.accept("*", pwc);
            }
            if (fwc != null) {
                action.accept(">", fwc);
            }
        }
    }

    private static final class Node {
        Level next;
        ItemList plain;
        HashMap<String, ItemList> queues;

        boolean add(String queue, Object item) {
            if (queue == null) {
                if (plain == null) {
                    plain = new ItemList();
                }
                return plain.add(item);
            }
            if (queues == null) {
                queues = new HashMap<>(4);
            }
            return queues.computeIfAbsent(queue, q -> new ItemList()).add(item);
        }

        boolean remove(String queue, Object item) {
            if (queue == null) {
                if (plain == null || !plain.remove(item)) {
                    return false;
                }
                if (plain.size() == 0) {
                    plain = null;
                }
                return true;
            }
            ItemList members = queues == null ? null : queues.get(queue);
            if (members == null || !members.remove(item)) {
                return false;
            }
            if (members.size() == 0) {
                queues.remove(queue);
                if (queues.isEmpty()) {
                    queues = null;
                }
            }
            return true;
        }

        boolean hasSubscribers() {
            return plain != null || queues != null;
        }

        boolean isEmpty() {
            return !hasSubscribers() && (next == null || next.isEmpty());
        }

        void addTo(MatchResultBuilder<?> out) {
            if (plain != null) {
                out.addPlain(plain);
            }
            if (queues != null) {
                for (Map.Entry<String, ItemList> e : queues.entrySet()) {
                    out.addQueue(e.getKey(), e.getValue());
                }
            }
        }

        void collect(List<Object> out) {
            if (plain != null) {
                addAll(plain, out);
            }
            if (queues != null) {
                for (ItemList members : queues.values()) {
                    addAll(members, out);
                }
            }
        }

        void visit(String subject, Visitor visitor) {
            if (plain != null) {
                for (int i = 0; i < plain.size(); i++) {
                    visitor.visit(subject, null, plain.get(i));
                }
            }
            if (queues != null) {
                for (Map.Entry<String, ItemList> e : queues.entrySet()) {
                    for (int i = 0; i < e.getValue().size(); i++) {
                        visitor.visit(subject, e.getKey(), e.getValue().get(i));
                    }
                }
            }
        }

        private static void addAll(ItemList list, List<Object> out) {
            for (int i = 0; i < list.size(); i++) {
                out.add(list.get(i));
            }
        }
    }
}
