package io.jnatsd.server.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A user's permissions as upstream's config writes them:
 * <pre>
 * permissions {
 *   publish:   "a.>"  |  ["a", "b"]  |  { allow: [...], deny: [...] }
 *   subscribe: (the same; an entry may be "subject queue")
 *   allow_responses: true | { max: 1, expires: "2m" }
 * }
 * </pre>
 * A null {@link #response} means responses are not specially allowed.
 */
public record Permissions(SubjectPermission publish, SubjectPermission subscribe, ResponsePermission response) {
    public static final Permissions ALLOW_ALL = new Permissions(SubjectPermission.ALLOW_ALL, SubjectPermission.ALLOW_ALL, null);

    /**
     * Field by field rather than {@code equals(ALLOW_ALL)}: a record's first equals() links its
     * method handles, which cost a fresh server's first CONNECT ~5 ms.
     */
    public boolean isAllowAll() {
        return response == null && publish != null && publish.isAllowAll() && subscribe != null && subscribe.isAllowAll();
    }

    /** Parses a {@code permissions} block; throws IllegalArgumentException with upstream-like text. */
    public static Permissions parse(Object block) {
        if (!(block instanceof Map<?, ?> map)) throw new IllegalArgumentException("expected permissions to be a map");
        SubjectPermission pub = SubjectPermission.ALLOW_ALL;
        SubjectPermission sub = SubjectPermission.ALLOW_ALL;
        ResponsePermission resp = null;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey()).toLowerCase();
            switch (key) {
                case "pub", "publish", "import" -> pub = subjectPermission(e.getValue(), key);
                case "sub", "subscribe", "export" -> sub = subjectPermission(e.getValue(), key);
                case "resp", "allow_responses" -> resp = responsePermission(e.getValue());
                default -> throw new IllegalArgumentException("Unknown field \"" + e.getKey() + "\" parsing permissions");
            }
        }
        return of(pub, sub, resp);
    }

    /**
     * Permissions as upstream completes them: with {@code allow_responses} the blanket publish
     * allowance is turned off, so a user without a publish allow list may publish replies only
     * (replies are checked apart from the lists).
     */
    public static Permissions of(SubjectPermission publish, SubjectPermission subscribe, ResponsePermission response) {
        if (response != null && publish.allow() == null) publish = new SubjectPermission(List.of(), publish.deny());
        return new Permissions(publish, subscribe, response);
    }

    private static SubjectPermission subjectPermission(Object v, String field) {
        if (v instanceof String s) return new SubjectPermission(List.of(s), List.of());
        if (v instanceof List<?> l) return new SubjectPermission(strings(l, field), List.of());
        if (v instanceof Map<?, ?> m) {
            List<String> allow = null;
            List<String> deny = List.of();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey()).toLowerCase();
                switch (k) {
                    case "allow" -> allow = listOrOne(e.getValue(), field);
                    case "deny" -> deny = listOrOne(e.getValue(), field);
                    default -> throw new IllegalArgumentException(
                            "Unknown field name \"" + e.getKey() + "\" parsing subject permissions, only 'allow' or 'deny' are permitted");
                }
            }
            return new SubjectPermission(allow, deny);
        }
        throw new IllegalArgumentException("Expected " + field + " permissions to be a subject, list or map");
    }

    private static List<String> listOrOne(Object v, String field) {
        if (v instanceof String s) return List.of(s);
        if (v instanceof List<?> l) return strings(l, field);
        throw new IllegalArgumentException("Expected " + field + " subjects to be a string or list");
    }

    private static List<String> strings(List<?> l, String field) {
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s)) throw new IllegalArgumentException("Expected " + field + " subjects to be strings");
            out.add(s);
        }
        return out;
    }

    private static ResponsePermission responsePermission(Object v) {
        if (v instanceof Boolean b) return b ? ResponsePermission.DEFAULT : null;
        if (v instanceof Map<?, ?> m) {
            int max = ResponsePermission.DEFAULT.maxMsgs();
            Duration expires = ResponsePermission.DEFAULT.expires();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey()).toLowerCase();
                switch (k) {
                    case "max", "max_msgs", "max_messages", "max_responses" -> max = ((Number) e.getValue()).intValue();
                    case "expires", "ttl" -> expires = e.getValue() instanceof Number n
                            ? Duration.ofSeconds(n.longValue()) : io.jnatsd.conf.GoDuration.parse(String.valueOf(e.getValue()));
                    default -> throw new IllegalArgumentException("Unknown field \"" + e.getKey() + "\" parsing allow_responses");
                }
            }
            return new ResponsePermission(max <= 0 ? ResponsePermission.DEFAULT.maxMsgs() : max, expires);
        }
        throw new IllegalArgumentException("Expected allow_responses to be a boolean or a map");
    }
}
