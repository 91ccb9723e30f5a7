package io.jnatsd.server.account;

import io.jnatsd.protocol.subject.Subjects;

/**
 * Maps subjects matching {@code from} onto {@code to}, carrying the tokens that match
 * {@code from}'s wildcards over into {@code to}'s wildcards in order (a trailing {@code >}
 * carries the rest). This is how import {@code to}/{@code prefix} rename subjects.
 */
public final class SubjectMapping {
    private final String[] from;
    private final String[] to;

    public SubjectMapping(String from, String to) {
        this.from = from.split("\\.");
        this.to = to.split("\\.");
    }

    /** A mapping that puts {@code prefix.} in front of every subject. */
    public static SubjectMapping prefix(String subject, String prefix) {
        String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return new SubjectMapping(subject, p + "." + subject);
    }

    public boolean isIdentity() {
        return java.util.Arrays.equals(from, to);
    }

    /** The mapped subject; {@code subject} must match {@code from}. */
    public String apply(String subject) {
        if (isIdentity()) return subject;
        String[] tokens = subject.split("\\.");
        // Collect what each wildcard of 'from' matched.
        String[] captured = new String[from.length];
        int n = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i].equals("*")) captured[n++] = tokens[i];
            else if (from[i].equals(">")) captured[n++] = String.join(".", java.util.Arrays.copyOfRange(tokens, i, tokens.length));
        }
        StringBuilder sb = new StringBuilder(subject.length() + 16);
        int k = 0;
        for (int i = 0; i < to.length; i++) {
            if (i > 0) sb.append('.');
            if ((to[i].equals("*") || to[i].equals(">")) && k < n) sb.append(captured[k++]);
            else sb.append(to[i]);
        }
        return sb.toString();
    }

    public boolean matches(String subject) {
        return Subjects.subjectMatchesFilter(subject, String.join(".", from));
    }
}
