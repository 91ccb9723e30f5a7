package io.jnatsd.server.jetstream.api;

import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.GoTimeErrors;
import io.jnatsd.server.jetstream.common.JsJson;

import io.jnatsd.protocol.wire.GoQuote;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JetStream API request body, read as Go's encoding/json fills upstream's request struct: a
 * field of the wrong JSON kind (a string where a number goes) or a number out of the field's
 * range refuses the request with {@code invalid JSON} and Go's complaint, where Jackson's
 * tree would quietly convert it; null leaves the zero value. {@code goStruct} is upstream's
 * struct name, which Go's complaint names.
 */
final class ApiRequest {
    private static final Pattern UNEXPECTED = Pattern.compile("Unexpected character \\('(.)'");
    private static final Pattern UNRECOGNIZED = Pattern.compile("Unrecognized token '(.)");

    private final JsonNode node;
    private final String goStruct;

    private ApiRequest(JsonNode node, String goStruct) {
        this.node = node;
        this.goStruct = goStruct;
    }

    /** The request in {@code body}; an empty body is a request with every field zero. */
    static ApiRequest parse(byte[] body, String goStruct) throws ApiException {
        if (body == null || body.length == 0) return new ApiRequest(null, goStruct);
        try {
            JsonNode n = JsJson.JSON.readTree(body);
            if (n != null && !n.isObject() && !n.isNull()) {
                throw invalidJson("json: cannot unmarshal " + kind(n) + " into Go value of type server." + goStruct);
            }
            return new ApiRequest(n == null || n.isNull() ? null : n, goStruct);
        } catch (IOException e) {
            throw invalidJson(e);
        }
    }

    /** Whether the body held a JSON object (not empty, not null). */
    boolean present() {
        return node != null;
    }

    long uint64(String field) throws ApiException {
        JsonNode v = field(field);
        if (v == null) return 0;
        if (!v.isNumber()) throw mismatch(v, field, "uint64");
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 63) {
            throw numberMismatch(v, field, "uint64");
        }
        return v.longValue();
    }

    int integer(String field) throws ApiException {
        JsonNode v = field(field);
        if (v == null) return 0;
        if (!v.isNumber()) throw mismatch(v, field, "int");
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw numberMismatch(v, field, "int");
        return v.intValue();
    }

    boolean bool(String field) throws ApiException {
        JsonNode v = field(field);
        if (v == null) return false;
        if (!v.isBoolean()) throw mismatch(v, field, "bool");
        return v.booleanValue();
    }

    /** The string field, or null when absent, null or empty. */
    String string(String field) throws ApiException {
        JsonNode v = field(field);
        if (v == null) return null;
        if (!v.isTextual()) throw mismatch(v, field, "string");
        return v.textValue().isEmpty() ? null : v.textValue();
    }

    /**
     * An RFC 3339 time field (Go's {@code *time.Time}) in epoch nanoseconds, or null when absent;
     * refused with Go's complaint when it is not a string or not such a time.
     */
    Long time(String field) throws ApiException {
        JsonNode v = field(field);
        if (v == null) return null;
        if (!v.isTextual()) throw invalidJson("Time.UnmarshalJSON: input is not a JSON string");
        String bad = GoTimeErrors.of(v.textValue());
        if (bad != null) throw invalidJson(bad);
        try {
            return GoTime.parse(v.textValue());
        } catch (RuntimeException e) {
            throw invalidJson("parsing time " + GoQuote.quote(v.textValue()) + ": " + e.getMessage());
        }
    }

    private JsonNode field(String name) {
        if (node == null) return null;
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private ApiException mismatch(JsonNode v, String field, String goType) {
        return invalidJson("json: cannot unmarshal " + kind(v) + " into Go struct field " + goStruct + "." + field
                + " of type " + goType);
    }

    private ApiException numberMismatch(JsonNode v, String field, String goType) {
        return invalidJson("json: cannot unmarshal number " + v.asText() + " into Go struct field " + goStruct + "." + field
                + " of type " + goType);
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) return "string";
        if (v.isNumber()) return "number";
        if (v.isBoolean()) return "bool";
        if (v.isArray()) return "array";
        return "object";
    }

    /** upstream's JSInvalidJSONErr with {@code why} (its first line) as the complaint. */
    static ApiException invalidJson(String why) {
        String w = why == null || why.isEmpty() ? "unexpected end of JSON input" : why;
        int nl = w.indexOf('\n');
        return ApiException.of("JSInvalidJSONErr", "err", nl > 0 ? w.substring(0, nl) : w);
    }

    /**
     * JSInvalidJSONErr for a body the decoder refused, in Go's words for the common cases: a
     * truncated body, an unexpected character (Go says where it was looking for a value; it
     * distinguishes more contexts than this does). Other complaints keep the decoder's first line.
     */
    static ApiException invalidJson(IOException e) {
        return invalidJson(e, null);
    }

    /**
     * As {@link #invalidJson(IOException)} for a body decoded into a part of upstream's request:
     * {@code goRoot} names that part as Go's complaint does ("CreateConsumerRequest.config").
     */
    static ApiException invalidJson(IOException e, String goRoot) {
        if (e instanceof JsonEOFException) return invalidJson("unexpected end of JSON input");
        String msg = String.valueOf(e.getMessage());
        if (e instanceof MismatchedInputException mi && !mi.getPath().isEmpty() && mi.getTargetType() != null) {
            Matcher k = INPUT_KIND.matcher(msg);
            if (k.find()) {
                Object root = mi.getPath().get(0).getFrom();
                StringBuilder field = new StringBuilder(goRoot != null ? goRoot
                        : root instanceof Class<?> c ? c.getSimpleName() : root.getClass().getSimpleName());
                for (var ref : mi.getPath()) if (ref.getFieldName() != null) field.append('.').append(ref.getFieldName());
                return invalidJson("json: cannot unmarshal " + goKind(k.group(1)) + " into Go struct field " + field
                        + " of type " + goType(mi.getTargetType()));
            }
        }
        if (e instanceof JsonParseException) {
            if (msg.contains("end-of-input")) return invalidJson("unexpected end of JSON input");
            String c = firstGroup(UNEXPECTED, msg);
            if (c == null) c = firstGroup(UNRECOGNIZED, msg);
            if (c != null) return invalidJson("invalid character '" + c + "' looking for beginning of value");
        }
        return invalidJson(msg);
    }

    private static String firstGroup(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : null;
    }

    private static final Pattern INPUT_KIND =
            Pattern.compile("(?:Cannot coerce|from) (String|Boolean|Integer|Floating-point|Array|Object)");

    private static String goKind(String jackson) {
        return switch (jackson) {
            case "String" -> "string";
            case "Boolean" -> "bool";
            case "Array" -> "array";
            case "Object" -> "object";
            default -> "number";
        };
    }

    private static String goType(Class<?> t) {
        if (t == long.class || t == Long.class) return "int64";
        if (t == int.class || t == Integer.class) return "int";
        if (t == boolean.class || t == Boolean.class) return "bool";
        if (t == String.class) return "string";
        if (java.util.Collection.class.isAssignableFrom(t)) return "[]string";
        return t.getSimpleName();
    }
}
