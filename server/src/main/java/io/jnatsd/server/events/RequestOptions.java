package io.jnatsd.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optional JSON body of a system request, decoded as Go decodes it into upstream's
 * {@code <Endpoint>EventOptions}: the endpoint's options (turned into the query parameters
 * of the HTTP endpoint, so that both answer alike) and the server filter every request
 * carries. Field names match case-insensitively, unknown fields are ignored, a null leaves
 * the default; a value of the wrong type fails the whole request.
 */
final class RequestOptions {
    /** Made by the first request with a body rather than at start: databind's set-up is ~40 ms. */
    private static final class Bodies {
        static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** A body that does not decode: the request is answered with code 400 and this text. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** The Go type an option has, as decoding errors name it. */
    enum Kind {
        STRING("string"), INT("int"), UINT("uint64"), BOOL("bool"), STRINGS("[]string"),
        SORT("server.SortOpt"), STATE("server.ConnState");

        final String goType;

        Kind(String goType) {
            this.goType = goType;
        }
    }

    /**
     * One option: its JSON name and type, and the query parameter it becomes (null: decoded
     * and dropped); a boolean sets the parameter to {@code whenTrue} when true.
     */
    record Field(String json, Kind kind, String param, String whenTrue) {
    }

    /** The options of one request type, under upstream's struct name (for error texts). */
    record Spec(String struct, List<Field> fields) {
        static Spec of(String struct, Field... fields) {
            List<Field> all = new ArrayList<>(List.of(fields));
            all.add(new Field("server_name", Kind.STRING, null, null));
            all.add(new Field("cluster", Kind.STRING, null, null));
            all.add(new Field("host", Kind.STRING, null, null));
            all.add(new Field("tags", Kind.STRINGS, null, null));
            all.add(new Field("domain", Kind.STRING, null, null));
            return new Spec(struct, List.copyOf(all));
        }
    }

    static Field str(String json, String param) {
        return new Field(json, Kind.STRING, param, null);
    }

    static Field integer(String json, String param) {
        return new Field(json, Kind.INT, param, null);
    }

    static Field unsigned(String json, String param) {
        return new Field(json, Kind.UINT, param, null);
    }

    static Field bool(String json, String param) {
        return new Field(json, Kind.BOOL, param, "true");
    }

    static Field bool(String json, String param, String whenTrue) {
        return new Field(json, Kind.BOOL, param, whenTrue);
    }

    static Field strings(String json) {
        return new Field(json, Kind.STRINGS, json, null);
    }

    static Field sort(String json, String param) {
        return new Field(json, Kind.SORT, param, null);
    }

    static Field state(String json, String param) {
        return new Field(json, Kind.STATE, param, null);
    }

    private final Map<String, String> params = new LinkedHashMap<>();
    private final Map<String, String> strings = new HashMap<>();
    private final Map<String, List<String>> lists = new HashMap<>();

    private RequestOptions() {}

    /** No options: the endpoint's defaults, and no filter. */
    static RequestOptions none() {
        return new RequestOptions();
    }

    /** Decodes {@code body} (empty: no options) against {@code spec}; throws {@link Invalid}. */
    static RequestOptions parse(byte[] body, Spec spec) {
        RequestOptions o = new RequestOptions();
        if (body == null || body.length == 0) return o;
        JsonNode root;
        try {
            root = Bodies.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Invalid(firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new Invalid(String.valueOf(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) throw new Invalid("unexpected end of JSON input");
        if (root.isNull()) return o;
        if (!root.isObject()) {
            throw new Invalid("json: cannot unmarshal " + jsonKind(root) + " into Go value of type server." + spec.struct());
        }
        for (Field f : spec.fields()) {
            JsonNode v = lookup(root, f.json());
            if (v == null || v.isNull()) continue;
            o.decode(spec, f, v);
        }
        return o;
    }

    /** Go matches a key exactly first, then ignoring case. */
    private static JsonNode lookup(JsonNode obj, String name) {
        JsonNode exact = obj.get(name);
        if (exact != null) return exact;
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    private void decode(Spec spec, Field f, JsonNode v) {
        switch (f.kind()) {
            case STRING, SORT -> {
                if (!v.isTextual()) throw wrongType(spec, f, v);
                strings.put(f.json(), v.asText());
                if (f.param() != null && !v.asText().isEmpty()) params.put(f.param(), v.asText());
            }
            case INT, UINT -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong() || (f.kind() == Kind.UINT && v.asLong() < 0)) {
                    throw wrongType(spec, f, v);
                }
                if (f.param() != null && v.asLong() != 0) params.put(f.param(), Long.toString(v.asLong()));
            }
            case BOOL -> {
                if (!v.isBoolean()) throw wrongType(spec, f, v);
                if (f.param() != null && v.asBoolean()) params.put(f.param(), f.whenTrue());
            }
            case STRINGS -> {
                if (!v.isArray()) throw wrongType(spec, f, v, f.kind().goType);
                List<String> l = new ArrayList<>();
                for (JsonNode e : v) {
                    if (e.isNull()) {
                        l.add("");
                    } else if (e.isTextual()) {
                        l.add(e.asText());
                    } else {
                        throw wrongType(spec, f, e, "string");
                    }
                }
                lists.put(f.json(), l);
            }
            case STATE -> {
                if (!v.isIntegralNumber()) throw wrongType(spec, f, v);
                long s = v.asLong();
                params.put(f.param(), s == 0 ? "open" : s == 1 ? "closed" : s == 2 ? "all" : Long.toString(s));
            }
            default -> throw new IllegalStateException();
        }
    }

    private static Invalid wrongType(Spec spec, Field f, JsonNode v) {
        return wrongType(spec, f, v, f.kind().goType);
    }

    private static Invalid wrongType(Spec spec, Field f, JsonNode v, String type) {
        String kind = jsonKind(v);
        if (v.isNumber() && (f.kind() == Kind.INT || f.kind() == Kind.UINT || f.kind() == Kind.STATE)) {
            kind = "number " + v.asText(); // Go names the number it could not fit
        }
        return new Invalid("json: cannot unmarshal " + kind + " into Go struct field " + spec.struct() + "."
                + f.json() + " of type " + type);
    }

    private static String jsonKind(JsonNode v) {
        if (v.isTextual()) return "string";
        if (v.isNumber()) return "number";
        if (v.isBoolean()) return "bool";
        if (v.isArray()) return "array";
        return "object";
    }

    private static String firstLine(String s) {
        if (s == null) return "invalid JSON";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The endpoint's query parameters (one value each). */
    Map<String, String> params() {
        return params;
    }

    /** A list option ({@code accounts} of an account STATZ request); empty when absent. */
    List<String> list(String json) {
        return lists.getOrDefault(json, List.of());
    }

    boolean flag(String param) {
        return params.containsKey(param);
    }

    String serverName() {
        return strings.getOrDefault("server_name", "");
    }

    String cluster() {
        return strings.getOrDefault("cluster", "");
    }

    String host() {
        return strings.getOrDefault("host", "");
    }

    String domain() {
        return strings.getOrDefault("domain", "");
    }

    List<String> tags() {
        return list("tags");
    }
}
