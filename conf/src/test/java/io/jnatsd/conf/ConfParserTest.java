package io.jnatsd.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfParserTest {

    static ConfMap parse(String text) throws ConfException {
        return ConfParser.parse(text, Path.of(""), "test.conf", name -> null);
    }

    static Object value(String text) throws ConfException {
        return parse("v = " + text + "\n").get("v");
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo = 1", "foo: 1", "foo 1", "foo=1", "foo:1", "foo\t1", "foo = 1;", "foo = 1,",
            "  foo   =   1  ", "foo = 1 # comment", "foo = 1 // comment", "foo = 1;  # comment"})
    void separatorsAndTerminators(String line) throws ConfException {
        ConfMap m = parse(line + "\n");
        assertEquals(Map.of("foo", 1L), m);
    }

    @Test
    void severalKeysOnOneLine() throws ConfException {
        ConfMap m = parse("a = 1; b = 2, c: 3\n");
        assertEquals(List.of("a", "b", "c"), List.copyOf(m.keySet()));
        assertEquals(3L, m.get("c"));
    }

    @Test
    void commentsEverywhere() throws ConfException {
        ConfMap m = parse("""
                # hash comment
                // slash comment
                a = 1 # trailing
                m {  # after brace
                  # inside
                  b = 2 // trailing
                  // inside
                }
                arr = [ # after bracket
                  1, # one
                  // two
                  2
                ]
                """);
        assertEquals(1L, m.get("a"));
        assertEquals(Map.of("b", 2L), m.get("m"));
        assertEquals(List.of(1L, 2L), m.get("arr"));
    }

    @Test
    void nestedMapsWithAndWithoutSeparator() throws ConfException {
        ConfMap m = parse("""
                a { b { c = 1 } }
                d = { e: "x" }
                f: { g 2; h 3 }
                """);
        assertEquals(Map.of("b", Map.of("c", 1L)), m.get("a"));
        assertEquals(Map.of("e", "x"), m.get("d"));
        assertEquals(Map.of("g", 2L, "h", 3L), m.get("f"));
        assertInstanceOf(ConfMap.class, m.get("a"));
    }

    @Test
    void mapValuesSeparatedByNewlinesCommasSemicolons() throws ConfException {
        ConfMap m = parse("m {\n a = 1\n b = 2, c = 3; d = 4\n}\n");
        assertEquals(Map.of("a", 1L, "b", 2L, "c", 3L, "d", 4L), m.get("m"));
    }

    @Test
    void arraysMixTypes() throws ConfException {
        Object v = value("[1, \"two\", 'three', four, 5.5, true, {a: 1}, [6, 7], 2016-05-04T18:53:41Z]");
        assertEquals(List.of(1L, "two", "three", "four", 5.5, true, Map.of("a", 1L), List.of(6L, 7L),
                Instant.parse("2016-05-04T18:53:41Z")), v);
        assertInstanceOf(ConfList.class, v);
    }

    @Test
    void arraysOverLinesAndWithTrailingComma() throws ConfException {
        assertEquals(List.of(1L, 2L, 3L), value("[\n  1\n  2,\n  3,\n]"));
        assertEquals(List.of(), value("[]"));
        assertEquals(List.of(1L, 2L, 3L), value("[1,2,3]"));
    }

    @Test
    void keysAreCaseAndOrderPreserving() throws ConfException {
        ConfMap m = parse("Port = 1\nDEBUG = true\nalpha = 2\n");
        assertEquals(List.of("Port", "DEBUG", "alpha"), List.copyOf(m.keySet()));
        assertEquals("DEBUG", m.findKeyIgnoreCase("debug"));
        assertNull(m.findKeyIgnoreCase("nope"));
    }

    @Test
    void quotedKeys() throws ConfException {
        ConfMap m = parse("\"a b\" = 1\n'c:d' = 2\nm { \"e f\": 3, 'g=h' 4 }\n");
        assertEquals(1L, m.get("a b"));
        assertEquals(2L, m.get("c:d"));
        assertEquals(Map.of("e f", 3L, "g=h", 4L), m.get("m"));
    }

    @Test
    void doubleQuotedEscapes() throws ConfException {
        assertEquals("a\tb\nc\rd\"e\\f", value("\"a\\tb\\nc\\rd\\\"e\\\\f\""));
        assertEquals("AB", value("\"\\x41\\x42\""));
        assertEquals("\u00e9", value("\"\\xc3\\xa9\""), "hex escapes are bytes that may form UTF-8");
        assertEquals("", value("\"\""));
        assertEquals("it's # not a comment", value("\"it's # not a comment\""));
    }

    @Test
    void singleQuotedStringsAreRaw() throws ConfException {
        assertEquals("a\\tb \"q\"", value("'a\\tb \"q\"'"));
        assertEquals("$NOT_A_VAR", value("'$NOT_A_VAR'"));
        assertEquals("true", value("'true'"));
        assertEquals("42", value("\"42\""));
    }

    @Test
    void bareStrings() throws ConfException {
        assertEquals("hello", value("hello"));
        assertEquals("nats://user:pass@host:4222", value("nats://user:pass@host:4222"));
        assertEquals("a=b:c", value("a=b:c"));
        assertEquals("a\tb", value("a\\tb"), "bare strings process escapes as upstream");
        assertEquals("/var/log/nats.log", value("/var/log/nats.log"));
    }

    @Test
    void blockStrings() throws ConfException {
        ConfMap m = parse("""
                text = (
                  line one
                  ) not the end
                  line three
                )
                after = 1
                """);
        assertEquals("\n  line one\n  ) not the end\n  line three\n", m.get("text"));
        assertEquals(1L, m.get("after"));
        assertEquals("\nx\n", parse("t = (\nx\n)").get("t"), "a block may end the file");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0", "42, 42", "-17, -17",
            "1k, 1000", "1K, 1000", "1kb, 1024", "1KB, 1024", "1ki, 1024", "1KiB, 1024", "1kib, 1024",
            "1m, 1000000", "1M, 1000000", "1mb, 1048576", "1MB, 1048576", "1Mi, 1048576", "1MiB, 1048576",
            "2g, 2000000000", "2G, 2000000000", "2gb, 2147483648", "2GiB, 2147483648",
            "1t, 1000000000000", "1tb, 1099511627776", "1TI, 1099511627776",
            "1p, 1000000000000000", "1pb, 1125899906842624", "1pib, 1125899906842624",
            "1e, 1000000000000000000", "1eb, 1152921504606846976", "1EiB, 1152921504606846976",
            "-5k, -5000", "9223372036854775807, 9223372036854775807",
            // a number with a size suffix: 2m is two million, as upstream (not two minutes)
            "2m, 2000000"
    })
    void integersAndSizes(String text, long expected) throws ConfException {
        assertEquals(expected, value(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "10s", "1h", "2h45m", "4222abc", "1kx", "1mbx"})
    void durationsAndDigitLedWordsAreStrings(String text) throws ConfException {
        assertEquals(text, value(text));
    }

    @Test
    void fractionalDurationIsAFloatFollowedByGarbage() {
        // as upstream: 1.5h lexes as the float 1.5 and then fails on the 'h'
        ConfException e = org.junit.jupiter.api.Assertions.assertThrows(ConfException.class, () -> value("1.5h"));
        assertEquals(1, e.getLine());
        assertEquals(8, e.getColumn());
    }

    @Test
    void floats() throws ConfException {
        assertEquals(1.5, value("1.5"));
        assertEquals(-0.25, value("-0.25"));
        assertEquals(3.0, value("3.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:4222", "10.0.0.1:-1", "1.2.3", "::1", "localhost:4222"})
    void addressesStayStrings(String text) throws ConfException {
        assertEquals(text, value(text));
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "True, true", "yes, true", "Yes, true", "on, true", "ON, true",
            "false, false", "FALSE, false", "no, false", "NO, false", "off, false", "Off, false"})
    void booleans(String text, boolean expected) throws ConfException {
        assertEquals(expected, value(text));
    }

    @Test
    void dates() throws ConfException {
        assertEquals(Instant.parse("2016-05-04T18:53:41Z"), value("2016-05-04T18:53:41Z"));
    }

    @Test
    void keyAtEndWithSeparatorAndNoValueIsEmptyString() throws ConfException {
        assertEquals("", parse("a = 1\nb =").get("b"));
    }

    @Test
    void braceWrappedJsonLikeFile() throws ConfException {
        ConfMap m = parse("{\n  \"port\": 4222,\n  \"cluster\": {\"name\": \"c\", \"routes\": [\"a\", \"b\"]}\n}\n");
        assertEquals(4222L, m.get("port"));
        assertEquals(Map.of("name", "c", "routes", List.of("a", "b")), m.get("cluster"));
        assertEquals(Map.of("a", 1L), parse("{\"a\": 1}"));
    }

    @Test
    void positionsOfKeys() throws ConfException {
        ConfMap m = parse("""
                port: 4222
                  name = "x"
                nested {
                    inner: [1,
                      2]
                }
                """);
        assertEquals(new Position("test.conf", 1, 1), m.positionOf("port"));
        assertEquals(new Position("test.conf", 2, 3), m.positionOf("name"));
        assertEquals(new Position("test.conf", 3, 1), m.positionOf("nested"));
        ConfMap nested = (ConfMap) m.get("nested");
        assertEquals(new Position("test.conf", 4, 5), nested.positionOf("inner"));
        ConfList inner = (ConfList) nested.get("inner");
        assertEquals(new Position("test.conf", 4, 13), inner.positionOf(0));
        assertEquals(new Position("test.conf", 5, 7), inner.positionOf(1));
        assertNull(m.positionOf("absent"));
        assertEquals("test.conf:2:3", m.positionOf("name").toString());
    }

    @Test
    void quotedListItemsAreLocatedAfterTheQuoteAsUpstream() throws ConfException {
        ConfList l = (ConfList) parse("l: [ \"a\", 'b', c ]\n").get("l");
        assertEquals(new Position("test.conf", 1, 7), l.positionOf(0));
        assertEquals(new Position("test.conf", 1, 12), l.positionOf(1));
        assertEquals(new Position("test.conf", 1, 16), l.positionOf(2));
    }

    @Test
    void positionsCountCodePoints() throws ConfException {
        ConfMap m = parse("a = \"\uD83D\uDE00\u00e9\"; b = 1\n");
        assertEquals(new Position("test.conf", 1, 11), m.positionOf("b"));
    }

    @Test
    void laterDuplicateWins() throws ConfException {
        ConfMap m = parse("a = 1\na = 2\n");
        assertEquals(2L, m.get("a"));
        assertEquals(2, m.positionOf("a").line());
    }

    @Test
    void emptyAndCommentOnlyInput() throws ConfException {
        assertTrue(parse("").isEmpty());
        assertTrue(parse("\n\n  # only a comment\n").isEmpty());
        assertTrue(parse("{}").isEmpty());
    }

    @Test
    void windowsLineEndings() throws ConfException {
        ConfMap m = parse("a = 1\r\nb = \"x\"\r\nm {\r\n  c = 2\r\n}\r\n");
        assertEquals(Map.of("a", 1L, "b", "x", "m", Map.of("c", 2L)), m);
        assertFalse(m.isUsedVariable("a"));
    }

    @Test
    void parseWithoutFileNameUsesLineColumnOnly() {
        ConfException e = org.junit.jupiter.api.Assertions.assertThrows(ConfException.class,
                () -> ConfParser.parse("a = [1 2]"));
        assertEquals("1:8: Expected an array value terminator \",\" or an array terminator \"]\", but got '2' instead.",
                e.getMessage());
        assertNull(e.getFile());
    }
}
