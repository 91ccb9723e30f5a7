package io.jnatsd.store;

import java.util.Locale;

/**
 * Upstream's stream {@code compression: none|s2}. With {@link #S2} the file store compresses
 * each message block once it is sealed (the active block stays as written, as upstream does);
 * the memory store ignores the setting. The codec is Snappy, the format S2 extends: there is no
 * maintained S2 implementation for Java, and blocks are jnatsd's own format anyway ({@link ChunkFormat}).
 */
public enum StoreCompression {
    NONE,
    S2;

    /** The name in stream configs and {@code meta.inf}: {@code none} or {@code s2}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a config name; null or empty is {@link #NONE}, as upstream's default. */
    public static StoreCompression fromConfigName(String name) {
        if (name == null || name.isEmpty()) {
            return NONE;
        }
        for (StoreCompression c : values()) {
            if (c.configName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression: " + name);
    }
}
