package io.jnatsd.conf;

import java.util.ArrayList;
import java.util.List;

/** An array of a configuration file; each element remembers where it was written. */
public class ConfList extends ArrayList<Object> {
    private final List<Position> positions = new ArrayList<>();

    public ConfList() {
    }

    /** Appends a value with its position. */
    public void add(Object value, Position position) {
        while (positions.size() < size()) positions.add(null);
        super.add(value);
        positions.add(position);
    }

    /** Where element {@code index} was written, or {@code null} if unknown. */
    public Position positionOf(int index) {
        return index >= 0 && index < positions.size() ? positions.get(index) : null;
    }
}
