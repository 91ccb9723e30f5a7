package io.jnatsd.protocol.subject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubjectsTest {

    // subject | valid (SUB) | valid literal | valid publish
    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
        "foo|true|true|true",
        "foo.bar|true|true|true",
        "foo.bar.baz|true|true|true",
        "foo*|true|true|true",
        "foo.bar*|true|true|true",
        "*foo|true|true|true",
        "foo>|true|true|true",
        "foo.>bar|true|true|true",
        "$SYS.REQ|true|true|true",
        "_INBOX.abc123|true|true|true",
        "*|true|false|false",
        ">|true|false|false",
        "foo.*|true|false|false",
        "*.bar|true|false|false",
        "foo.*.baz|true|false|false",
        "foo.>|true|false|false",
        "*.>|true|false|false",
        "*.*.*|true|false|false",
        ">.foo|false|false|false",
        "foo.>.bar|false|false|false",
        ">.>|false|false|false",
        "foo.>.*|false|false|false",
        "''|false|false|false",
        ".|false|false|false",
        ".foo|false|false|false",
        "foo.|false|false|false",
        "foo..bar|false|false|false",
        "..|false|false|false",
        "foo bar|false|true|false",
        "foo.b ar|false|true|false",
        "' '|false|true|false",
        "foo. |false|true|false",
        "foo.\\t|false|true|false",
        "foo\\tbar|false|true|false",
        "foo\\nbar|false|true|false",
        "foo\\rbar|false|true|false",
        "foo\\fbar|false|true|false",
        "' .foo'|false|true|false",
    })
    void validity(String subject, boolean valid, boolean literal, boolean publish) {
        String s = unescape(subject);
        assertEquals(valid, Subjects.isValidSubject(s), "isValidSubject");
        assertEquals(literal, Subjects.isValidLiteralSubject(s), "isValidLiteralSubject");
        assertEquals(publish, Subjects.isValidPublishSubject(s), "isValidPublishSubject");
        assertEquals(valid, Subjects.isValidSubjectChecked(s), "isValidSubjectChecked");
    }

    @Test
    void nullIsInvalid() {
        assertEquals(false, Subjects.isValidSubject(null));
        assertEquals(false, Subjects.isValidLiteralSubject(null));
        assertEquals(false, Subjects.isValidPublishSubject(null));
        assertEquals(false, Subjects.isValidQueueName(null));
    }

    @Test
    void checkedVariantRejectsNulAndBadUtf8() {
        assertEquals(true, Subjects.isValidSubject("foo\0bar"));
        assertEquals(false, Subjects.isValidSubjectChecked("foo\0bar"));
        assertEquals(false, Subjects.isValidSubjectChecked("foo.\uFFFD"));
        assertEquals(false, Subjects.isValidSubjectChecked("foo.\uD800"));
        assertEquals(false, Subjects.isValidSubjectChecked("foo.\uDC00x"));
        assertEquals(true, Subjects.isValidSubjectChecked("foo.\uD83D\uDE00.caf\u00e9"));
        assertEquals(true, Subjects.isValidSubjectChecked("foo.*.>"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "q|true", "workers|true", "v1.2|true", "q*|true", "''|false", "'a b'|false", "'a\\tb'|false",
    })
    void queueNames(String queue, boolean valid) {
        assertEquals(valid, Subjects.isValidQueueName(unescape(queue)));
    }

    // subject | filter | matches
    @ParameterizedTest(name = "{0} ~ {1}")
    @CsvSource(delimiter = '|', value = {
        "foo|foo|true",
        "foo|bar|false",
        "foo|fo|false",
        "foo|fooo|false",
        "foo.bar|foo.bar|true",
        "foo.bar|foo|false",
        "foo|foo.bar|false",
        "foo.bar|*.bar|true",
        "foo.bar|foo.*|true",
        "foo.bar|*|false",
        "foo.bar|*.*|true",
        "foo.bar|*.*.*|false",
        "foo.bar|>|true",
        "foo|>|true",
        "foo|foo.>|false",
        "foo.bar|foo.>|true",
        "foo.bar.baz|foo.>|true",
        "foo.bar.baz|foo.*.>|true",
        "foo.bar|foo.*.>|false",
        "foo.bar.baz|*.bar.*|true",
        "foo.baz.baz|*.bar.*|false",
        "foo*.bar|foo.bar|false",
        "foo*.bar|*.bar|true",
        "foo.*|foo.*|true",
        "foo.*|foo.bar|false",
        "foo.>|foo.*|true",
        "Foo|foo|false",
    })
    void matchesFilter(String subject, String filter, boolean expected) {
        assertEquals(expected, Subjects.subjectMatchesFilter(subject, filter));
    }

    // filter | other | subset
    @ParameterizedTest(name = "{0} <= {1}")
    @CsvSource(delimiter = '|', value = {
        "foo|foo|true",
        "foo|bar|false",
        "foo.bar|foo.*|true",
        "foo.*|foo.bar|false",
        "foo.*|foo.*|true",
        "foo.*|foo.>|true",
        "foo.>|foo.*|false",
        "foo.>|foo.>|true",
        "foo.>|>|true",
        ">|foo.>|false",
        "foo|foo.>|false",
        "foo.bar.baz|foo.>|true",
        "foo.*.baz|foo.>|true",
        "foo.*.baz|*.*.baz|true",
        "*.*.baz|foo.*.baz|false",
        "foo.*|*.*|true",
        "foo.*|*|false",
        "*|>|true",
        ">|*|false",
        "foo.bar|foo.bar.baz|false",
    })
    void subsetOf(String filter, String other, boolean expected) {
        assertEquals(expected, Subjects.subjectIsSubsetOf(filter, other));
    }

    // a | b | collide
    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource(delimiter = '|', value = {
        "foo|foo|true",
        "foo|bar|false",
        "foo.*|foo.bar|true",
        "foo.*|*.bar|true",
        "foo.*|bar.*|false",
        "foo.>|foo|false",
        "foo.>|foo.bar.baz|true",
        "foo.>|*.*|true",
        "foo.*|foo.>|true",
        ">|foo|true",
        ">|*.*.*|true",
        "*|foo.bar|false",
        "*.bar|foo.*|true",
        "*.bar|foo.baz|false",
        "foo.*.baz|foo.bar.*|true",
        "foo.*.baz|foo.bar|false",
        "a.b.c|a.b|false",
    })
    void collide(String a, String b, boolean expected) {
        assertEquals(expected, Subjects.subjectsCollide(a, b));
        assertEquals(expected, Subjects.subjectsCollide(b, a));
    }

    @Test
    void tokens() {
        assertEquals(0, Subjects.numTokens(""));
        assertEquals(1, Subjects.numTokens("foo"));
        assertEquals(3, Subjects.numTokens("foo.*.>"));
        assertEquals("foo", Subjects.tokenAt("foo.bar.baz", 0));
        assertEquals("bar", Subjects.tokenAt("foo.bar.baz", 1));
        assertEquals("baz", Subjects.tokenAt("foo.bar.baz", 2));
        assertEquals("", Subjects.tokenAt("foo.bar.baz", 3));
        assertEquals("", Subjects.tokenAt("foo.bar.baz", -1));
        assertEquals("", Subjects.tokenAt("", 0));
        assertArrayEquals(new String[] {"a", "*", ">"}, Subjects.tokenize("a.*.>"));
        assertNull(Subjects.tokenize("a..b"));
        assertNull(Subjects.tokenize("a."));
        assertNull(Subjects.tokenize(""));
    }

    @Test
    void literalDetection() {
        assertEquals(true, Subjects.isLiteral("foo*.bar>"));
        assertEquals(false, Subjects.isLiteral("foo.*"));
        assertEquals(false, Subjects.isLiteral(">"));
        assertEquals(false, Subjects.isLiteral("a.>.b"));
    }

    /** CSV cannot carry control characters literally; the tables write them as \t, \n, \r, \f. */
    private static String unescape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r").replace("\\f", "\f");
    }

    /** What the store asks (its own copy of these checks was folded into this class). */
    @Test
    void storeFiltersAndSizes() {
        assertTrue(Subjects.matchesEverything(null));
        assertTrue(Subjects.matchesEverything(""));
        assertTrue(Subjects.matchesEverything(">"));
        assertFalse(Subjects.matchesEverything("a.>"));
        assertTrue(Subjects.subjectMatchesFilter("a.b*", "a.b*"));
        assertFalse(Subjects.subjectMatchesFilter("a.bc", "a.b*"));
        assertFalse(Subjects.subjectMatchesFilter("a.b", "a.>x"));
        assertTrue(Subjects.subjectMatchesFilter("orders.\u00e9", "orders.*"));
        assertFalse(Subjects.subjectMatchesFilter("a", "a.>"));
        assertTrue(Subjects.subjectMatchesFilter("a.b.c", "*.*.>"));
        assertEquals(3, Subjects.utf8Length("abc"));
        assertEquals(4, Subjects.utf8Length("ab\u00e9"));
    }
}
