package io.jnatsd.raft;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * What a group's members do with its committed entries: the "apply" half of JetStream's write
 * path. Called on every member, in log order, once per entry (also while a restarted member
 * replays its log past its last snapshot), from one thread per group.
 */
public interface LogApplier {
    /**
     * Applies the committed entry at {@code index}; the buffer is only valid during the call.
     * Returns what the member that proposed the entry gets back (a stream sequence, say): on
     * the leader, the proposal completes with it.
     */
    long apply(long index, ByteBuffer entry);

    /** The group's leader changed ({@code leaderId} null while there is none). */
    default void leaderChanged(String leaderId) {}

    /**
     * Makes everything applied so far durable here (a store's flush and fsync), so that the log up
     * to it may be dropped: the group's snapshot is then just that point. False (the default): this
     * group keeps its whole log. Called between applies, never during one.
     */
    default boolean persistApplied() {
        return false;
    }

    /**
     * This member is behind the start of the leader's log (the entries it lacks were dropped after
     * a snapshot): bring the applied state up to the leader's by other means (a stream copies the
     * messages from the leader) and complete with the position reached, at least
     * {@code leaderLogStart.index() - 1}, whose entries are then not applied again.
     */
    default CompletableFuture<LogPosition> catchUp(String leaderId, LogPosition leaderLogStart) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this group keeps its whole log"));
    }
}
