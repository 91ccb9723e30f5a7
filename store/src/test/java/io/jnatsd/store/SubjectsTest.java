package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Wildcard matching as upstream's sublist does it: whole tokens only. */
class SubjectsTest {

    @Test
    void literalAndWildcardFilters() {
        assertTrue(Subjects.matches("a.b.c", "a.b.c"));
        assertFalse(Subjects.matches("a.b.c", "a.b"));
        assertFalse(Subjects.matches("a.b", "a.b.c"));
        assertTrue(Subjects.matches("a.*.c", "a.x.c"));
        assertFalse(Subjects.matches("a.*.c", "a.x.y.c"));
        assertTrue(Subjects.matches("*", "a"));
        assertFalse(Subjects.matches("*", "a.b"));
        assertTrue(Subjects.matches(">", "a.b.c"));
        assertTrue(Subjects.matches("a.>", "a.b"));
        assertTrue(Subjects.matches("a.>", "a.b.c.d"));
        assertFalse(Subjects.matches("a.>", "a"));
        assertFalse(Subjects.matches("a.>", "b.c"));
        assertTrue(Subjects.matches("*.*.>", "a.b.c"));
        assertFalse(Subjects.matches("*.*.>", "a.b"));
        assertTrue(Subjects.matches("a.b*", "a.b*"));
        assertFalse(Subjects.matches("a.b*", "a.bc"));
        assertFalse(Subjects.matches("a.>x", "a.b"));
        assertTrue(Subjects.matches("orders.*", "orders.é"));
    }

    @Test
    void classification() {
        assertTrue(Subjects.isAll(null));
        assertTrue(Subjects.isAll(""));
        assertTrue(Subjects.isAll(">"));
        assertFalse(Subjects.isAll("a.>"));
        assertTrue(Subjects.isLiteral("a.b"));
        assertTrue(Subjects.isLiteral("a.b*"));
        assertFalse(Subjects.isLiteral("a.*"));
        assertFalse(Subjects.isLiteral("*.a"));
        assertFalse(Subjects.isLiteral("a.>"));
        assertEquals(3, Subjects.utf8Length("abc"));
        assertEquals(4, Subjects.utf8Length("abé"));
    }
}
