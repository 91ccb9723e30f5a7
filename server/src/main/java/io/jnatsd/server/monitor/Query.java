package io.jnatsd.server.monitor;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query parameters of one monitoring request, decoded as upstream decodes them (Go's
 * {@code strconv} rules, the first value of a repeated parameter), failing with upstream's texts.
 */
final class Query {
    /** A parameter that could not be decoded: the request gets 400 and this text. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<String, List<String>> params;

    Query(Map<String, List<String>> params) {
        this.params = params;
    }

    /** Parameters given one value each (not from a URL). */
    static Query of(Map<String, String> params) {
        Map<String, List<String>> m = new java.util.HashMap<>();
        params.forEach((k, v) -> m.put(k, List.of(v)));
        return new Query(m);
    }

    /** The first value, or "" when absent. */
    String get(String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    boolean bool(String name) {
        String s = get(name);
        if (s.isEmpty()) return false;
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new BadRequest("Error decoding boolean for '" + name + "': strconv.ParseBool: parsing "
                    + quote(s) + ": invalid syntax");
        };
    }

    /** Go's {@code strconv.Atoi} on a 64-bit platform. */
    long integer(String name) {
        String s = get(name);
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BadRequest("Error decoding int for '" + name + "': strconv.Atoi: parsing " + quote(s)
                    + ": " + (s.matches("[+-]?[0-9]+") ? "value out of range" : "invalid syntax"));
        }
    }

    long unsigned(String name) {
        String s = get(name);
        if (s.isEmpty()) return 0;
        try {
            if (!s.matches("[0-9]+")) throw new NumberFormatException();
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new BadRequest("Error decoding uint64 for '" + name + "': strconv.ParseUint: parsing " + quote(s)
                    + ": " + (s.matches("[0-9]+") ? "value out of range" : "invalid syntax"));
        }
    }

    /** {@code subs}: true, or {@code detail} for subscription details. */
    boolean subsDetail() {
        return get("subs").toLowerCase(Locale.ROOT).equals("detail");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
