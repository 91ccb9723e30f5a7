package io.jnatsd.server.config;

import io.jnatsd.conf.ConfException;
import io.jnatsd.conf.ConfList;
import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.GoDuration;
import io.jnatsd.conf.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The typed-value readers that every config block shares ({@link ConfigLoader}'s top level, {@link TlsBlock},
 * {@link ClusterBlock}). An error is recorded at the position of the key being read ({@link #at}) and the key is
 * abandoned by throwing {@link Skip}, so that one pass reports every error of the file, as upstream does.
 */
class ConfigReader {

    /** Thrown to abandon one key after its error has been recorded. */
    static final class Skip extends RuntimeException {
        Skip() {
            super(null, null, false, false);
        }
    }

    /** One key of a block: as written, lower-cased (upstream matches keys case-insensitively), and its value. */
    interface KeyHandler {
        void accept(String key, String k, Object value);
    }

    final List<ConfException> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    /** The position of the key being processed. */
    Position at;

    /**
     * Hands each entry of {@code map} to {@code handler} with {@link #at} on its key; a {@link Skip} abandons only
     * that key. {@link #at} is back on the block's own key afterwards, for the block's cross-field errors.
     */
    void eachKey(ConfMap map, KeyHandler handler) {
        Position top = at;
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String key = e.getKey();
            at = map.positionOf(key);
            try {
                handler.accept(key, key.toLowerCase(Locale.ROOT), e.getValue());
            } catch (Skip ignored) {
                // recorded
            }
        }
        at = top;
    }

    /** Records an error at {@link #at}; the caller throws what it returns. */
    Skip error(String reason) {
        errors.add(new ConfException(at, reason));
        return new Skip();
    }

    /** Runs {@code check}, recording its error (if any) without abandoning the caller. */
    void recover(Runnable check) {
        try {
            check.run();
        } catch (Skip ignored) {
            // recorded
        }
    }

    void warn(String reason) {
        warnings.add(prefix() + reason);
    }

    String prefix() {
        return at == null ? "" : at + ": ";
    }

    String str(String field, Object v) {
        if (v instanceof String s) return s;
        throw error("expected a string for \"" + field + "\", got " + typeName(v));
    }

    boolean bool(String field, Object v) {
        if (v instanceof Boolean b) return b;
        throw error("expected a boolean for \"" + field + "\", got " + typeName(v));
    }

    long i64(String field, Object v) {
        if (v instanceof Long l) return l;
        throw error("expected an integer for \"" + field + "\", got " + typeName(v));
    }

    int i32(String field, Object v) {
        long l = i64(field, v);
        if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) throw error(field + " value is out of range");
        return (int) l;
    }

    /** As upstream's max_payload / max_control_line: at most 2^31-1. */
    int i32Limited(String field, Object v) {
        long l = i64(field, v);
        if (l > Integer.MAX_VALUE) throw error(field + " value is too big");
        if (l < Integer.MIN_VALUE) throw error(field + " value is out of range");
        return (int) l;
    }

    /** An authorization {@code timeout} in seconds, integer or fractional; upstream takes anything else as 1 s. */
    static double authTimeoutSeconds(Object v) {
        return v instanceof Long l ? l : v instanceof Double d ? d : 1.0;
    }

    /** A Go duration string, or (deprecated, with a warning) an integer number of seconds. */
    Duration duration(String field, Object v) {
        if (v instanceof String) return goDuration(field, v);
        if (v instanceof Long l) {
            warn("invalid use of field \"" + field + "\": " + field + " should be converted to a duration");
            return Duration.ofSeconds(l);
        }
        throw error("expected a duration for \"" + field + "\", got " + typeName(v));
    }

    /** A Go duration string only (as upstream's lame_duck_duration). */
    Duration goDuration(String field, Object v) {
        if (!(v instanceof String s)) {
            throw error("expected a duration string for \"" + field + "\", got " + typeName(v));
        }
        try {
            return GoDuration.parse(s);
        } catch (IllegalArgumentException e) {
            throw error("error parsing " + field + ": " + e.getMessage());
        }
    }

    /** Upstream's getStorageSize: an integer, or a string ending in K, M, G or T (powers of 1024). */
    long storageSize(String field, Object v) {
        if (v instanceof Long l) return l;
        if (!(v instanceof String s)) throw error(field + " must be int64 or string");
        if (s.isEmpty()) return 0;
        char suffix = s.charAt(s.length() - 1);
        String prefix = s.substring(0, s.length() - 1);
        long num;
        try {
            num = Long.parseLong(prefix);
        } catch (NumberFormatException e) {
            throw error(field + " strconv.ParseInt: parsing \"" + prefix + "\": invalid syntax");
        }
        int shift = switch (suffix) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> throw error(field + " sizes defined as strings must end in K, M, G, T");
        };
        return num << shift;
    }

    /** A string or an array of strings (upstream's parseStringArray). */
    List<String> stringList(String field, Object v) {
        if (v instanceof String s) {
            List<String> out = new ArrayList<>();
            out.add(s);
            return out;
        }
        return strings(field, v);
    }

    /** An array of strings only; an element of another type is reported at its own position. */
    List<String> strings(String field, Object v) {
        if (!(v instanceof List<?> list)) throw error("expected an array for \"" + field + "\", got " + typeName(v));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item instanceof String s) {
                out.add(s);
            } else {
                Position top = at;
                at = positionOf(list, i, top);
                Skip skip = error("expected a string in \"" + field + "\", got " + typeName(item));
                at = top;
                throw skip;
            }
        }
        return out;
    }

    /** Where element {@code i} of {@code list} was written, or {@code fallback} when not known. */
    static Position positionOf(List<?> list, int i, Position fallback) {
        if (list instanceof ConfList cl && cl.positionOf(i) != null) return cl.positionOf(i);
        return fallback;
    }

    record HostPort(String host, int port) {
    }

    /** Upstream's parseListen: a port (the host stays {@code defaultHost}), or "host:port". */
    HostPort hostPort(Object v, String defaultHost) {
        if (v instanceof Long l) {
            if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) throw error("port value is out of range");
            return new HostPort(defaultHost, l.intValue());
        }
        if (!(v instanceof String s)) throw error("expected port or host:port, got " + typeName(v));
        String[] hp = splitHostPort(s);
        if (hp == null) throw error("could not parse address string \"" + s + "\"");
        try {
            return new HostPort(hp[0], Integer.parseInt(hp[1]));
        } catch (NumberFormatException e) {
            throw error("could not parse port \"" + hp[1] + "\"");
        }
    }

    /** Go's net.SplitHostPort: "host:port", "[v6]:port" or ":port"; {@code null} when malformed. */
    static String[] splitHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) return null;
        String host;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0 || end + 1 != colon) return null;
            host = s.substring(1, end);
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) return null;
        } else {
            host = s.substring(0, colon);
            if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) return null;
        }
        String port = s.substring(colon + 1);
        if (port.indexOf('[') >= 0 || port.indexOf(']') >= 0) return null;
        return new String[] {host, port};
    }

    /** A value's type as Go's {@code %T} prints the config parser's values (upstream's "got int64"). */
    static String goTypeName(Object v) {
        return switch (v) {
            case null -> "<nil>";
            case String s -> "string";
            case Long l -> "int64";
            case Double d -> "float64";
            case Boolean b -> "bool";
            case Instant i -> "time.Time";
            case Map<?, ?> m -> "map[string]interface {}";
            case List<?> l -> "[]interface {}";
            default -> v.getClass().getSimpleName();
        };
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "nothing";
            case String s -> "string";
            case Long l -> "integer";
            case Double d -> "float";
            case Boolean b -> "boolean";
            case Instant i -> "date";
            case Map<?, ?> m -> "map";
            case List<?> l -> "array";
            default -> v.getClass().getSimpleName();
        };
    }
}
