package io.jnatsd.raft;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Ratis's side of one group on this server: hands each committed entry to the group's
 * {@link LogApplier}. A snapshot holds no data: the applier's own storage is the state, and the
 * snapshot is a marker file naming the (term, index) up to which that storage is durable, so that
 * Ratis can drop the log below it and, after a restart, replays only what comes after.
 */
final class GroupStateMachine extends BaseStateMachine {
    private final LogApplier applier;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    GroupStateMachine(LogApplier applier) {
        this.applier = applier;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
        if (latest != null) setLastAppliedTermIndex(latest.getTermIndex());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot() {
        return storage.getLatestSnapshot();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long result = applier.apply(entry.getIndex(), entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                java.nio.ByteBuffer.allocate(Long.BYTES).putLong(0, result))));
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0 || !applier.persistApplied()) return RaftLog.INVALID_LOG_INDEX;
        mark(applied);
        return applied.getIndex();
    }

    /** Records {@code at} as the latest snapshot: a small file whose name carries the term and index. */
    private void mark(TermIndex at) throws IOException {
        File f = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        Files.write(f.toPath(), at.toString().getBytes(StandardCharsets.US_ASCII));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(f.toPath(), (MD5Hash) null), at));
    }

    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(RoleInfoProto role, TermIndex leaderLogStart) {
        String leader = role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
        return applier.catchUp(leader, new LogPosition(leaderLogStart.getTerm(), leaderLogStart.getIndex())).thenApply(p -> {
            TermIndex reached = TermIndex.valueOf(p.term(), p.index());
            try {
                mark(reached);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            setLastAppliedTermIndex(reached);
            return reached;
        });
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        applier.leaderChanged(newLeader == null ? null : newLeader.toString());
    }
}
