package io.jnatsd.protocol.subject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rewrites subjects matching a source filter into a destination, as NATS subject mappings do:
 * account and server {@code mappings}, import/export renames, a stream's
 * {@code subject_transform}, the {@code subject_transforms} of mirrors and sources and
 * {@code republish}.
 *
 * <p>A destination token is either literal text, {@code >} (the rest of the subject, when the
 * source also ends with {@code >}), a legacy {@code $n} (the n-th {@code *} of the source), or a
 * function in double braces, case-insensitive:
 * <ul>
 *   <li>{@code {{wildcard(n)}}} — the token matched by the n-th {@code *}</li>
 *   <li>{@code {{partition(p, n...)}}} — FNV-1a-32 of the chosen wildcards' tokens
 *       concatenated without a separator, modulo p; {@code {{partition(p)}}} hashes the
 *       whole subject</li>
 *   <li>{@code {{split(n, delim)}}} — the token split at every {@code delim}, empty pieces dropped</li>
 *   <li>{@code {{splitFromLeft(n, pos)}}}, {@code {{splitFromRight(n, pos)}}} — split in two</li>
 *   <li>{@code {{sliceFromLeft(n, size)}}}, {@code {{sliceFromRight(n, size)}}} — cut in pieces</li>
 *   <li>{@code {{left(n, len)}}}, {@code {{right(n, len)}}} — a prefix or suffix of the token</li>
 *   <li>{@code {{random(p)}}} — a random number below p</li>
 * </ul>
 * Instances are immutable and thread-safe.
 */
public final class SubjectTransform {

    /** A source/destination pair that cannot be a transform; the message says why, as upstream words it. */
    public static final class InvalidTransformException extends IllegalArgumentException {
        InvalidTransformException(String message) {
            super(message, null);
        }
    }

    private static final String BAD_SUBJECT = "invalid subject";
    private static final String INVALID = "invalid mapping destination";
    private static final String INVALID_SUBJECT = INVALID + ": invalid transform";
    private static final String NOT_ALL_WILDCARDS = INVALID + ": not using all of the token wildcard(s)";
    private static final String UNKNOWN_FUNCTION = INVALID + ": unknown function";
    private static final String OUT_OF_RANGE = INVALID + ": wildcard index out of range";
    private static final String NOT_ENOUGH_ARGS = INVALID + ": not enough arguments passed to the function";
    private static final String INVALID_ARG = INVALID + ": function argument is invalid or in the wrong format";
    private static final String TOO_MANY_ARGS = INVALID + ": too many arguments passed to the function";
    private static final String IMPORT_ONLY_WILDCARD =
            INVALID + ": the only mapping function allowed for import transforms is {{Wildcard()}}";

    private enum Kind { LITERAL, WILDCARD, PARTITION, SPLIT_FROM_LEFT, SPLIT_FROM_RIGHT, SLICE_FROM_LEFT,
        SLICE_FROM_RIGHT, SPLIT, LEFT, RIGHT, RANDOM }

    /**
     * One destination token. {@code wildcards} are the 1-based wildcard numbers the function
     * reads, {@code tokens} the same resolved to source token positions.
     */
    private record Part(Kind kind, String text, int[] wildcards, int[] tokens, int number, String delimiter) {}

    private final String source;
    private final String destination;
    private final String[] sourceTokens;
    private final Part[] parts;
    private final boolean identity;

    private SubjectTransform(String source, String destination, String[] sourceTokens, Part[] parts) {
        this.source = source;
        this.destination = destination;
        this.sourceTokens = sourceTokens;
        this.parts = parts;
        this.identity = (source.isEmpty() || source.equals(">")) && (destination.isEmpty() || destination.equals(">"));
    }

    /** A transform from {@code source} (empty means {@code >}) to {@code destination}. */
    public static SubjectTransform create(String source, String destination) {
        return create(source, destination, false);
    }

    /**
     * A transform that must be reversible, as import renames need: only {@code $n} and
     * {@code {{wildcard(n)}}}, and every wildcard of the source used.
     */
    public static SubjectTransform createStrict(String source, String destination) {
        return create(source, destination, true);
    }

    /**
     * Checks a destination the way stream and mapping configs are checked: every token is a
     * valid subject token or a known function, nothing after {@code >}, and the transform can
     * be built. Throws {@link InvalidTransformException}; an empty destination is fine.
     */
    public static void validate(String source, String destination) {
        if (destination == null || destination.isEmpty()) return;
        boolean afterFwc = false;
        for (String t : destination.split("\\.", -1)) {
            if (t.isEmpty() || afterFwc) throw new InvalidTransformException(INVALID_SUBJECT + " in " + t);
            if (isFunction(t)) {
                if (functionName(t) == null) throw new InvalidTransformException(UNKNOWN_FUNCTION + " in " + t);
                continue;
            }
            if (t.equals(">")) afterFwc = true;
            else if (containsWhitespace(t)) throw new InvalidTransformException(INVALID_SUBJECT);
        }
        create(source == null ? "" : source, destination);
    }

    private static SubjectTransform create(String source, String destination, boolean strict) {
        if (source == null) source = "";
        if (destination == null || destination.isEmpty()) {
            String src = source.isEmpty() ? ">" : source;
            return new SubjectTransform(src, "", split(src), new Part[0]);
        }
        String src = source.isEmpty() ? ">" : source;
        String[] stoks = split(src);
        String[] dtoks = split(destination);
        int[] srcInfo = subjectInfo(stoks);
        int[] destInfo = subjectInfo(dtoks);
        if (srcInfo == null || destInfo == null || destInfo[0] > 0 || srcInfo[1] != destInfo[1]) {
            throw new InvalidTransformException(BAD_SUBJECT);
        }
        int wildcards = srcInfo[0];
        // wildcard number (1-based) -> source token position
        int[] wildcardPosition = new int[wildcards + 1];
        for (int i = 0, n = 0; i < stoks.length; i++) {
            if (stoks[i].equals("*")) wildcardPosition[++n] = i;
        }
        boolean anyWildcard = wildcards > 0 || srcInfo[1] == 1;
        Part[] parts = new Part[dtoks.length];
        int placed = 0;
        for (int i = 0; i < dtoks.length; i++) {
            Part p = parse(dtoks[i]);
            if (strict && p.kind != Kind.LITERAL && p.kind != Kind.WILDCARD) {
                throw new InvalidTransformException(IMPORT_ONLY_WILDCARD + " in " + dtoks[i]);
            }
            if (!anyWildcard && p.kind != Kind.LITERAL && p.kind != Kind.RANDOM && p.kind != Kind.PARTITION) {
                throw new InvalidTransformException(OUT_OF_RANGE + " in " + dtoks[i]);
            }
            if (!anyWildcard && p.kind == Kind.PARTITION && p.wildcards.length > 0) {
                throw new InvalidTransformException(OUT_OF_RANGE + " in " + dtoks[i]);
            }
            int[] positions = new int[p.wildcards.length];
            for (int k = 0; k < p.wildcards.length; k++) {
                int w = p.wildcards[k];
                if (w > wildcards) throw new InvalidTransformException(OUT_OF_RANGE + " in " + dtoks[i] + ": [" + w + "]");
                positions[k] = w >= 1 ? wildcardPosition[w] : 0;
            }
            placed += p.wildcards.length;
            parts[i] = new Part(p.kind, p.text, p.wildcards, positions, p.number, p.delimiter);
        }
        if (strict && anyWildcard && placed < wildcards) {
            throw new InvalidTransformException(NOT_ALL_WILDCARDS + " in " + destination);
        }
        return new SubjectTransform(src, destination, stoks, parts);
    }

    /** {@code {count of '*', 1 if it ends with '>'}}, or null when not a valid subject. */
    private static int[] subjectInfo(String[] tokens) {
        int pwc = 0;
        boolean fwc = false;
        for (String t : tokens) {
            if (t.isEmpty() || fwc) return null;
            if (t.equals(">")) fwc = true;
            else if (t.equals("*")) pwc++;
        }
        return new int[] {pwc, fwc ? 1 : 0};
    }

    private static String[] split(String subject) {
        return subject.split("\\.", -1);
    }

    // ---- destination tokens ----

    private static boolean isFunction(String t) {
        return t.length() > 4 && t.startsWith("{{") && t.endsWith("}}");
    }

    private static boolean containsWhitespace(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') return true;
        }
        return false;
    }

    private static final List<String> FUNCTIONS = List.of("wildcard", "partition", "splitfromleft", "splitfromright",
            "slicefromleft", "slicefromright", "split", "left", "right", "random");

    /** The lower-cased function name of a {@code {{name(args)}}} token, or null when unknown or malformed. */
    private static String functionName(String t) {
        String inner = t.substring(2, t.length() - 2).trim();
        int open = inner.indexOf('(');
        if (open < 0 || !inner.endsWith(")")) return null;
        String name = inner.substring(0, open).trim().toLowerCase(Locale.ROOT);
        return FUNCTIONS.contains(name) ? name : null;
    }

    private static List<String> functionArgs(String t) {
        String inner = t.substring(2, t.length() - 2).trim();
        String args = inner.substring(inner.indexOf('(') + 1, inner.length() - 1);
        List<String> out = new ArrayList<>();
        for (String a : args.split(",\\s*", -1)) out.add(a);
        return out;
    }

    private static Part literal(String t) {
        return new Part(Kind.LITERAL, t, new int[0], new int[0], -1, "");
    }

    private static Part parse(String t) {
        if (t.length() > 1 && t.charAt(0) == '$') {
            try {
                return new Part(Kind.WILDCARD, t, new int[] {Integer.parseInt(t.substring(1))}, null, -1, "");
            } catch (NumberFormatException e) {
                return literal(t); // "$foo" is just text
            }
        }
        if (!isFunction(t)) return literal(t);
        String name = functionName(t);
        if (name == null) throw new InvalidTransformException(UNKNOWN_FUNCTION + " in " + t);
        List<String> args = functionArgs(t);
        return switch (name) {
            case "wildcard" -> {
                if (args.size() == 1 && args.get(0).isEmpty()) throw bad(NOT_ENOUGH_ARGS, t);
                if (args.size() > 1) throw bad(TOO_MANY_ARGS, t);
                yield new Part(Kind.WILDCARD, t, new int[] {integer(args.get(0), t)}, null, -1, "");
            }
            case "partition" -> {
                if (args.size() == 1 && args.get(0).isEmpty()) throw bad(INVALID_ARG, t);
                int buckets = int32(args.get(0), t);
                int[] w = new int[args.size() - 1];
                for (int i = 1; i < args.size(); i++) w[i - 1] = integer(args.get(i), t);
                yield new Part(Kind.PARTITION, t, w, null, buckets, "");
            }
            case "splitfromleft" -> indexAndNumber(Kind.SPLIT_FROM_LEFT, t, args);
            case "splitfromright" -> indexAndNumber(Kind.SPLIT_FROM_RIGHT, t, args);
            case "slicefromleft" -> indexAndNumber(Kind.SLICE_FROM_LEFT, t, args);
            case "slicefromright" -> indexAndNumber(Kind.SLICE_FROM_RIGHT, t, args);
            case "left" -> indexAndNumber(Kind.LEFT, t, args);
            case "right" -> indexAndNumber(Kind.RIGHT, t, args);
            case "split" -> {
                if (args.size() < 2) throw bad(NOT_ENOUGH_ARGS, t);
                if (args.size() > 2) throw bad(TOO_MANY_ARGS, t);
                String delim = args.get(1);
                if (delim.contains(" ") || delim.contains(".")) throw bad(INVALID_ARG, t);
                yield new Part(Kind.SPLIT, t, new int[] {integer(args.get(0), t)}, null, -1, delim);
            }
            case "random" -> {
                if (args.size() != 1 || args.get(0).isEmpty()) throw bad(NOT_ENOUGH_ARGS, t);
                yield new Part(Kind.RANDOM, t, new int[0], null, int32(args.get(0), t), "");
            }
            default -> throw bad(UNKNOWN_FUNCTION, t);
        };
    }

    private static Part indexAndNumber(Kind kind, String t, List<String> args) {
        if (args.size() < 2) throw bad(NOT_ENOUGH_ARGS, t);
        if (args.size() > 2) throw bad(TOO_MANY_ARGS, t);
        return new Part(kind, t, new int[] {integer(args.get(0), t)}, null, int32(args.get(1), t), "");
    }

    private static InvalidTransformException bad(String what, String token) {
        return new InvalidTransformException(what + " in " + token);
    }

    private static int integer(String s, String token) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw bad(INVALID_ARG, token);
        }
    }

    private static int int32(String s, String token) {
        long v;
        try {
            v = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw bad(INVALID_ARG, token);
        }
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw bad(INVALID_ARG, token);
        return (int) v;
    }

    // ---- applying ----

    public String source() {
        return source;
    }

    /** The destination as configured (empty: subjects are kept as they are). */
    public String destination() {
        return destination;
    }

    /** Whether the literal {@code subject} is matched by the source filter. */
    public boolean matches(String subject) {
        return identity || source.equals(">") || Subjects.subjectMatchesFilter(subject, source);
    }

    /**
     * The transformed subject, or null when {@code subject} is not a valid literal subject
     * matched by the source.
     */
    public String match(String subject) {
        if (identity) return subject;
        if (!Subjects.isValidLiteralSubject(subject) || !matches(subject)) return null;
        return transform(subject);
    }

    /** The transformed subject; {@code subject} must match the source. */
    public String transform(String subject) {
        if (identity || destination.isEmpty()) return subject;
        String[] tokens = split(subject);
        StringBuilder b = new StringBuilder(subject.length() + destination.length());
        for (int i = 0; i < parts.length; i++) {
            Part p = parts[i];
            if (p.kind == Kind.LITERAL && p.text.equals(">")) {
                // the rest of the subject, from where the source's '>' matched
                for (int k = sourceTokens.length - 1; k < tokens.length; k++) {
                    if (k > sourceTokens.length - 1) b.append('.');
                    b.append(tokens[k]);
                }
                break;
            }
            appendPart(b, p, tokens, subject);
            if (i < parts.length - 1) b.append('.');
        }
        return b.toString();
    }

    private static String token(String[] tokens, int[] positions) {
        int at = positions[0];
        return at < tokens.length ? tokens[at] : "";
    }

    private static void appendPart(StringBuilder b, Part p, String[] tokens, String subject) {
        switch (p.kind) {
            case LITERAL -> b.append(p.text);
            case WILDCARD -> {
                if (p.tokens.length > 0 && p.tokens[0] < tokens.length) b.append(tokens[p.tokens[0]]);
            }
            case PARTITION -> {
                StringBuilder key = new StringBuilder();
                if (p.tokens.length == 0) key.append(subject);
                else for (int at : p.tokens) if (at < tokens.length) key.append(tokens[at]);
                b.append(partition(key.toString(), p.number));
            }
            case RANDOM -> b.append(p.number <= 0 ? 0 : ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE) % p.number);
            case SPLIT_FROM_LEFT -> {
                String t = token(tokens, p.tokens);
                int at = p.number;
                if (at > 0 && at < t.length()) b.append(t, 0, at).append('.').append(t, at, t.length());
                else b.append(t);
            }
            case SPLIT_FROM_RIGHT -> {
                String t = token(tokens, p.tokens);
                int at = p.number;
                if (at > 0 && at < t.length()) {
                    b.append(t, 0, t.length() - at).append('.').append(t, t.length() - at, t.length());
                } else {
                    b.append(t);
                }
            }
            case SLICE_FROM_LEFT -> {
                String t = token(tokens, p.tokens);
                int size = p.number;
                if (size <= 0 || size >= t.length()) {
                    b.append(t);
                } else {
                    for (int i = 0; i < t.length(); i += size) {
                        if (i > 0) b.append('.');
                        b.append(t, i, Math.min(t.length(), i + size));
                    }
                }
            }
            case SLICE_FROM_RIGHT -> {
                String t = token(tokens, p.tokens);
                int size = p.number;
                if (size <= 0 || size >= t.length()) {
                    b.append(t);
                } else {
                    int first = t.length() % size;
                    if (first > 0) b.append(t, 0, first);
                    for (int i = first; i < t.length(); i += size) {
                        if (i > 0) b.append('.');
                        b.append(t, i, i + size);
                    }
                }
            }
            case SPLIT -> {
                boolean any = false;
                for (String piece : token(tokens, p.tokens).split(java.util.regex.Pattern.quote(p.delimiter), -1)) {
                    if (piece.isEmpty()) continue;
                    if (any) b.append('.');
                    b.append(piece);
                    any = true;
                }
            }
            case LEFT -> {
                String t = token(tokens, p.tokens);
                b.append(p.number > 0 && p.number < t.length() ? t.substring(0, p.number) : t);
            }
            case RIGHT -> {
                String t = token(tokens, p.tokens);
                b.append(p.number > 0 && p.number < t.length() ? t.substring(t.length() - p.number) : t);
            }
        }
    }

    /** FNV-1a (32 bit) of the key's UTF-8 bytes, modulo {@code buckets} (0 for no buckets). */
    static int partition(String key, int buckets) {
        if (buckets <= 0) return 0;
        int h = 0x811c9dc5;
        for (byte x : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= (x & 0xff);
            h *= 0x01000193;
        }
        return (int) (Integer.toUnsignedLong(h) % buckets);
    }

    @Override
    public String toString() {
        return source + " -> " + destination;
    }
}
