package io.jnatsd.server.jetstream.common;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every JetStream error the code names is in upstream's error table, and every call fills
 * exactly the placeholders its text has: a misspelt name or a forgotten {@code {err}} fails
 * here rather than in front of a client.
 */
class ApiErrorNamesTest {
    private static final Path SOURCES = Path.of("src/main/java/io/jnatsd/server");
    private static final Pattern CALL = Pattern.compile("(?:ApiErrors|ApiException)\\.of\\(");
    private static final Pattern NAME = Pattern.compile("JS\\w+");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    /** One {@code of(...)} call: where, the error names it may produce, the placeholder names it fills. */
    private record Call(String where, List<String> names, Set<String> filled) {}

    @Test
    void everyNamedErrorExistsAndGetsItsPlaceholders() throws IOException {
        List<Call> calls = calls();
        assertTrue(calls.size() > 100, "found only " + calls.size() + " calls");
        List<String> wrong = new ArrayList<>();
        for (Call c : calls) {
            if (c.names().isEmpty()) wrong.add(c.where() + ": no error name in the call");
            for (String name : c.names()) {
                if (!ApiErrors.exists(name)) {
                    wrong.add(c.where() + ": " + name + " is not in the error table");
                    continue;
                }
                Set<String> wanted = placeholders(ApiErrors.template(name));
                if (!wanted.equals(c.filled())) wrong.add(c.where() + ": " + name + " wants " + wanted + ", given " + c.filled());
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void anUnfilledPlaceholderIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ApiErrors.of("JSInvalidJSONErr"));
        assertEquals("invalid JSON: x", ApiErrors.of("JSInvalidJSONErr", "err", "x").description());
    }

    private static Set<String> placeholders(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static List<Call> calls() throws IOException {
        List<Call> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher m = CALL.matcher(src);
                while (m.find()) {
                    if (f.getFileName().toString().equals("ApiException.java")) continue; // the delegating of(...)
                    int line = (int) src.substring(0, m.start()).chars().filter(ch -> ch == '\n').count() + 1;
                    out.add(parse(f.getFileName() + ":" + line, args(src, m.end())));
                }
            }
        }
        return out;
    }

    /** The top-level arguments of a call whose '(' ends just before {@code from}. */
    private static List<String> args(String src, int from) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        boolean inString = false;
        StringBuilder cur = new StringBuilder();
        for (int i = from; i < src.length(); i++) {
            char ch = src.charAt(i);
            if (inString) {
                cur.append(ch);
                if (ch == '\\') cur.append(src.charAt(++i));
                else if (ch == '"') inString = false;
                continue;
            }
            if (ch == '"') inString = true;
            if (ch == '(') depth++;
            if (ch == ')' && depth-- == 0) break;
            if (ch == ',' && depth == 0) {
                args.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        args.add(cur.toString().trim());
        return args;
    }

    private static Call parse(String where, List<String> args) {
        List<String> names = new ArrayList<>();
        Matcher n = NAME.matcher(args.get(0));
        while (n.find()) names.add(n.group());
        Set<String> filled = new TreeSet<>();
        for (int i = 1; i < args.size(); i += 2) filled.add(args.get(i).replace("\"", ""));
        return new Call(where, names, filled);
    }
}
