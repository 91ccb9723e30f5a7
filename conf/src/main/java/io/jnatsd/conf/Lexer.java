package io.jnatsd.conf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lexer of the NATS configuration format: a state machine that turns text into {@link Token}s.
 *
 * <p>Its acceptance rules follow upstream nats-server's conf/lex.go (which separators end which values,
 * when a digit-led word is a number, a size, a date, an IP address or a string, ...), so that files
 * are accepted or rejected as upstream does. Positions are tracked independently of the values so
 * that every token and error has an exact 1-based line and column.
 *
 * <p>Every state either consumes input or moves to a state that does, and every state handles the end of
 * input, so lexing always terminates. Nesting is kept on a heap stack, never on the Java call stack.
 */
final class Lexer {

    enum Kind {
        ERROR, EOF, KEY, STRING, BOOL, INTEGER, FLOAT, DATETIME,
        ARRAY_START, ARRAY_END, MAP_START, MAP_END, VARIABLE, INCLUDE
    }

    /** A lexed item; {@code offset} is the code point index where it starts (for errors: where it happened). */
    record Token(Kind kind, String value, int offset) {
    }

    @FunctionalInterface
    private interface State {
        State step();
    }

    private static final int EOF = -1;

    private final int[] in;
    private final int[] newlines; // code point indices of every '\n'
    private int pos;              // next code point to read
    private int start;            // start of the pending text
    private int valueStart;       // where the pending value began (not moved by escape handling)
    private int width;            // code points consumed by the last next(): 0 at end of input
    private int errAt;            // the code point the last next()/backup() looked at
    private State state = this::top;
    private final ArrayDeque<State> stack = new ArrayDeque<>();
    private final ArrayDeque<Token> items = new ArrayDeque<>();
    private boolean finished;

    // Escaped strings are assembled as bytes, because "\xHH" adds raw bytes (as upstream) that may form UTF-8.
    private final ByteArrayOutputStream parts = new ByteArrayOutputStream();
    private boolean hasParts;
    private State stringState;

    Lexer(String input) {
        this.in = input.codePoints().toArray();
        int n = 0;
        int[] nl = new int[16];
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n') {
                if (n == nl.length) nl = Arrays.copyOf(nl, n * 2);
                nl[n++] = i;
            }
        }
        this.newlines = Arrays.copyOf(nl, n);
    }

    /** The next token; after EOF or ERROR it keeps returning EOF. */
    Token next() {
        while (items.isEmpty()) {
            if (finished || state == null) {
                finished = true;
                return new Token(Kind.EOF, "", in.length);
            }
            state = state.step();
        }
        Token t = items.poll();
        if (t.kind() == Kind.EOF || t.kind() == Kind.ERROR) {
            finished = true;
            state = null;
        }
        return t;
    }

    /** 1-based line of a code point index. */
    int lineOf(int offset) {
        int idx = Arrays.binarySearch(newlines, offset);
        // a '\n' belongs to the line it ends
        int before = idx >= 0 ? idx : -idx - 1;
        return before + 1;
    }

    /** 1-based column (in code points) of a code point index. */
    int columnOf(int offset) {
        int idx = Arrays.binarySearch(newlines, offset);
        int before = idx >= 0 ? idx : -idx - 1;
        int lineStart = before == 0 ? 0 : newlines[before - 1] + 1;
        return offset - lineStart + 1;
    }

    // ---- primitives --------------------------------------------------------------------------------

    private int read() {
        if (pos >= in.length) {
            width = 0;
            errAt = in.length;
            return EOF;
        }
        errAt = pos;
        width = 1;
        return in[pos++];
    }

    private void backup() {
        pos -= width;
        errAt = pos;
    }

    private int peek() {
        int r = read();
        backup();
        return r;
    }

    private void ignore() {
        start = pos;
        valueStart = pos;
    }

    private String text(int from, int to) {
        return new String(in, from, Math.max(0, to - from));
    }

    private void emit(Kind kind) {
        items.add(new Token(kind, text(start, pos), valueStart));
        start = pos;
        valueStart = pos;
    }

    private void emitString() {
        String value;
        if (hasParts) {
            byte[] tail = text(start, pos).getBytes(StandardCharsets.UTF_8);
            parts.write(tail, 0, tail.length);
            value = parts.toString(StandardCharsets.UTF_8);
            parts.reset();
            hasParts = false;
        } else {
            value = text(start, pos);
        }
        items.add(new Token(Kind.STRING, value, valueStart));
        start = pos;
        valueStart = pos;
    }

    /** Keeps the text read so far minus the last {@code dropLast} code points (the backslash) as a part. */
    private void addCurrentPart(int dropLast) {
        byte[] b = text(start, pos - dropLast).getBytes(StandardCharsets.UTF_8);
        parts.write(b, 0, b.length);
        hasParts = true;
        start = pos;
    }

    private State addPart(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        parts.write(b, 0, b.length);
        hasParts = true;
        start = pos;
        return stringState;
    }

    private void push(State s) {
        stack.push(s);
    }

    private State pop() {
        if (stack.isEmpty()) return error("BUG in lexer: no states to pop.");
        return stack.pop();
    }

    private State error(String message) {
        return errorAt(errAt, message);
    }

    private State errorAt(int offset, String message) {
        items.add(new Token(Kind.ERROR, message, Math.min(offset, in.length)));
        return null;
    }

    /** A character for an error message, as upstream shows it (a new line as \n). */
    private static String show(int r) {
        if (r == EOF) return "EOF";
        if (r == '\n') return "\\n";
        return new String(Character.toChars(r));
    }

    // ---- character classes (as Go's unicode.IsSpace / unicode.IsDigit and upstream's helpers) ----

    static boolean isSpace(int r) {
        if (r < 0) return false;
        if (r <= 0xFF) {
            return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0;
        }
        return Character.isSpaceChar(r);
    }

    private static boolean isWhitespace(int r) {
        return r == ' ' || r == '\t';
    }

    private static boolean isNL(int r) {
        return r == '\n' || r == '\r';
    }

    private static boolean isDigit(int r) {
        return r >= 0 && Character.isDigit(r);
    }

    private static boolean isKeySeparator(int r) {
        return r == '=' || r == ':';
    }

    private static boolean isNumberSuffix(int r) {
        return switch (r) {
            case 'k', 'K', 'm', 'M', 'g', 'G', 't', 'T', 'p', 'P', 'e', 'E' -> true;
            default -> false;
        };
    }

    /** What ends a number. Upstream forgets ']', which turns "[1,2,3]" into a string "3]"; we accept it. */
    private static boolean endsNumber(int r) {
        return isNL(r) || r == EOF || r == '}' || r == ']' || r == ';' || r == ',' || isWhitespace(r);
    }

    // ---- top level ---------------------------------------------------------------------------------

    private State top() {
        int r = read();
        if (isSpace(r)) {
            ignore();
            return this::top;
        }
        switch (r) {
            case '{' -> {
                // a JSON-like file may be wrapped in braces
                ignore();
                return this::top;
            }
            case '#' -> {
                push(this::top);
                return this::commentStart;
            }
            case '/' -> {
                if (read() == '/') {
                    push(this::top);
                    return this::commentStart;
                }
                backup();
                return topEnd();
            }
            case EOF -> {
                return topEnd();
            }
            default -> {
            }
        }
        backup();
        push(this::topValueEnd);
        return this::keyStart;
    }

    private State topEnd() {
        if (pos > start) return error("Unexpected EOF.");
        emit(Kind.EOF);
        return null;
    }

    private State topValueEnd() {
        int r = read();
        // a lone '/' is skipped like a blank, as upstream
        State comment = comment(r, this::top, () -> this::topValueEnd);
        if (comment != null) return comment;
        if (isWhitespace(r)) return this::topValueEnd;
        if (isNL(r) || r == EOF || r == ';' || r == ',' || r == '}') {
            ignore();
            return this::top;
        }
        return error("Expected a top-level value to end with a new line, comment or EOF, but got '"
                + show(r) + "' instead.");
    }

    // ---- keys --------------------------------------------------------------------------------------

    private State keyStart() {
        int r = peek();
        if (isKeySeparator(r)) {
            read();
            return error("Unexpected key separator '" + show(r) + "'");
        }
        if (isSpace(r)) {
            read();
            ignore();
            return this::keyStart;
        }
        if (r == '"') {
            read();
            ignore();
            return this::dubQuotedKey;
        }
        if (r == '\'') {
            read();
            ignore();
            return this::quotedKey;
        }
        ignore();
        read();
        return this::key;
    }

    private State dubQuotedKey() {
        return quotedKeyUntil('"', this::dubQuotedKey);
    }

    private State quotedKey() {
        return quotedKeyUntil('\'', this::quotedKey);
    }

    private State quotedKeyUntil(int quote, State self) {
        int r = peek();
        if (r == quote) {
            emit(Kind.KEY);
            read();
            ignore();
            return this::keyEnd;
        }
        if (r == EOF) {
            if (pos > start) return error("Unexpected EOF.");
            emit(Kind.EOF);
            return null;
        }
        read();
        return self;
    }

    /** A bare key followed by a blank: it may be the {@code include} keyword. */
    private State keyOrKeyword(State afterKey, State afterInclude) {
        String word = text(start, pos).toLowerCase(Locale.ROOT);
        if (word.equals("include")) {
            ignore();
            if (afterInclude != null) push(afterInclude);
            return this::includeStart;
        }
        emit(Kind.KEY);
        return afterKey;
    }

    private State key() {
        int r = peek();
        if (isSpace(r)) return keyOrKeyword(this::keyEnd, null);
        if (isKeySeparator(r) || r == EOF) {
            emit(Kind.KEY);
            return this::keyEnd;
        }
        read();
        return this::key;
    }

    private State keyEnd() {
        int r = read();
        if (isSpace(r)) {
            ignore();
            return this::keyEnd;
        }
        if (isKeySeparator(r)) {
            ignore();
            return this::value;
        }
        if (r == EOF) {
            emit(Kind.EOF);
            return null;
        }
        backup();
        return this::value;
    }

    // ---- include -----------------------------------------------------------------------------------

    private State includeStart() {
        int r = read();
        if (isWhitespace(r)) {
            ignore();
            return this::includeStart;
        }
        backup();
        return this::include;
    }

    private State include() {
        int r = read();
        switch (r) {
            case '\'' -> {
                ignore();
                return this::includeQuoted;
            }
            case '"' -> {
                ignore();
                return this::includeDubQuoted;
            }
            case '[' -> {
                return error("Expected include value but found start of an array");
            }
            case '{' -> {
                return error("Expected include value but found start of a map");
            }
            case '(' -> {
                return error("Expected include value but found start of a block");
            }
            case '\\' -> {
                return error("Expected include value but found escape sequence");
            }
            default -> {
            }
        }
        if (isDigit(r) || r == '-') return error("Expected include value but found start of a number");
        if (isNL(r)) return error("Expected include value but found new line");
        backup();
        return this::includeBare;
    }

    private State includeQuoted() {
        return includeQuotedUntil('\'', "Unexpected EOF in quoted include", this::includeQuoted);
    }

    private State includeDubQuoted() {
        return includeQuotedUntil('"', "Unexpected EOF in double quoted include", this::includeDubQuoted);
    }

    private State includeQuotedUntil(int quote, String eofMessage, State self) {
        int r = read();
        if (r == quote) {
            backup();
            emit(Kind.INCLUDE);
            read();
            ignore();
            return pop();
        }
        if (r == EOF) return error(eofMessage);
        return self;
    }

    private State includeBare() {
        int r = read();
        if (isNL(r) || r == EOF || r == ';' || r == '}' || isWhitespace(r)) {
            backup();
            emit(Kind.INCLUDE);
            return pop();
        }
        if (r == '\'') {
            backup();
            emit(Kind.INCLUDE);
            read();
            ignore();
            return pop();
        }
        return this::includeBare;
    }

    // ---- values ------------------------------------------------------------------------------------

    private State value() {
        int r = read();
        if (isWhitespace(r)) {
            ignore();
            return this::value;
        }
        switch (r) {
            case '[' -> {
                ignore();
                valueStart = pos - 1;
                emit(Kind.ARRAY_START);
                return this::arrayValue;
            }
            case '{' -> {
                ignore();
                valueStart = pos - 1;
                emit(Kind.MAP_START);
                return this::mapKeyStart;
            }
            // upstream locates a quoted string at its first character, after the quote
            case '\'' -> {
                ignore();
                valueStart = pos;
                return this::quotedString;
            }
            case '"' -> {
                ignore();
                valueStart = pos;
                stringState = this::dubQuotedString;
                return this::dubQuotedString;
            }
            case '-' -> {
                return this::negNumberStart;
            }
            case '(' -> {
                ignore();
                valueStart = pos - 1;
                return this::block;
            }
            case '.' -> {
                return error("Floats must start with a digit");
            }
            default -> {
            }
        }
        if (isDigit(r)) {
            backup();
            return this::numberOrDateOrStringOrIPStart;
        }
        if (isNL(r)) return error("Expected value but found new line");
        backup();
        stringState = this::string;
        return this::string;
    }

    // ---- arrays ------------------------------------------------------------------------------------

    private State arrayValue() {
        int r = read();
        if (isSpace(r)) {
            ignore();
            return this::arrayValue;
        }
        State comment = comment(r, this::arrayValue, () -> error("Unexpected array value terminator ','."));
        if (comment != null) return comment;
        if (r == ',') return error("Unexpected array value terminator ','.");
        if (r == ']') return arrayEnd();
        backup();
        push(this::arrayValueEnd);
        return this::value;
    }

    private State arrayValueEnd() {
        return valueEnd(this::arrayValueEnd, this::arrayValue, false, ']', Kind.ARRAY_END,
                "Expected an array value terminator \",\" or an array terminator \"]\"");
    }

    /**
     * After a value in an array or a map: white space, a comment, a separator (',' or a newline, and
     * ';' in maps) leading to the {@code next} value, or the {@code terminator} closing the container.
     */
    private State valueEnd(State self, State next, boolean semicolon, int terminator, Kind end, String expected) {
        int r = read();
        if (isWhitespace(r)) {
            ignore();
            return self;
        }
        State comment = comment(r, self, () -> {
            ignore(); // a lone '/' separates values, as upstream
            return next;
        });
        if (comment != null) return comment;
        if (r == ',' || isNL(r) || (semicolon && r == ';')) {
            ignore();
            return next;
        }
        if (r == terminator) return containerEnd(end);
        return error(expected + ", but got '" + show(r) + "' instead.");
    }

    private State arrayEnd() {
        return containerEnd(Kind.ARRAY_END);
    }

    private State containerEnd(Kind end) {
        ignore();
        valueStart = pos - 1;
        emit(end);
        return pop();
    }

    // ---- maps --------------------------------------------------------------------------------------

    private State mapKeyStart() {
        int r = peek();
        if (isKeySeparator(r)) {
            read();
            return error("Unexpected key separator '" + show(r) + "'.");
        }
        if (r == ']') {
            read();
            return error("Unexpected array end '" + show(r) + "' processing map.");
        }
        if (isSpace(r)) {
            read();
            ignore();
            return this::mapKeyStart;
        }
        switch (r) {
            case '}' -> {
                read();
                return mapEnd();
            }
            case '#' -> {
                read();
                push(this::mapKeyStart);
                return this::commentStart;
            }
            case '/' -> {
                read();
                if (read() == '/') {
                    push(this::mapKeyStart);
                    return this::commentStart;
                }
                backup(); // a lone '/' is dropped and the key starts after it, as upstream
            }
            case '\'' -> {
                read();
                ignore();
                return this::mapQuotedKey;
            }
            case '"' -> {
                read();
                ignore();
                return this::mapDubQuotedKey;
            }
            case EOF -> {
                return error("Unexpected EOF processing map.");
            }
            default -> {
            }
        }
        ignore();
        read();
        return this::mapKey;
    }

    private State mapQuotedKey() {
        return mapQuotedKeyUntil('\'', "Unexpected EOF processing quoted map key.", this::mapQuotedKey);
    }

    private State mapDubQuotedKey() {
        return mapQuotedKeyUntil('"', "Unexpected EOF processing double quoted map key.", this::mapDubQuotedKey);
    }

    private State mapQuotedKeyUntil(int quote, String eofMessage, State self) {
        int r = peek();
        if (r == EOF) return error(eofMessage);
        if (r == quote) {
            emit(Kind.KEY);
            read();
            ignore();
            return this::mapKeyEnd;
        }
        read();
        return self;
    }

    private State mapKey() {
        int r = peek();
        if (r == EOF) return error("Unexpected EOF processing map key.");
        if (isSpace(r)) return keyOrKeyword(this::mapKeyEnd, this::mapValueEnd);
        if (isKeySeparator(r)) {
            emit(Kind.KEY);
            return this::mapKeyEnd;
        }
        read();
        return this::mapKey;
    }

    private State mapKeyEnd() {
        int r = read();
        if (isSpace(r)) {
            ignore();
            return this::mapKeyEnd;
        }
        if (isKeySeparator(r)) {
            ignore();
            return this::mapValue;
        }
        backup();
        return this::mapValue;
    }

    private State mapValue() {
        int r = read();
        if (isSpace(r)) {
            ignore();
            return this::mapValue;
        }
        if (r == ',') return error("Unexpected map value terminator \",\".");
        if (r == '}') return mapEnd();
        backup();
        push(this::mapValueEnd);
        return this::value;
    }

    private State mapValueEnd() {
        return valueEnd(this::mapValueEnd, this::mapKeyStart, true, '}', Kind.MAP_END,
                "Expected a map value terminator \",\" or a map terminator \"}\"");
    }

    private State mapEnd() {
        return containerEnd(Kind.MAP_END);
    }

    // ---- strings -----------------------------------------------------------------------------------

    private State quotedString() {
        return quoted('\'', false, this::quotedString);
    }

    private State dubQuotedString() {
        return quoted('"', true, this::dubQuotedString);
    }

    /** Inside quotes, up to the closing {@code quote}; only double quotes have escapes. */
    private State quoted(int quote, boolean escapes, State self) {
        int r = read();
        if (escapes && r == '\\') {
            addCurrentPart(1);
            return this::stringEscape;
        }
        if (r == quote) {
            backup();
            emitString();
            read();
            ignore();
            return pop();
        }
        if (r == EOF) {
            if (pos > start) return error("Unexpected EOF.");
            emit(Kind.EOF);
            return null;
        }
        return self;
    }

    /** A bare (unquoted) string; may turn out to be a boolean or a variable reference. */
    private State string() {
        int r = read();
        if (r == '\\') {
            addCurrentPart(1);
            return this::stringEscape;
        }
        if (isNL(r) || r == EOF || r == ';' || r == ',' || r == ']' || r == '}' || isWhitespace(r)) {
            backup();
            if (hasParts) {
                emitString();
            } else if (isBool(text(start, pos))) {
                emit(Kind.BOOL);
            } else if (start < in.length && in[start] == '$') {
                start++;
                emit(Kind.VARIABLE);
            } else {
                emitString();
            }
            return pop();
        }
        if (r == '\'') {
            backup();
            emitString();
            read();
            ignore();
            return pop();
        }
        return this::string;
    }

    private static boolean isBool(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "false", "on", "off", "yes", "no" -> true;
            default -> false;
        };
    }

    /** A block string: from after '(' to a ')' alone on its own line. */
    private State block() {
        int r = read();
        if (r == ')') {
            int closing = pos - 1;
            if (closing >= 1 && in[closing - 1] == '\n') {
                int after = pos < in.length ? in[pos] : EOF;
                if (after == '\n' || after == EOF) {
                    items.add(new Token(Kind.STRING, text(start, closing), valueStart));
                    ignore();
                    return pop();
                }
            }
            return this::block;
        }
        if (r == EOF) return error("Unexpected EOF processing block.");
        return this::block;
    }

    private State stringEscape() {
        int r = read();
        return switch (r) {
            case 'x' -> this::stringBinary;
            case 't' -> addPart("\t");
            case 'n' -> addPart("\n");
            case 'r' -> addPart("\r");
            case '"' -> addPart("\"");
            case '\\' -> addPart("\\");
            default -> error("Invalid escape character '" + show(r) + "'. Only the following escape characters"
                    + " are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
        };
    }

    private State stringBinary() {
        int first = pos;
        for (int i = 0; i < 2; i++) {
            int r = read();
            if (isNL(r)) return error("Expected two hexadecimal digits after '\\x', but hit end of line");
            if (r == EOF) return error("Expected two hexadecimal digits after '\\x', but hit end of file");
        }
        int hi = Character.digit(in[first], 16);
        int lo = Character.digit(in[first + 1], 16);
        if (hi < 0 || lo < 0 || in[first] > 0x7F || in[first + 1] > 0x7F) {
            return errorAt(first, "Expected two hexadecimal digits after '\\x', but got '" + text(first, pos) + "'");
        }
        parts.write(hi * 16 + lo);
        hasParts = true;
        start = pos;
        return stringState;
    }

    // ---- numbers, dates, IPs -----------------------------------------------------------------------

    private State numberOrDateOrStringOrIPStart() {
        int r = read();
        if (!isDigit(r)) {
            if (r == '.') return error("Floats must start with a digit, not '.'.");
            return error("Expected a digit but got '" + show(r) + "'.");
        }
        return this::numberOrDateOrStringOrIP;
    }

    private State numberOrDateOrStringOrIP() {
        int r = read();
        if (r == '-') {
            if (pos - start != 5) return error("All ISO8601 dates must be in full Zulu form.");
            return this::dateAfterYear;
        }
        if (isDigit(r)) return this::numberOrDateOrStringOrIP;
        if (r == '.') return this::floatStart; // could still be an IP address
        if (isNumberSuffix(r)) return this::convenientNumber;
        if (!endsNumber(r)) {
            // a digit-led word such as 10s or 4222abc is a string
            stringState = this::string;
            return this::string;
        }
        backup();
        emit(Kind.INTEGER);
        return pop();
    }

    /** A number with a size suffix, such as 1k, 8MB or 2GiB. */
    private State convenientNumber() {
        int r = read();
        if (r == 'b' || r == 'B' || r == 'i' || r == 'I') return this::convenientNumber;
        backup();
        if (endsNumber(r) || isDigit(r)) {
            emit(Kind.INTEGER);
            return pop();
        }
        // such as 500ms: not a number
        stringState = this::string;
        return this::string;
    }

    private static final String DATE_AFTER_YEAR = "00-00T00:00:00Z";

    private State dateAfterYear() {
        for (int i = 0; i < DATE_AFTER_YEAR.length(); i++) {
            char f = DATE_AFTER_YEAR.charAt(i);
            int r = read();
            if (f == '0') {
                if (!isDigit(r)) {
                    return error("Expected digit in ISO8601 datetime, but found '" + show(r) + "' instead.");
                }
            } else if (f != r) {
                return error("Expected '" + f + "' in ISO8601 datetime, but found '" + show(r) + "' instead.");
            }
        }
        emit(Kind.DATETIME);
        return pop();
    }

    private State negNumberStart() {
        int r = read();
        if (!isDigit(r)) {
            if (r == '.') return error("Floats must start with a digit, not '.'.");
            return error("Expected a digit but got '" + show(r) + "'.");
        }
        return this::negNumber;
    }

    private State negNumber() {
        int r = read();
        if (isDigit(r)) return this::negNumber;
        if (r == '.') return this::floatStart;
        if (isNumberSuffix(r)) return this::convenientNumber;
        backup();
        emit(Kind.INTEGER);
        return pop();
    }

    private State floatStart() {
        int r = read();
        if (!isDigit(r)) {
            return error("Floats must have a digit after the '.', but got '" + show(r) + "' instead.");
        }
        return this::floatDigits;
    }

    private State floatDigits() {
        int r = read();
        if (isDigit(r)) return this::floatDigits;
        if (r == '.') return this::ipAddress; // a second '.': not a float after all
        backup();
        emit(Kind.FLOAT);
        return pop();
    }

    /** An IP address (optionally with port), such as 127.0.0.1:4222: a string. */
    private State ipAddress() {
        int r = read();
        if (isDigit(r) || r == '.' || r == ':' || r == '-') return this::ipAddress;
        backup();
        emit(Kind.STRING);
        return pop();
    }

    // ---- comments ----------------------------------------------------------------------------------

    private State commentStart() {
        ignore();
        return this::comment;
    }

    private State comment() {
        int r = peek();
        if (isNL(r) || r == EOF) {
            ignore();
            return pop();
        }
        read();
        return this::comment;
    }

    /**
     * {@code #} or {@code //} starts a comment that comes back to {@code self}; a lone {@code /}
     * is left to {@code loneSlash} (an error in some states, a separator in others, as upstream).
     * Null when {@code r} starts neither.
     */
    private State comment(int r, State self, java.util.function.Supplier<State> loneSlash) {
        if (r == '#') {
            push(self);
            return this::commentStart;
        }
        if (r == '/') {
            if (read() == '/') {
                push(self);
                return this::commentStart;
            }
            backup();
            return loneSlash.get();
        }
        return null;
    }
}
