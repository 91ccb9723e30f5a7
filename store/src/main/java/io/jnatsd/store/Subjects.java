package io.jnatsd.store;

import java.nio.charset.StandardCharsets;

/** NATS subject filters as the store needs them: no allocation on the matching path. */
final class Subjects {

    private Subjects() {
    }

    /** A null or empty filter, or {@code >}, matches every subject. */
    static boolean isAll(String filter) {
        return filter == null || filter.isEmpty() || filter.equals(">");
    }

    /** True when the filter has no {@code *} or {@code >} token. */
    static boolean isLiteral(String filter) {
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if ((c == '*' || c == '>') && (i == 0 || filter.charAt(i - 1) == '.')
                    && (i + 1 == n || filter.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a literal subject matches a filter: {@code *} matches exactly one token,
     * {@code >} (last token only) one or more. A wildcard character inside a longer token is a
     * literal character, as in upstream's sublist.
     */
    static boolean matches(String filter, String subject) {
        int fl = filter.length();
        int sl = subject.length();
        int fi = 0;
        int si = 0;
        while (true) {
            int fe = filter.indexOf('.', fi);
            if (fe < 0) {
                fe = fl;
            }
            int se = subject.indexOf('.', si);
            if (se < 0) {
                se = sl;
            }
            int tokenLength = fe - fi;
            if (tokenLength == 1 && filter.charAt(fi) == '>' && fe == fl) {
                return true;
            }
            boolean star = tokenLength == 1 && filter.charAt(fi) == '*';
            if (!star && (se - si != tokenLength || !filter.regionMatches(fi, subject, si, tokenLength))) {
                return false;
            }
            boolean filterEnd = fe == fl;
            boolean subjectEnd = se == sl;
            if (filterEnd || subjectEnd) {
                return filterEnd && subjectEnd;
            }
            fi = fe + 1;
            si = se + 1;
        }
    }

    /** The UTF-8 length of a string, without encoding it when it is ASCII. */
    static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
