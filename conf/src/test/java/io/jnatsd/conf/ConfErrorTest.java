package io.jnatsd.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed input: every error carries the file, line and column of the offending character. */
class ConfErrorTest {

    static ConfException fail(String text) {
        return assertThrows(ConfException.class, () -> ConfParser.parse(text, Path.of(""), "t.conf", n -> null));
    }

    /** Each row: the input (with | for a new line), the expected line, column and message start. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '~', quoteCharacter = '`', value = {
            "a = 1|= 2|                 ~ 2 ~ 1  ~ Unexpected key separator '='",
            "a = 1 2|                   ~ 1 ~ 7  ~ Expected a top-level value to end with a new line, comment or EOF, but got '2' instead.",
            "a = [1, 2 3]|              ~ 1 ~ 11 ~ Expected an array value terminator \",\" or an array terminator \"]\", but got '3' instead.",
            "a = [,1]|                  ~ 1 ~ 6  ~ Unexpected array value terminator ','.",
            "a = [1, 2|                 ~ 2 ~ 1  ~ Expected an array value terminator",
            "a {|  b = 1 c = 2|}|       ~ 2 ~ 9  ~ Expected a map value terminator \",\" or a map terminator \"}\", but got 'c' instead.",
            "a {|  b = ,|}|             ~ 2 ~ 7  ~ Unexpected map value terminator \",\".",
            "a { = 1 }|                 ~ 1 ~ 5  ~ Unexpected key separator '='.",
            "a { ]|                     ~ 1 ~ 5  ~ Unexpected array end ']' processing map.",
            "a { b = 1 ]|               ~ 1 ~ 11 ~ Expected a map value terminator",
            "a {|  b = 1|               ~ 3 ~ 1  ~ Unexpected EOF processing map.",
            "a {|  'b = 1|              ~ 3 ~ 1  ~ Unexpected EOF processing quoted map key.",
            "a {|  \"b = 1|             ~ 3 ~ 1  ~ Unexpected EOF processing double quoted map key.",
            "a = \"abc|                 ~ 2 ~ 1  ~ Unexpected EOF.",
            "a = 'abc|                  ~ 2 ~ 1  ~ Unexpected EOF.",
            "x = 1|a = \"bad \\q escape\"| ~ 2 ~ 11 ~ Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.",
            "a = \"\\xZZ\"|             ~ 1 ~ 8  ~ Expected two hexadecimal digits after '\\x', but got 'ZZ'",
            "a = \"\\x4|\"|             ~ 1 ~ 9  ~ Expected two hexadecimal digits after '\\x', but hit end of line",
            "a = .5|                    ~ 1 ~ 5  ~ Floats must start with a digit",
            "a = -.5|                   ~ 1 ~ 6  ~ Floats must start with a digit, not '.'.",
            "a = -x|                    ~ 1 ~ 6  ~ Expected a digit but got 'x'.",
            "a = 1.x|                   ~ 1 ~ 7  ~ Floats must have a digit after the '.', but got 'x' instead.",
            "a = 1.5k|                  ~ 1 ~ 8  ~ Expected a top-level value to end",
            "a = 2016-05-04X18:53:41Z|  ~ 1 ~ 15 ~ Expected 'T' in ISO8601 datetime, but found 'X' instead.",
            "a = 2016-05-04T1x:53:41Z|  ~ 1 ~ 17 ~ Expected digit in ISO8601 datetime, but found 'x' instead.",
            "a = 2016-13-04T18:53:41Z|  ~ 1 ~ 5  ~ expected Zulu formatted DateTime, but got '2016-13-04T18:53:41Z'",
            "a = 12-3|                  ~ 1 ~ 7  ~ All ISO8601 dates must be in full Zulu form.",
            "a = (|unterminated|        ~ 3 ~ 1  ~ Unexpected EOF processing block.",
            "a =|b = 1|                 ~ 1 ~ 4  ~ Expected value but found new line",
            "include [x]|               ~ 1 ~ 9  ~ Expected include value but found start of an array",
            "include {x}|               ~ 1 ~ 9  ~ Expected include value but found start of a map",
            "include (x)|               ~ 1 ~ 9  ~ Expected include value but found start of a block",
            "include 5|                 ~ 1 ~ 9  ~ Expected include value but found start of a number",
            "include \\x|               ~ 1 ~ 9  ~ Expected include value but found escape sequence",
            "include \"x|               ~ 2 ~ 1  ~ Unexpected EOF in double quoted include",
            "include 'x|                ~ 2 ~ 1  ~ Unexpected EOF in quoted include",
            "a = 1|  b = $missing|      ~ 2 ~ 7  ~ variable reference for 'missing' on line 2 can not be found",
            "a = 99999999999999999999|  ~ 1 ~ 5  ~ integer '99999999999999999999' is out of the range",
            "a = 9999999999999E|        ~ 1 ~ 5  ~ integer '9999999999999E' is out of the range",
            "a = 1kbib|                 ~ 1 ~ 5  ~ invalid size suffix in '1kbib'",
            "'a = 1|                    ~ 2 ~ 1  ~ Unexpected EOF.",
            "a = 1|b|                   ~ 2 ~ 1  ~ config is invalid: key 'b' has no value",
            "m {|  b|}|                 ~ 2 ~ 3  ~ config is invalid: key 'b' has no value",
    })
    void malformed(String input, int line, int column, String message) {
        ConfException e = fail(input.strip().replace('|', '\n'));
        assertEquals(line + ":" + column, e.getLine() + ":" + e.getColumn(), e.getMessage());
        assertTrue(e.getReason().startsWith(message.strip()), e.getReason());
        assertEquals("t.conf", e.getFile());
        assertEquals("t.conf:" + line + ":" + column + ": " + e.getReason(), e.getMessage());
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Path f = dir.resolve("absent.conf");
        ConfException e = assertThrows(ConfException.class, () -> ConfParser.parseFile(f));
        assertEquals("open " + f + ": no such file or directory", e.getMessage());
        assertEquals(0, e.getLine());
        assertNull(e.getPosition());
    }

    @Test
    void errorInFileNamesTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "port: 4222\nhttp = [1 2]\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfParser.parseFile(f));
        assertEquals(f + ":2:11: Expected an array value terminator \",\" or an array terminator \"]\", but got '2' instead.",
                e.getMessage());
    }

    @Test
    void errorInIncludedFileNamesTheIncludedFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("inner.conf"), "ok = 1\nbad = [1 2]\n");
        Path f = dir.resolve("outer.conf");
        Files.writeString(f, "a = 1\ninclude ./inner.conf\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfParser.parseFile(f));
        assertEquals(dir.resolve("inner.conf").toString(), e.getFile());
        assertEquals(2, e.getLine());
        assertEquals(10, e.getColumn());
    }

    @Test
    void missingIncludeIsReportedAtTheIncludeLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("outer.conf");
        Files.writeString(f, "a = 1\n  include nope.conf\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfParser.parseFile(f));
        assertEquals(f.toString(), e.getFile());
        assertEquals(2, e.getLine());
        assertEquals(11, e.getColumn());
        assertTrue(e.getReason().startsWith("error parsing include file 'nope.conf', open "), e.getReason());
    }
}
