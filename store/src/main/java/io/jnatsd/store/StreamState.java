package io.jnatsd.store;

/**
 * A stream's state, as upstream's {@code StreamState}.
 *
 * @param msgs           live messages
 * @param bytes          their size as upstream accounts it (file store: record overhead of 30
 *                       bytes plus 4 when there are headers; memory store: 16 bytes overhead)
 * @param firstSeq       the first live sequence; {@code lastSeq + 1} when empty (0 for a new
 *                       stream that never stored anything)
 * @param firstTimeNanos the first live message's timestamp, 0 when empty
 * @param lastSeq        the last sequence assigned
 * @param lastTimeNanos  the last message's timestamp, 0 when none
 * @param numDeleted     sequences between first and last that are not live
 * @param deleted        those sequences, ascending, when requested with {@code state(true)};
 *                       otherwise null
 * @param numSubjects    distinct subjects among live messages
 */
public record StreamState(long msgs, long bytes, long firstSeq, long firstTimeNanos, long lastSeq,
                          long lastTimeNanos, long numDeleted, long[] deleted, long numSubjects) {
}
