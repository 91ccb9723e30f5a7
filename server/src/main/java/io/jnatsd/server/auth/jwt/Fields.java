package io.jnatsd.server.auth.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reading claim JSON the way Go's encoding/json fills a struct: absent fields are zero values. */
final class Fields {
    private Fields() {
    }

    /** A string array (or one string) as a list; empty when absent. */
    static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isMissingNode() || n.isNull()) return out;
        if (n.isArray()) {
            for (JsonNode e : n) out.add(e.asText());
        } else if (n.isTextual()) {
            out.add(n.asText());
        }
        return out;
    }

    /**
     * A CIDR list: a string array, or one comma-separated string as version-1 tooling wrote it
     * (trimmed, lower-cased, empty entries skipped).
     */
    static List<String> cidrs(JsonNode n) {
        if (!n.isTextual()) return strings(n);
        List<String> out = new ArrayList<>();
        for (String s : n.asText().toLowerCase(java.util.Locale.ROOT).split(",")) {
            String t = s.trim();
            if (!t.isEmpty() && !out.contains(t)) out.add(t);
        }
        return out;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isValueNode() ? v.asText() : "";
    }

    static long number(JsonNode n, String field) {
        return n.path(field).asLong(0);
    }

    static boolean bool(JsonNode n, String field) {
        return n.path(field).asBoolean(false);
    }

    /** A Go {@code time.Duration}: integer nanoseconds. */
    static Duration duration(JsonNode n, String field) {
        return Duration.ofNanos(n.path(field).asLong(0));
    }
}
