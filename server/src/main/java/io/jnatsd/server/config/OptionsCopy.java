package io.jnatsd.server.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Field-by-field copies of the option classes, so that a field added to one is copied without
 * anyone remembering to: each class says only what of its values must not be shared.
 */
final class OptionsCopy {
    private OptionsCopy() {
    }

    /** Copies every instance field of {@code from} into {@code to}, each value through {@code unshare}; returns {@code to}. */
    static <T> T fields(T from, T to, UnaryOperator<Object> unshare) {
        for (Field f : from.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            try {
                f.set(to, unshare.apply(f.get(from)));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return to;
    }

    /** Lists get a copy of their own; everything else is shared. */
    static Object lists(Object v) {
        return v instanceof List<?> l ? new ArrayList<>(l) : v;
    }

    /** Lists and TLS blocks get copies of their own. */
    static Object listsAndTls(Object v) {
        return v instanceof TlsOptions t ? t.copy() : lists(v);
    }
}
