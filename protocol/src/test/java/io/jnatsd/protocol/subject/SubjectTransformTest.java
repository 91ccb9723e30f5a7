package io.jnatsd.protocol.subject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The transform engine against the behaviour upstream documents and tests for each function. */
class SubjectTransformTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "foo..|bar",
            "foo.*|bar.*",
            "foo.*|bar.$2",
            "foo.*|bar.$1.>",
            "foo.>|bar.baz",
            "foo.*|foo.{{wildcard(2)}}",
            "foo.*|foo.{{unimplemented(1)}}",
            "foo.*|foo.{{partition()}}",
            "foo.*|foo.{{random()}}",
            "foo.*|foo.{{wildcard(foo)}}",
            "foo.*|foo.{{wildcard()}}",
            "foo.*|'foo.{{wildcard(1,2)}}'",
            "foo.*|foo.{{ wildcard5) }}",
            "foo.*|'foo.{{splitLeft(2,2}}'",
            "foo|bla.{{wildcard(1)}}",
            "foo.*|foo.{{partition(2147483648)}}",
            "foo.*|foo.{{random(2147483648)}}",
    })
    void invalid(String src, String dest) {
        assertThrows(SubjectTransform.InvalidTransformException.class, () -> SubjectTransform.create(src, dest));
    }

    @Test
    void strictAllowsOnlyWildcardsAndNeedsThemAll() {
        assertThrows(IllegalArgumentException.class, () -> SubjectTransform.createStrict("foo.*.*", "bar.$2"));
        assertThrows(IllegalArgumentException.class, () -> SubjectTransform.createStrict("foo.*", "foo.$foo"));
        assertThrows(IllegalArgumentException.class, () -> SubjectTransform.createStrict("foo.*", "bar.{{Partition(2,1)}}"));
        SubjectTransform.createStrict("foo.*", "bar.{{Wildcard(1)}}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|prefix.>|foo|prefix.foo",
            "foo|''|foo|foo",
            "foo|bar|foo|bar",
            "foo.*.bar.*.baz|req.$2.$1|foo.A.bar.B.baz|req.B.A",
            "foo.*.bar.*.baz|req.{{wildcard(2)}}.{{wildcard(1)}}|foo.A.bar.B.baz|req.B.A",
            "baz.>|my.pre.>|baz.1.2.3|my.pre.1.2.3",
            "baz.>|foo.bar.>|baz.1.2.3|foo.bar.1.2.3",
            "*|foo.bar.$1|foo|foo.bar.foo",
            "*|'{{splitfromleft(1,3)}}'|12345|123.45",
            "*|'{{SplitFromRight(1,3)}}'|12345|12.345",
            "*|'{{SliceFromLeft(1,3)}}'|1234567890|123.456.789.0",
            "*|'{{SliceFromRight(1,3)}}'|1234567890|1.234.567.890",
            "*|'{{SliceFromRight(1,3)}}'|123456|123.456",
            "*|'{{split(1,-)}}'|-abc-def--ghi-|abc.def.ghi",
            "*|'{{split(1,-)}}'|abc-def--ghi-|abc.def.ghi",
            "*.*|'{{split(2,-)}}.{{splitfromleft(1,2)}}'|foo.-abc-def--ghij-|abc.def.ghij.fo.o",
            "*|'{{right(1,1)}}'|1234|4",
            "*|'{{right(1,3)}}'|1234|234",
            "*|'{{right(1,6)}}'|1234|1234",
            "*|'{{left(1,1)}}'|1234|1",
            "*|'{{left(1,3)}}'|1234|123",
            "*|'{{left(1,6)}}'|1234|1234",
            "*|bar.{{partition(0)}}|baz|bar.0",
            "*|'bar.{{partition(10, 0)}}'|foo|bar.3",
            "*.*|bar.{{partition(10)}}|foo.bar|bar.6",
            "*|bar.{{partition(10)}}|foo|bar.3",
            "*|bar.{{partition(10)}}|baz|bar.0",
            "*|bar.{{partition(10)}}|qux|bar.9",
            "foo.bar|baz.{{partition(10)}}|foo.bar|baz.6",
            "foo.baz|qux.{{partition(10)}}|foo.baz|qux.4",
            "test.subject|result.{{partition(5)}}|test.subject|result.0",
            "*.*|'{{partition(10,1,2)}}'|foo.bar|0",
            "'foo.*.*'|'foo.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(5,1,2)}}'|foo.a.b|foo.a.b.{P}",
            "*|'{{ Partition (3,1) }}'|x|{Q}",
    })
    void transforms(String src, String dest, String subject, String expected) {
        SubjectTransform t = SubjectTransform.create(src, dest);
        String want = expected.replace("{P}", String.valueOf(SubjectTransform.partition("ab", 5)))
                .replace("{Q}", String.valueOf(SubjectTransform.partition("x", 3)));
        assertEquals(want, t.match(subject));
    }

    @Test
    void partitionIsFnv1a32OfTokensWithoutSeparator() {
        // FNV-1a 32 of "foobar" is 0xbf9cf968; tokens are concatenated without a dot
        assertEquals(Integer.toUnsignedLong(0xbf9cf968) % 7, SubjectTransform.partition("foobar", 7));
        SubjectTransform t = SubjectTransform.create("*.*", "p.{{partition(7,1,2)}}");
        assertEquals("p." + SubjectTransform.partition("foobar", 7), t.match("foo.bar"));
    }

    @Test
    void randomStaysBelowItsBound() {
        SubjectTransform t = SubjectTransform.create("*", "bar.{{random(6)}}");
        Set<String> allowed = Set.of("bar.0", "bar.1", "bar.2", "bar.3", "bar.4", "bar.5");
        for (int i = 0; i < 100; i++) assertTrue(allowed.contains(t.match("qux")));
        assertEquals("bar.0", SubjectTransform.create("*", "bar.{{random(0)}}").match("qux"));
    }

    @Test
    void nonMatchingAndWildcardSubjectsAreNotTransformed() {
        SubjectTransform t = SubjectTransform.create("foo.*", "bar.$1");
        assertNull(t.match("baz.x"));
        assertNull(t.match("foo.*"));
        assertEquals("one.two.", SubjectTransform.create("foo.*", "one.two.{{wildcard(1)}}").transform("foo"));
    }

    @Test
    void validateChecksTokensAndFunctions() {
        SubjectTransform.validate("foo.*", "bar.{{wildcard(1)}}");
        SubjectTransform.validate("foo.>", "");
        assertThrows(IllegalArgumentException.class, () -> SubjectTransform.validate("foo.*", "bar.{{nope(1)}}"));
        assertThrows(IllegalArgumentException.class, () -> SubjectTransform.validate("foo.>", "bar.>.x"));
        assertThrows(IllegalArgumentException.class, () -> SubjectTransform.validate("foo", "ba r"));
    }
}
