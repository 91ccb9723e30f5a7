package io.jnatsd.raft;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * One group as this server sees it: propose entries (they reach every member's
 * {@link LogApplier} once committed), ask who leads, hand the lead over, and read each
 * member's progress for stream info's {@code cluster} section.
 */
public final class ReplicatedLog {
    private final String name;
    private final RaftGroup group;
    private final RaftServer server;
    private final RaftClient client;
    /** Names this server's in-process proposals to its own division. */
    private final ClientId localClient = ClientId.randomId();
    private final java.util.concurrent.atomic.AtomicLong callIds = new java.util.concurrent.atomic.AtomicLong();

    ReplicatedLog(String name, RaftGroup group, RaftServer server, RaftProperties properties, Parameters parameters) {
        this.name = name;
        this.group = group;
        this.server = server;
        this.client = RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
                .setRaftGroup(group).setLeaderId(server.getId()).build();
    }

    public String name() {
        return name;
    }

    /**
     * Proposes {@code entry}; completes with what the leader's {@link LogApplier#apply} returned
     * for it once a majority has it and it has been applied there, or exceptionally when it could
     * not be committed. Proposals from any member reach the leader (the client follows leader
     * changes).
     */
    public CompletableFuture<Long> propose(byte[] entry) {
        Message m = Message.valueOf(ByteString.copyFrom(entry));
        if (isLeader()) {
            // the leader hands the entry to its own division: no gRPC round trip to itself
            RaftClientRequest req = RaftClientRequest.newBuilder().setClientId(localClient).setServerId(server.getId())
                    .setGroupId(group.getGroupId()).setCallId(callIds.incrementAndGet()).setMessage(m)
                    .setType(RaftClientRequest.writeRequestType()).build();
            try {
                // refused before it was appended (a leader not ready yet, or no longer leading):
                // the client sends it again and follows the leader, as for any other member. Any
                // other failure may have left the entry in the log, so it is not sent twice.
                return server.submitClientRequestAsync(req).thenCompose(reply -> {
                    if (reply.isSuccess()) return CompletableFuture.completedFuture(result(reply));
                    boolean notAppended = reply.getNotLeaderException() != null
                            || reply.getException() instanceof LeaderNotReadyException;
                    return notAppended ? client.async().send(m).thenApply(ReplicatedLog::result)
                            : CompletableFuture.failedFuture(reply.getException());
                });
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return client.async().send(m).thenApply(ReplicatedLog::result);
    }

    private static long result(RaftClientReply reply) {
        if (!reply.isSuccess()) throw new CompletionException(reply.getException());
        return reply.getMessage().getContent().asReadOnlyByteBuffer().getLong();
    }

    private DivisionInfo info() throws IOException {
        return server.getDivision(group.getGroupId()).getInfo();
    }

    public boolean isLeader() {
        try {
            return info().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The current leader's id, or null while there is none (or this server no longer hosts the group). */
    public String leader() {
        try {
            RaftPeerId leader = info().getLeaderId();
            return leader == null ? null : leader.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Hands the lead to {@code to} (or to any other member when null): STREAM.LEADER.STEPDOWN. */
    public void transferLeadership(String to, long timeoutMillis) throws IOException {
        RaftClientReply reply = client.admin().transferLeadership(to == null ? null : RaftPeerId.valueOf(to), timeoutMillis);
        if (!reply.isSuccess()) throw new IOException("leadership transfer in " + name + " failed: " + reply.getException());
    }

    /** Where this member's latest snapshot stands (what a member catching up must reach), or null before the first. */
    public LogPosition snapshotPoint() throws IOException {
        var snapshot = server.getDivision(group.getGroupId()).getStateMachine().getLatestSnapshot();
        return snapshot == null ? null : new LogPosition(snapshot.getTerm(), snapshot.getIndex());
    }

    /** Each member's committed index as this server last heard it. */
    public List<MemberProgress> progress() throws IOException {
        List<MemberProgress> out = new ArrayList<>();
        for (CommitInfoProto c : server.getDivision(group.getGroupId()).getCommitInfos()) {
            out.add(new MemberProgress(c.getServer().getId().toStringUtf8(), c.getCommitIndex()));
        }
        return out;
    }

    /** A member and the index it has committed. */
    public record MemberProgress(String id, long commitIndex) {}

    void closeClient() {
        try {
            client.close();
        } catch (IOException ignored) {
            // the group is going away; nothing waits on its client
        }
    }
}
