package io.jnatsd.conf;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A map of a configuration file: keys exactly as written (case preserved), in file order,
 * each remembering where it was written.
 *
 * <p>Values are {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@link java.time.Instant},
 * {@link java.util.List} (a {@link ConfList}) or a nested {@code ConfMap}.
 *
 * <p>As upstream, a key whose value was referenced as a {@code $variable} stays in the map but is
 * marked {@linkplain #isUsedVariable(String) used}; upstream does not report such keys as unknown fields.
 */
public class ConfMap extends LinkedHashMap<String, Object> {
    private final Map<String, Position> positions = new HashMap<>();
    private final Set<String> usedVariables = new HashSet<>();

    public ConfMap() {
    }

    /** Where {@code key} was written (the position of the key itself), or {@code null} if unknown. */
    public Position positionOf(String key) {
        return positions.get(key);
    }

    /** Whether the value of {@code key} was referenced as a variable ({@code $key}) somewhere in the file. */
    public boolean isUsedVariable(String key) {
        return usedVariables.contains(key);
    }

    /** Puts a value with the position of its key. */
    public Object put(String key, Object value, Position position) {
        if (position == null) positions.remove(key);
        else positions.put(key, position);
        return super.put(key, value);
    }

    /** Marks {@code key} as referenced by a variable. */
    public void markUsedVariable(String key) {
        usedVariables.add(key);
    }

    @Override
    public Object remove(Object key) {
        positions.remove(key);
        usedVariables.remove(key);
        return super.remove(key);
    }

    @Override
    public void clear() {
        positions.clear();
        usedVariables.clear();
        super.clear();
    }

    /**
     * The entry whose key equals {@code key} ignoring case (upstream lower-cases keys before matching);
     * when several do, the one written last wins, as it would upstream.
     */
    public String findKeyIgnoreCase(String key) {
        String found = null;
        for (String k : keySet()) {
            if (k.equalsIgnoreCase(key)) found = k;
        }
        return found;
    }
}
