package io.jnatsd.raft;

import java.nio.ByteBuffer;

/**
 * What a group's members do with its committed entries: the "apply" half of JetStream's write
 * path. Called on every member, in log order, once per entry (also while a restarted member
 * replays its log), from one thread per group.
 */
public interface LogApplier {
    /** Applies the committed entry at {@code index}; the buffer is only valid during the call. */
    void apply(long index, ByteBuffer entry);

    /** The group's leader changed ({@code leaderId} null while there is none). */
    default void leaderChanged(String leaderId) {}
}
