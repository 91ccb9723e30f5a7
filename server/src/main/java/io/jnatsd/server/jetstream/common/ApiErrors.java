package io.jnatsd.server.jetstream.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream's JetStream error table, loaded from the data file upstream publishes
 * (jetstream-errors.json, kept as a resource), so codes and texts match what clients map.
 * Errors are named by upstream's constants; {@code {placeholders}} are filled from arguments.
 */
public final class ApiErrors {
    private record Entry(int code, int errCode, String description) {}

    private static final Map<String, Entry> TABLE = load();

    private ApiErrors() {}

    private static Map<String, Entry> load() {
        try (InputStream in = ApiErrors.class.getResourceAsStream("jetstream-errors.json")) {
            if (in == null) throw new IllegalStateException("jetstream-errors.json missing from the jar");
            Map<String, Entry> m = new HashMap<>();
            for (JsonNode n : new ObjectMapper().readTree(in)) {
                m.put(n.get("constant").asText(), new Entry(n.get("code").asInt(), n.get("error_code").asInt(),
                        n.get("description").asText()));
            }
            return Map.copyOf(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The error named {@code constant} (e.g. "JSStreamNotFoundErr"), with its placeholders
     * replaced pairwise from {@code args}: {@code of("JSStreamWrongLastSequenceErrF", "seq", 2)}.
     */
    public static ApiError of(String constant, Object... args) {
        Entry e = TABLE.get(constant);
        if (e == null) throw new IllegalArgumentException("unknown JetStream error " + constant);
        String d = e.description();
        for (int i = 0; i + 1 < args.length; i += 2) {
            d = d.replace("{" + args[i] + "}", String.valueOf(args[i + 1]));
        }
        Matcher m = PLACEHOLDER.matcher(e.description());
        while (m.find()) {
            if (!filled(m.group(1), args)) {
                // a client must never see a template; ApiErrorNamesTest finds such calls before they ship
                throw new IllegalArgumentException(constant + " needs {" + m.group(1) + "} filled");
            }
        }
        return new ApiError(e.code(), e.errCode(), d);
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    private static boolean filled(String name, Object[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (name.equals(args[i])) return true;
        }
        return false;
    }

    /** The description of {@code constant} with its {@code {placeholders}}, for checks. */
    static String template(String constant) {
        return TABLE.get(constant).description();
    }

    /** Whether the table knows {@code constant}. */
    public static boolean exists(String constant) {
        return TABLE.containsKey(constant);
    }
}
