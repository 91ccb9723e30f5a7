package io.jnatsd.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The one Ratis server of a jnatsd process, hosting every Raft group this server is a member of
 * (multi-raft: the meta group and one group per replicated stream and consumer), with Ratis's
 * gRPC transport on a port of its own. Logs live under {@code dir/<group id>}.
 *
 * <p>Groups are named by strings (a stream's account and name, say); the Ratis group id is a
 * name-based UUID of that string, so every member derives the same id without coordination.
 */
public final class RaftHost implements AutoCloseable {
    private final RaftServer server;
    private final RaftPeerId id;
    private final RaftProperties properties;
    private final Parameters parameters;
    private final Map<RaftGroupId, ReplicatedLog> logs = new ConcurrentHashMap<>();
    private final Map<RaftGroupId, LogApplier> appliers = new ConcurrentHashMap<>();
    private final ClientId adminClient = ClientId.randomId();
    private long callId;

    private RaftHost(String nodeId, String host, int port, Path dir, RaftSettings settings, RaftTls tls,
                     Map<String, LogApplier> recovered) throws IOException {
        this.id = RaftPeerId.valueOf(nodeId);
        // before the server is built: building it already opens the groups found under dir
        recovered.forEach((name, applier) -> appliers.put(groupId(name), applier));
        this.properties = new RaftProperties();
        RaftConfigKeysHelper.configure(properties, host, port, dir, settings);
        this.parameters = new Parameters();
        if (tls != null) {
            GrpcTlsConfig conf = new GrpcTlsConfig(tls.keys(), tls.trust(), true);
            GrpcConfigKeys.Server.setTlsConf(parameters, conf);
            GrpcConfigKeys.Client.setTlsConf(parameters, conf);
            GrpcConfigKeys.Admin.setTlsConf(parameters, conf);
        }
        this.server = RaftServer.newBuilder()
                .setServerId(id)
                .setProperties(properties)
                .setParameters(parameters)
                .setStateMachineRegistry(groupId -> {
                    LogApplier applier = appliers.get(groupId);
                    if (applier == null) throw new IllegalStateException("no applier for Raft group " + groupId);
                    return new GroupStateMachine(applier);
                })
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
    }

    /**
     * Starts the transport (mutual TLS when {@code tls} is given, plain otherwise) and reopens the
     * groups whose logs are under {@code dir}: {@code recovered} must name an applier for each.
     */
    public static RaftHost start(String nodeId, String host, int port, Path dir, RaftSettings settings, RaftTls tls,
                                 Map<String, LogApplier> recovered) throws IOException {
        RaftHost h = new RaftHost(nodeId, host, port, dir, settings, tls, recovered);
        h.server.start();
        return h;
    }

    static RaftGroupId groupId(String name) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    public String nodeId() {
        return id.toString();
    }

    /** The port the Raft transport listens on (the one asked for, or the one the OS chose for 0). */
    public int port() {
        return server.getServerRpc().getInetSocketAddress().getPort();
    }

    /**
     * This server's membership of group {@code name} with {@code peers} (this server among them):
     * created when new, reopened when its log is already here. Every member calls this with the
     * same peers; entries then committed reach {@code applier}.
     */
    public synchronized ReplicatedLog join(String name, List<RaftPeerAddress> peers, LogApplier applier) throws IOException {
        RaftGroupId gid = groupId(name);
        ReplicatedLog existing = logs.get(gid);
        if (existing != null) return existing;
        RaftGroup group = RaftGroup.valueOf(gid, peers.stream()
                .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.hostPort()).build()).toList());
        appliers.put(gid, applier);
        boolean hosted = false;
        for (RaftGroupId g : server.getGroupIds()) hosted |= g.equals(gid);
        if (!hosted) {
            RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(adminClient, id, ++callId, group));
            if (!reply.isSuccess()) throw new IOException("cannot add Raft group " + name + ": " + reply.getException());
        }
        ReplicatedLog log = new ReplicatedLog(name, group, server, properties, parameters);
        logs.put(gid, log);
        return log;
    }

    /** Leaves group {@code name} on this server, deleting its log when {@code deleteLog}. */
    public synchronized void leave(String name, boolean deleteLog) throws IOException {
        RaftGroupId gid = groupId(name);
        ReplicatedLog log = logs.remove(gid);
        if (log != null) log.closeClient();
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newRemove(adminClient, id, ++callId, gid, deleteLog, false));
        appliers.remove(gid);
        if (!reply.isSuccess()) throw new IOException("cannot remove Raft group " + name + ": " + reply.getException());
    }

    @Override
    public void close() throws IOException {
        for (ReplicatedLog log : logs.values()) log.closeClient();
        logs.clear();
        server.close();
    }

    /** Ratis's settings as jnatsd uses them, in one place. */
    private static final class RaftConfigKeysHelper {
        static void configure(RaftProperties p, String host, int port, Path dir, RaftSettings t) {
            RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
            GrpcConfigKeys.Server.setHost(p, host);
            GrpcConfigKeys.Server.setPort(p, port);
            RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
            RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(t.electionMinMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(t.electionMaxMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, t.snapshotEvery());
            RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
            RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(Integer.MAX_VALUE, t.snapshotEvery()));
            // a member that was away catches up from the log: keep ten snapshot intervals of it
            // below the snapshot point (one further behind needs its applier's catch-up)
            RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, t.snapshotEvery() * 10);
            RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(t.segmentBytes()));
            // send as soon as there is something to send: a publish waits for this round trip
            RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
            RaftServerConfigKeys.Rpc.setSleepTime(p, TimeDuration.valueOf(1, java.util.concurrent.TimeUnit.MILLISECONDS));
            // unless every entry must be on disk before it counts (sync always), the log is
            // fsynced behind the writes, as upstream's store syncs on an interval
            RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, !t.syncEachEntry());
            // a member behind the leader's log start catches up through its applier, not by a copied file
            RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
        }
    }
}
