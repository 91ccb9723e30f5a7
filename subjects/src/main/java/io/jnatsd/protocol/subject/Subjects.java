package io.jnatsd.protocol.subject;

/**
 * Subject syntax and wildcard algebra.
 *
 * <p>A subject is a non-empty sequence of tokens separated by {@code '.'}. The tokens
 * {@code "*"} (one token) and {@code ">"} (one or more trailing tokens) are wildcards only when
 * they make up a whole token; {@code "foo*"} is a literal token. Matching is exact and
 * case-sensitive.
 *
 * <p>Everything here walks the string by index: the checks run once per message, so they must
 * not allocate (no regex, no {@code split}).
 *
 * <p>It lives in its own JDK-only module ({@code jnatsd-subjects}) so that the store matches
 * subjects with the same code as the server without depending on the protocol module (Netty,
 * Jackson); the package stays the protocol's, which the token helpers below are shared with.
 */
public final class Subjects {

    public static final char SEPARATOR = '.';
    public static final char PWC = '*';
    public static final char FWC = '>';

    private Subjects() {
    }

    /**
     * A stream or consumer filter that selects every subject: none (null or empty) or
     * {@code >}, as JetStream reads its filters.
     */
    public static boolean matchesEverything(String filter) {
        return filter == null || filter.isEmpty() || filter.equals(">");
    }

    /** The UTF-8 length of a subject, without encoding it when it is ASCII (size accounting). */
    public static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }

    /** Valid as a subscription subject: wildcards allowed, {@code '>'} only as the last token. */
    public static boolean isValidSubject(String subject) {
        return validate(subject, false);
    }

    /**
     * {@link #isValidSubject} that also rejects NUL characters and text that was not valid
     * UTF-8 on the wire: a decoder turns such bytes into U+FFFD, and a Java string can carry
     * an unpaired surrogate.
     */
    public static boolean isValidSubjectChecked(String subject) {
        return validate(subject, true);
    }

    /**
     * Non-empty tokens and no wildcard token. Like upstream, whitespace is not checked here;
     * use {@link #isValidPublishSubject} for the full check.
     */
    public static boolean isValidLiteralSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            return false;
        }
        int start = 0;
        int n = subject.length();
        while (start <= n) {
            int end = tokenEnd(subject, start);
            int len = end - start;
            if (len == 0 || len == 1 && isWildcardChar(subject.charAt(start))) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /** A valid subject with no wildcard token: what a publisher may send to. */
    public static boolean isValidPublishSubject(String subject) {
        return isValidSubject(subject) && isLiteral(subject);
    }

    /**
     * True when no token is a wildcard. Does not validate, so it is cheap enough to decide
     * between the literal and wildcard paths of the index.
     */
    public static boolean isLiteral(String subject) {
        int n = subject.length();
        for (int i = 0; i < n; i++) {
            char c = subject.charAt(i);
            if (isWildcardChar(c)
                    && (i == 0 || subject.charAt(i - 1) == SEPARATOR)
                    && (i + 1 == n || subject.charAt(i + 1) == SEPARATOR)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A queue group name as it may appear in SUB: non-empty, without whitespace (the protocol
     * line separates arguments by whitespace, so such a name could not be sent back in
     * RS+/LS+) and without NUL. Dots and wildcard characters are allowed, as upstream does.
     */
    public static boolean isValidQueueName(String queue) {
        if (queue == null || queue.isEmpty()) {
            return false;
        }
        for (int i = 0, n = queue.length(); i < n; i++) {
            char c = queue.charAt(i);
            if (isWhitespace(c) || c == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the literal {@code subject} is matched by {@code filter}. Wildcard characters in
     * {@code subject} are compared as plain text, which is exactly how the index routes a
     * message published (non-pedantically) to a subject containing a wildcard token.
     */
    public static boolean subjectMatchesFilter(String subject, String filter) {
        int sn = subject.length();
        int fn = filter.length();
        if (sn == 0 || fn == 0) {
            return false;
        }
        int s = 0;
        int f = 0;
        while (s <= sn && f <= fn) {
            int se = tokenEnd(subject, s);
            int fe = tokenEnd(filter, f);
            int flen = fe - f;
            if (flen == 1 && filter.charAt(f) == FWC) {
                return true;
            }
            if (!(flen == 1 && filter.charAt(f) == PWC)
                    && (flen != se - s || !filter.regionMatches(f, subject, s, flen))) {
                return false;
            }
            s = se + 1;
            f = fe + 1;
        }
        return s > sn && f > fn;
    }

    /** Whether every subject matched by {@code filter} is also matched by {@code other}. */
    public static boolean subjectIsSubsetOf(String filter, String other) {
        int fn = filter.length();
        int on = other.length();
        if (fn == 0 || on == 0) {
            return false;
        }
        int f = 0;
        int o = 0;
        while (f <= fn && o <= on) {
            int fe = tokenEnd(filter, f);
            int oe = tokenEnd(other, o);
            char ot = wildcardOf(other, o, oe);
            char ft = wildcardOf(filter, f, fe);
            if (ot == FWC) {
                return true;
            }
            if (ft == FWC) {
                return false;
            }
            if (ot != PWC && (ft == PWC || fe - f != oe - o || !filter.regionMatches(f, other, o, fe - f))) {
                return false;
            }
            f = fe + 1;
            o = oe + 1;
        }
        return f > fn && o > on;
    }

    /** Whether some literal subject is matched by both filters. */
    public static boolean subjectsCollide(String a, String b) {
        int an = a.length();
        int bn = b.length();
        if (an == 0 || bn == 0) {
            return false;
        }
        int i = 0;
        int j = 0;
        while (i <= an && j <= bn) {
            int ie = tokenEnd(a, i);
            int je = tokenEnd(b, j);
            char at = wildcardOf(a, i, ie);
            char bt = wildcardOf(b, j, je);
            if (at == FWC || bt == FWC) {
                return true;
            }
            if (at != PWC && bt != PWC && (ie - i != je - j || !a.regionMatches(i, b, j, ie - i))) {
                return false;
            }
            i = ie + 1;
            j = je + 1;
        }
        return i > an && j > bn;
    }

    /** Number of tokens; 0 for the empty string. */
    public static int numTokens(String subject) {
        if (subject.isEmpty()) {
            return 0;
        }
        int count = 1;
        for (int i = 0, n = subject.length(); i < n; i++) {
            if (subject.charAt(i) == SEPARATOR) {
                count++;
            }
        }
        return count;
    }

    /**
     * The token at the zero-based {@code index}, or the empty string when there is no such
     * token (transform functions treat a missing token as empty rather than as an error).
     */
    public static String tokenAt(String subject, int index) {
        if (index < 0 || subject.isEmpty()) {
            return "";
        }
        int start = 0;
        int n = subject.length();
        for (int t = 0; start <= n; t++) {
            int end = tokenEnd(subject, start);
            if (t == index) {
                return subject.substring(start, end);
            }
            start = end + 1;
        }
        return "";
    }

    /** The index of the separator ending the token that starts at {@code start}, or the length. */
    public static int tokenEnd(String s, int start) {
        int dot = s.indexOf(SEPARATOR, start);
        return dot < 0 ? s.length() : dot;
    }

    /** Splits into tokens, or returns null when a token is empty (such a subject matches nothing). */
    public static String[] tokenize(String subject) {
        int n = subject.length();
        if (n == 0) {
            return null;
        }
        String[] tokens = new String[numTokens(subject)];
        int start = 0;
        for (int t = 0; t < tokens.length; t++) {
            int end = tokenEnd(subject, start);
            if (end == start) {
                return null;
            }
            tokens[t] = subject.substring(start, end);
            start = end + 1;
        }
        return tokens;
    }

    public static boolean isPwc(String token) {
        return token.length() == 1 && token.charAt(0) == PWC;
    }

    public static boolean isFwc(String token) {
        return token.length() == 1 && token.charAt(0) == FWC;
    }

    /** {@link #PWC} or {@link #FWC} when the token [start, end) is that wildcard, else 0. */
    private static char wildcardOf(String s, int start, int end) {
        if (end - start == 1) {
            char c = s.charAt(start);
            if (isWildcardChar(c)) {
                return c;
            }
        }
        return 0;
    }

    private static boolean isWildcardChar(char c) {
        return c == PWC || c == FWC;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static boolean validate(String subject, boolean checked) {
        if (subject == null || subject.isEmpty()) {
            return false;
        }
        int n = subject.length();
        int start = 0;
        boolean sawFwc = false;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? subject.charAt(i) : SEPARATOR;
            if (c == SEPARATOR) {
                int len = i - start;
                if (len == 0 || sawFwc) {
                    return false;
                }
                sawFwc = len == 1 && subject.charAt(start) == FWC;
                start = i + 1;
            } else if (isWhitespace(c)) {
                return false;
            } else if (checked && !checkedChar(subject, i, c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean checkedChar(String s, int i, char c) {
        if (c == 0 || c == '\uFFFD') {
            return false;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        }
        return true;
    }
}
