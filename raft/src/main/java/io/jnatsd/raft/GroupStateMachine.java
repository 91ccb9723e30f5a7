package io.jnatsd.raft;

import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * Ratis's side of one group on this server: hands each committed entry to the group's
 * {@link LogApplier}. The applied index is kept only in memory; after a restart Ratis replays the
 * log from its start (or from a snapshot once those exist), which the applier must tolerate.
 */
final class GroupStateMachine extends BaseStateMachine {
    private final LogApplier applier;

    GroupStateMachine(LogApplier applier) {
        this.applier = applier;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        applier.apply(entry.getIndex(), entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        applier.leaderChanged(newLeader == null ? null : newLeader.toString());
    }
}
