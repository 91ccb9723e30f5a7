package io.jnatsd.server.account;

import io.jnatsd.protocol.subject.SubjectTransform;

/**
 * Maps subjects matching {@code from} onto {@code to}, carrying the tokens that match
 * {@code from}'s wildcards over into {@code to}'s wildcards in order (a trailing {@code >}
 * carries the rest). This is how import {@code to}/{@code prefix} rename subjects. A thin
 * wrapper over the shared {@link SubjectTransform} engine: {@code *} in {@code to} stands for
 * the wildcards of {@code from} in order ({@code $1}, {@code $2}, …), and {@code to} may use the
 * engine's functions directly.
 */
public final class SubjectMapping {
    private final String from;
    private final String to;
    private final SubjectTransform transform;

    public SubjectMapping(String from, String to) {
        this.from = from;
        this.to = to;
        this.transform = from.equals(to) ? null : SubjectTransform.create(from, numberWildcards(to));
    }

    /** A mapping that puts {@code prefix.} in front of every subject. */
    public static SubjectMapping prefix(String subject, String prefix) {
        String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return new SubjectMapping(subject, p + "." + subject);
    }

    /** {@code foo.*.*} becomes {@code foo.$1.$2}, as upstream reads an import's {@code to}. */
    private static String numberWildcards(String to) {
        String[] tokens = to.split("\\.", -1);
        int n = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].equals("*")) tokens[i] = "$" + (++n);
        }
        return String.join(".", tokens);
    }

    public boolean isIdentity() {
        return transform == null;
    }

    /** The mapped subject; {@code subject} must match {@code from}. */
    public String apply(String subject) {
        return transform == null ? subject : transform.transform(subject);
    }

    public boolean matches(String subject) {
        return io.jnatsd.protocol.subject.Subjects.subjectMatchesFilter(subject, from);
    }

    @Override
    public String toString() {
        return from + " -> " + to;
    }
}
