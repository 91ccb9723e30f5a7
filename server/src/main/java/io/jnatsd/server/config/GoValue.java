package io.jnatsd.server.config;

import io.jnatsd.conf.GoDuration;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;

/** Option values written as Go's {@code %v} writes them, for upstream's reload messages. */
final class GoValue {
    private GoValue() {
    }

    static String format(Object v) {
        if (v == null) return "";
        if (v instanceof Duration d) return GoDuration.format(d);
        if (v instanceof Double d) return formatFloat(d);
        if (v instanceof Collection<?> c) {
            StringJoiner j = new StringJoiner(" ", "[", "]");
            for (Object o : c) j.add(format(o));
            return j.toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringJoiner j = new StringJoiner(" ", "map[", "]");
            for (Map.Entry<?, ?> e : m.entrySet()) j.add(e.getKey() + ":" + format(e.getValue()));
            return j.toString();
        }
        return String.valueOf(v);
    }

    /** Go's shortest float64 form: {@code 2}, {@code 0.5}, {@code 1e+21}. */
    private static String formatFloat(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e21) return Long.toString((long) d);
        return Double.toString(d);
    }
}
