package io.jnatsd.server.config;

import io.jnatsd.conf.Position;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * Whether two option blocks ({@link ClusterOptions}, {@link WebsocketOptions}, {@link TlsOptions})
 * say the same thing: every public field equal, nested blocks compared the same way, and where a
 * key was written ignored (moving a line is no change).
 */
final class SameOptions {
    private SameOptions() {
    }

    static boolean same(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null || a.getClass() != b.getClass()) return false;
        if (!isBlock(a)) return Objects.equals(a, b);
        for (Field f : a.getClass().getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) || !Modifier.isPublic(m) || f.getType() == Position.class) continue;
            try {
                if (!same(f.get(a), f.get(b))) return false;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return true;
    }

    private static boolean isBlock(Object o) {
        return o instanceof ClusterOptions || o instanceof WebsocketOptions || o instanceof TlsOptions;
    }
}
