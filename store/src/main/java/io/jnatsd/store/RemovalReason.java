package io.jnatsd.store;

/** Why a message left the store, as reported to a {@link RemovalListener}. */
public enum RemovalReason {
    /** {@link StreamStore#remove}. */
    REMOVED,
    /** {@link StreamStore#erase}. */
    ERASED,
    /** max_msgs with discard old. */
    MAX_MSGS,
    /** max_bytes with discard old. */
    MAX_BYTES,
    /** max_msgs_per_subject: the oldest message of the subject made room. */
    MAX_MSGS_PER_SUBJECT,
    /** max_age. */
    MAX_AGE,
    /** The message's own TTL ran out. */
    TTL
}
