package io.jnatsd.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Parses the NATS configuration format into a {@link ConfMap}.
 *
 * <p>Besides the syntax (see {@link Lexer}) it resolves:
 * <ul>
 *   <li>{@code include file} – resolved relative to the including file and merged into the current map;</li>
 *   <li>{@code $VAR} – looked up in the enclosing maps, innermost outward, then in the environment, whose value
 *       is parsed again as a configuration value (so {@code 10MB} becomes a number); a variable found in a
 *       map marks that key {@linkplain ConfMap#isUsedVariable(String) used}; a raw bcrypt hash such as
 *       {@code $2a$11$...} is kept as a string;</li>
 *   <li>integers with size suffixes: {@code k m g t p e} are powers of 1000, {@code kb ki kib ...} powers of 1024
 *       (case-insensitive), floats, booleans and ISO-8601 Zulu dates.</li>
 * </ul>
 * Every failure is a {@link ConfException} with the file, line and column; nothing else escapes.
 */
public final class ConfParser {
    /** Includes nested deeper than this are refused (upstream has no limit and recurses until it crashes). */
    static final int MAX_INCLUDE_DEPTH = 32;
    private static final String ENV_KEY = "pk";
    private static final String BCRYPT_PREFIX = "2a$";
    private static final DateTimeFormatter ZULU = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);

    private final Lexer lexer;
    private final String fileName;
    private final Path baseDir;
    private final Function<String, String> env;
    private final List<Path> includeChain;
    private final Set<String> envReferences;

    private final ConfMap root = new ConfMap();
    private final ArrayDeque<Object> contexts = new ArrayDeque<>();   // ConfMap or ConfList
    private final ArrayDeque<Integer> keyDepths = new ArrayDeque<>(); // keys.size() when each context opened
    private final ArrayDeque<Key> keys = new ArrayDeque<>();

    private record Key(String name, Position position) {
    }

    private ConfParser(String text, String fileName, Path baseDir, Function<String, String> env,
                       List<Path> includeChain, Set<String> envReferences) {
        this.lexer = new Lexer(text);
        this.fileName = fileName;
        this.baseDir = baseDir;
        this.env = env;
        this.includeChain = includeChain;
        this.envReferences = envReferences;
    }

    // ---- public API --------------------------------------------------------------------------------

    /** Parses a file; includes are relative to its directory, errors name it as given. */
    public static ConfMap parseFile(Path file) throws ConfException {
        return parseFile(file, System::getenv);
    }

    /** As {@link #parseFile(Path)}, looking {@code $VAR}s up in {@code environment} instead of the process environment. */
    public static ConfMap parseFile(Path file, Function<String, String> environment) throws ConfException {
        String text = read(file);
        return parse(text, directoryOf(file), file.toString(), environment, List.of(canonical(file)));
    }

    /** Parses text; includes are relative to the working directory. */
    public static ConfMap parse(String text) throws ConfException {
        return parse(text, Path.of(""), null);
    }

    /**
     * Parses text.
     *
     * @param baseDirForIncludes directory that relative includes resolve against
     * @param fileNameForErrors  file name shown in errors and positions (may be {@code null})
     */
    public static ConfMap parse(String text, Path baseDirForIncludes, String fileNameForErrors) throws ConfException {
        return parse(text, baseDirForIncludes, fileNameForErrors, System::getenv);
    }

    /** As {@link #parse(String, Path, String)}, looking {@code $VAR}s up in {@code environment}. */
    public static ConfMap parse(String text, Path baseDirForIncludes, String fileNameForErrors,
                                Function<String, String> environment) throws ConfException {
        return parse(text, baseDirForIncludes, fileNameForErrors, environment, List.of());
    }

    private static ConfMap parse(String text, Path baseDir, String fileName, Function<String, String> env,
                                 List<Path> chain) throws ConfException {
        ConfParser p = new ConfParser(text, fileName, baseDir == null ? Path.of("") : baseDir,
                env == null ? name -> null : env, chain, new HashSet<>());
        return p.run();
    }

    // ---- parsing -----------------------------------------------------------------------------------

    private Position position(int offset) {
        return new Position(fileName, lexer.lineOf(offset), lexer.columnOf(offset));
    }

    private ConfException error(int offset, String message) {
        Position p = position(offset);
        return new ConfException(p, message);
    }

    private ConfMap run() throws ConfException {
        pushContext(root);
        Lexer.Token previous = null;
        while (true) {
            Lexer.Token t = lexer.next();
            if (t.kind() == Lexer.Kind.EOF) {
                // A key with no value at the end of the input (upstream 2.9 ignores it silently, newer
                // releases reject it). A closing '}' of a brace-wrapped (JSON-like) file is lexed as a key: allowed.
                if (previous != null && previous.kind() == Lexer.Kind.KEY && !previous.value().equals("}")) {
                    throw error(previous.offset(), "config is invalid: key '" + previous.value() + "' has no value");
                }
                break;
            }
            previous = t;
            process(t);
        }
        return root;
    }

    private void pushContext(Object ctx) {
        contexts.push(ctx);
        keyDepths.push(keys.size());
    }

    private Object popContext(Lexer.Token t) throws ConfException {
        Object ctx = contexts.pop();
        int depth = keyDepths.pop();
        if (keys.size() > depth) {
            Key k = keys.peek();
            throw new ConfException(k.position(), "config is invalid: key '" + k.name() + "' has no value");
        }
        if (contexts.isEmpty()) throw error(t.offset(), "unexpected end of a map or array");
        return ctx;
    }

    private void process(Lexer.Token t) throws ConfException {
        switch (t.kind()) {
            case ERROR -> throw error(t.offset(), t.value());
            case KEY -> keys.push(new Key(t.value(), position(t.offset())));
            case MAP_START -> pushContext(new ConfMap());
            case MAP_END -> setValue(popContext(t), t);
            case ARRAY_START -> pushContext(new ConfList());
            case ARRAY_END -> setValue(popContext(t), t);
            case STRING -> setValue(t.value(), t);
            case BOOL -> setValue(parseBool(t), t);
            case INTEGER -> setValue(parseInteger(t), t);
            case FLOAT -> setValue(parseFloat(t), t);
            case DATETIME -> setValue(parseDate(t), t);
            case VARIABLE -> setValue(lookupVariable(t), t);
            case INCLUDE -> include(t);
            case EOF -> {
            }
        }
    }

    private void setValue(Object value, Lexer.Token t) throws ConfException {
        setValue(value, position(t.offset()), t.offset());
    }

    private void setValue(Object value, Position valuePosition, int offset) throws ConfException {
        Object ctx = contexts.peek();
        if (ctx instanceof ConfList list) {
            list.add(value, valuePosition);
        } else if (ctx instanceof ConfMap map) {
            if (keys.size() <= keyDepths.peek()) throw error(offset, "value without a key");
            Key k = keys.pop();
            // as upstream's pedantic mode, a value is located at its key
            map.put(k.name(), value, k.position());
        }
    }

    private static Boolean parseBool(Lexer.Token t) throws ConfException {
        return switch (t.value().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    private Long parseInteger(Lexer.Token t) throws ConfException {
        String s = t.value();
        int digits = 0;
        while (digits < s.length() && (Character.isDigit(s.charAt(digits)) || s.charAt(digits) == '-')) digits++;
        String number = s.substring(0, digits);
        String suffix = s.substring(digits).toLowerCase(Locale.ROOT);
        long n;
        try {
            if (!number.matches("-?[0-9]+")) throw new NumberFormatException();
            n = Long.parseLong(number);
        } catch (NumberFormatException e) {
            if (number.matches("-?[0-9]+")) throw error(t.offset(), "integer '" + s + "' is out of the range");
            throw error(t.offset(), "expected integer, but got '" + s + "'");
        }
        long multiplier = switch (suffix) {
            case "" -> 1L;
            case "k" -> 1000L;
            case "kb", "ki", "kib" -> 1L << 10;
            case "m" -> 1000L * 1000;
            case "mb", "mi", "mib" -> 1L << 20;
            case "g" -> 1000L * 1000 * 1000;
            case "gb", "gi", "gib" -> 1L << 30;
            case "t" -> 1000L * 1000 * 1000 * 1000;
            case "tb", "ti", "tib" -> 1L << 40;
            case "p" -> 1000L * 1000 * 1000 * 1000 * 1000;
            case "pb", "pi", "pib" -> 1L << 50;
            case "e" -> 1000L * 1000 * 1000 * 1000 * 1000 * 1000;
            case "eb", "ei", "eib" -> 1L << 60;
            default -> throw error(t.offset(), "invalid size suffix in '" + s + "'");
        };
        try {
            return Math.multiplyExact(n, multiplier);
        } catch (ArithmeticException e) {
            throw error(t.offset(), "integer '" + s + "' is out of the range");
        }
    }

    private Double parseFloat(Lexer.Token t) throws ConfException {
        String s = t.value();
        if (!s.matches("-?[0-9]+\\.[0-9]+")) throw error(t.offset(), "expected float, but got '" + s + "'");
        double d = Double.parseDouble(s);
        if (Double.isInfinite(d)) throw error(t.offset(), "float '" + s + "' is out of the range");
        return d;
    }

    private Instant parseDate(Lexer.Token t) throws ConfException {
        try {
            return LocalDateTime.parse(t.value(), ZULU).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw error(t.offset(), "expected Zulu formatted DateTime, but got '" + t.value() + "'");
        }
    }

    // ---- variables ---------------------------------------------------------------------------------

    private Object lookupVariable(Lexer.Token t) throws ConfException {
        String name = t.value();
        int line = lexer.lineOf(t.offset());
        if (name.startsWith(BCRYPT_PREFIX)) return "$" + name;
        for (Object ctx : contexts) { // innermost first
            if (ctx instanceof ConfMap m && m.containsKey(name)) {
                m.markUsedVariable(name);
                return m.get(name);
            }
        }
        if (envReferences.contains(name)) {
            throw error(t.offset(), "variable reference for '" + name + "' on line " + line
                    + " could not be parsed: variable reference cycle for '" + name + "'");
        }
        String value;
        try {
            value = env.apply(name);
        } catch (RuntimeException e) {
            value = null;
        }
        if (value != null) {
            envReferences.add(name);
            try {
                ConfParser sub = new ConfParser(ENV_KEY + "=" + value, null, baseDir, env, includeChain, envReferences);
                ConfMap m = sub.run();
                if (m.containsKey(ENV_KEY)) return m.get(ENV_KEY);
            } catch (ConfException e) {
                throw error(t.offset(), "variable reference for '" + name + "' on line " + line
                        + " could not be parsed: " + e.getReason());
            } finally {
                envReferences.remove(name);
            }
        }
        throw error(t.offset(), "variable reference for '" + name + "' on line " + line + " can not be found");
    }

    // ---- includes ----------------------------------------------------------------------------------

    private void include(Lexer.Token t) throws ConfException {
        String name = t.value();
        if (includeChain.size() >= MAX_INCLUDE_DEPTH) {
            throw error(t.offset(), "error parsing include file '" + name + "', includes nested too deeply");
        }
        Path file;
        try {
            // Upstream joins the including file's directory and the name even when the name is absolute
            // (Go's filepath.Join), so "/etc/x.conf" is looked for under that directory first. Configs valid
            // upstream therefore read the same file here; an absolute name that is not found that way is
            // then taken as absolute.
            String relative = name;
            while (relative.startsWith("/")) relative = relative.substring(1);
            file = baseDir.resolve(relative).normalize();
            if (!relative.equals(name) && !Files.exists(file) && Files.exists(Path.of(name))) {
                file = Path.of(name).normalize();
            }
        } catch (RuntimeException e) { // InvalidPathException
            throw error(t.offset(), "error parsing include file '" + name + "', invalid path");
        }
        Path canonical = canonical(file);
        if (includeChain.contains(canonical)) {
            throw error(t.offset(), "error parsing include file '" + name + "', include cycle");
        }
        String text;
        try {
            text = read(file);
        } catch (ConfException e) {
            throw error(t.offset(), "error parsing include file '" + name + "', " + e.getReason());
        }
        List<Path> chain = new ArrayList<>(includeChain);
        chain.add(canonical);
        ConfParser sub = new ConfParser(text, file.toString(), directoryOf(file), env, chain, new HashSet<>());
        ConfMap included = sub.run();
        Object ctx = contexts.peek();
        for (Map.Entry<String, Object> e : included.entrySet()) {
            Position p = included.positionOf(e.getKey());
            keys.push(new Key(e.getKey(), p));
            setValue(e.getValue(), p, t.offset());
            if (included.isUsedVariable(e.getKey()) && ctx instanceof ConfMap m) m.markUsedVariable(e.getKey());
        }
    }

    // ---- files -------------------------------------------------------------------------------------

    private static Path directoryOf(Path file) {
        Path parent = file.getParent();
        return parent == null ? Path.of("") : parent;
    }

    private static Path canonical(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException | RuntimeException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    private static String read(Path file) throws ConfException {
        String at = file.toString();
        try {
            // malformed UTF-8 becomes U+FFFD, as Go's decoder does
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfException(at, 0, 0, "open " + file + ": no such file or directory");
        } catch (AccessDeniedException e) {
            throw new ConfException(at, 0, 0, "open " + file + ": permission denied");
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (Files.isDirectory(file)) why = "is a directory";
            throw new ConfException(at, 0, 0, "read " + file + ": " + why);
        } catch (OutOfMemoryError e) {
            throw new ConfException(at, 0, 0, "read " + file + ": file too large");
        }
    }
}
