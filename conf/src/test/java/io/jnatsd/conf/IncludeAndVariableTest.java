package io.jnatsd.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncludeAndVariableTest {

    @TempDir
    Path dir;

    ConfMap parse(String text, Map<String, String> env) throws ConfException {
        return ConfParser.parse(text, dir, "main.conf", env::get);
    }

    ConfMap parse(String text) throws ConfException {
        return parse(text, Map.of());
    }

    // ---- variables ---------------------------------------------------------------------------------

    @Test
    void variableFromSameMap() throws ConfException {
        ConfMap m = parse("size = 10MB\nmax_payload = $size\n");
        assertEquals(10L * 1024 * 1024, m.get("max_payload"));
    }

    @Test
    void variablesResolveInnermostOutward() throws ConfException {
        ConfMap m = parse("""
                x = outer
                y = top
                m {
                  x = inner
                  a = $x
                  b = $y
                  n { c = $x }
                }
                d = $x
                """);
        ConfMap inner = (ConfMap) m.get("m");
        assertEquals("inner", inner.get("a"));
        assertEquals("top", inner.get("b"));
        assertEquals(Map.of("c", "inner"), inner.get("n"));
        assertEquals("outer", m.get("d"));
    }

    @Test
    void variableMustBeDefinedBeforeUse() {
        ConfException e = assertThrows(ConfException.class, () -> parse("a = $b\nb = 1\n"));
        assertEquals("main.conf:1:5: variable reference for 'b' on line 1 can not be found", e.getMessage());
    }

    @Test
    void variablesCanHoldMapsAndArrays() throws ConfException {
        ConfMap m = parse("perms = { publish = [\"a\", \"b\"] }\nuser { permissions = $perms }\nlist = [1, 2]\nl2 = $list\n");
        assertEquals(Map.of("publish", List.of("a", "b")), ((ConfMap) m.get("user")).get("permissions"));
        assertEquals(List.of(1L, 2L), m.get("l2"));
    }

    @Test
    void variablesInsideArrays() throws ConfException {
        ConfMap m = parse("a = 1\nb = [$a, 2, $a]\n");
        assertEquals(List.of(1L, 2L, 1L), m.get("b"));
    }

    @Test
    void usedVariablesStayButAreMarked() throws ConfException {
        ConfMap m = parse("VAR = 5\nunused = 6\nmax_payload = $VAR\nm { INNER = x, k = $INNER }\n");
        assertTrue(m.containsKey("VAR"), "upstream keeps the key; it only marks it used");
        assertTrue(m.isUsedVariable("VAR"));
        assertFalse(m.isUsedVariable("unused"));
        assertFalse(m.isUsedVariable("max_payload"));
        assertTrue(((ConfMap) m.get("m")).isUsedVariable("INNER"));
    }

    @Test
    void variableNamesAreCaseSensitive() {
        assertThrows(ConfException.class, () -> parse("Var = 1\na = $var\n"));
    }

    @Test
    void environmentValuesAreParsedAsConfigValues() throws ConfException {
        ConfMap m = parse("a = $SIZE\nb = $FLAG\nc = $TEXT\nd = $LIST\ne = $DUR\n",
                Map.of("SIZE", "10MB", "FLAG", "true", "TEXT", "hello", "LIST", "[1, 2]", "DUR", "2s"));
        assertEquals(10L * 1024 * 1024, m.get("a"));
        assertEquals(true, m.get("b"));
        assertEquals("hello", m.get("c"));
        assertEquals(List.of(1L, 2L), m.get("d"));
        assertEquals("2s", m.get("e"));
    }

    @Test
    void environmentValueWithBlanksMustBeQuoted() throws ConfException {
        // the value is parsed as "pk=<value>", so a bare value ends at the first blank, as upstream
        assertThrows(ConfException.class, () -> parse("a = $TEXT\n", Map.of("TEXT", "hello world")));
        assertEquals("hello world", parse("a = $TEXT\n", Map.of("TEXT", "\"hello world\"")).get("a"));
    }

    @Test
    void mapsWinOverEnvironment() throws ConfException {
        ConfMap m = parse("HOME = here\na = $HOME\n", Map.of("HOME", "/root"));
        assertEquals("here", m.get("a"));
    }

    @Test
    void environmentValueMayReferenceAnotherEnvironmentValue() throws ConfException {
        ConfMap m = parse("a = $A\n", Map.of("A", "$B", "B", "42"));
        assertEquals(42L, m.get("a"));
    }

    @Test
    void environmentReferenceCyclesAreDetected() {
        ConfException e = assertThrows(ConfException.class, () -> parse("x = 1\na = $A\n", Map.of("A", "$B", "B", "$A")));
        assertEquals(2, e.getLine());
        assertEquals(5, e.getColumn());
        assertTrue(e.getReason().contains("variable reference cycle for 'A'"), e.getReason());
        ConfException self = assertThrows(ConfException.class, () -> parse("a = $A\n", Map.of("A", "$A")));
        assertTrue(self.getReason().contains("variable reference cycle for 'A'"), self.getReason());
    }

    @Test
    void malformedEnvironmentValue() {
        ConfException e = assertThrows(ConfException.class, () -> parse("a = $BAD\n", Map.of("BAD", "[1 2")));
        assertTrue(e.getReason().startsWith("variable reference for 'BAD' on line 1 could not be parsed: "), e.getReason());
        assertEquals(1, e.getLine());
        assertEquals(5, e.getColumn());
    }

    @Test
    void bcryptHashIsAString() throws ConfException {
        String hash = "$2a$11$PWIFAL8RsWyGI3jVZtO9Nu8.6jOxzxfZo7c/W0eLk017hjgUKWrhy";
        ConfMap m = parse("password = " + hash + "\n");
        assertEquals(hash, m.get("password"));
    }

    @Test
    void quotedDollarIsNotAVariable() throws ConfException {
        assertEquals("$x", parse("a = \"$x\"\n").get("a"));
    }

    @Test
    void realEnvironmentIsTheDefault() throws ConfException {
        String path = System.getenv("PATH");
        if (path == null) return;
        ConfMap m = ConfParser.parse("p = $PATH\n");
        assertTrue(m.containsKey("p"));
    }

    // ---- includes ----------------------------------------------------------------------------------

    @Test
    void includeMergesIntoCurrentMap() throws Exception {
        Files.writeString(dir.resolve("users.conf"), "user = alice\npassword = secret\n");
        Files.writeString(dir.resolve("limits.conf"), "max_payload = 2MB\n");
        ConfMap m = parse("""
                port = 4222
                include ./limits.conf
                authorization {
                  include "users.conf"
                  timeout = 2
                }
                """);
        assertEquals(2L * 1024 * 1024, m.get("max_payload"));
        assertEquals(Map.of("user", "alice", "password", "secret", "timeout", 2L), m.get("authorization"));
        assertEquals(List.of("port", "max_payload", "authorization"), List.copyOf(m.keySet()));
        assertEquals(new Position(dir.resolve("limits.conf").toString(), 1, 1), m.positionOf("max_payload"));
    }

    @Test
    void includeSpellings() throws Exception {
        Files.writeString(dir.resolve("a.conf"), "a = 1\n");
        Files.writeString(dir.resolve("b.conf"), "b = 2\n");
        Files.writeString(dir.resolve("c.conf"), "c = 3\n");
        ConfMap m = parse("include a.conf\nINCLUDE 'b.conf'; include \"c.conf\"\n");
        assertEquals(Map.of("a", 1L, "b", 2L, "c", 3L), m);
    }

    @Test
    void includesAreRelativeToTheIncludingFile() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.writeString(sub.resolve("one.conf"), "one = 1\ninclude ../two.conf\ninclude deeper/three.conf\n");
        Files.createDirectories(sub.resolve("deeper"));
        Files.writeString(sub.resolve("deeper/three.conf"), "three = 3\n");
        Files.writeString(dir.resolve("two.conf"), "two = 2\n");
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "include sub/one.conf\n");
        ConfMap m = ConfParser.parseFile(main);
        assertEquals(Map.of("one", 1L, "two", 2L, "three", 3L), m);
    }

    @Test
    void includedFilesDoNotSeeTheIncludersVariablesButTheirOwn() throws Exception {
        Files.writeString(dir.resolve("vars.conf"), "LIMIT = 5\n");
        ConfMap m = parse("include vars.conf\nmax = $LIMIT\n");
        assertEquals(5L, m.get("max"));
        assertTrue(m.isUsedVariable("LIMIT"));
        Files.writeString(dir.resolve("uses.conf"), "max = $OUTER\n");
        assertThrows(ConfException.class, () -> parse("OUTER = 1\ninclude uses.conf\n"));
    }

    @Test
    void includeCyclesAreDetected() throws Exception {
        Files.writeString(dir.resolve("x.conf"), "x = 1\ninclude y.conf\n");
        Files.writeString(dir.resolve("y.conf"), "y = 1\ninclude x.conf\n");
        ConfException e = assertThrows(ConfException.class, () -> ConfParser.parseFile(dir.resolve("x.conf")));
        assertTrue(e.getReason().contains("include cycle"), e.getMessage());
        assertEquals(dir.resolve("y.conf").toString(), e.getFile());
        assertEquals(2, e.getLine());
    }

    @Test
    void absoluteIncludeIsFirstLookedForUnderTheIncludingDirectoryAsUpstream() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path abs = elsewhere.resolve("abs.conf");
        Files.writeString(abs, "where = absolute\n");
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path main = sub.resolve("main.conf");
        Files.writeString(main, "include " + abs + "\n");
        // not under sub/: the absolute path is used
        assertEquals("absolute", ConfParser.parseFile(main).get("where"));
        // under sub/ (upstream's filepath.Join): that one wins, as upstream
        Path joined = sub.resolve(abs.toString().substring(1));
        Files.createDirectories(joined.getParent());
        Files.writeString(joined, "where = joined\n");
        assertEquals("joined", ConfParser.parseFile(main).get("where"));
    }

    @Test
    void includingADirectoryFails() {
        ConfException e = assertThrows(ConfException.class, () -> parse("include .\n"));
        assertTrue(e.getReason().startsWith("error parsing include file '.'"), e.getReason());
    }
}
