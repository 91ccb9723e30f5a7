package io.jnatsd.store;

/**
 * Messages matching a filter from a starting sequence: count and the first and last matching
 * sequences (both 0 when nothing matches). Upstream's {@code SimpleState}.
 */
public record SimpleState(long msgs, long first, long last) {

    static final SimpleState EMPTY = new SimpleState(0, 0, 0);
}
