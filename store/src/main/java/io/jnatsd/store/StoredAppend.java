package io.jnatsd.store;

/** What {@link StreamStore#store} assigned to a new message. */
public record StoredAppend(long seq, long timestampNanos) {
}
