package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.raft.LogApplier;
import io.jnatsd.raft.RaftHost;
import io.jnatsd.raft.RaftPeerAddress;
import io.jnatsd.raft.RaftSettings;
import io.jnatsd.raft.RaftTls;
import io.jnatsd.raft.ReplicatedLog;
import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.stream.JsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Clustered JetStream on this server: the one Raft host (Apache Ratis, its own transport on the
 * Raft port) whose groups are the meta group, which holds every stream's assignment, and one
 * group per replicated stream.
 *
 * <p>The meta group forms once this server sees, over the routes, as many JetStream servers as
 * its {@code routes} name (itself included), and is made of exactly those: every server listing
 * the same routes picks the same members. Its members are kept in {@code meta.json} beside the
 * Raft logs, so a restart rejoins without waiting for the mesh.
 */
public final class JsCluster implements AutoCloseable {
    private static final String META_GROUP = "_meta_";
    private static final long META_WAIT_MILLIS = 10_000;
    /** How long the set of JetStream servers the routes reach must stay the same before the meta group forms. */
    private static final long SETTLE_MILLIS = 2_000;

    private final JsServer js;
    private final String self;
    private final RaftPeerAddress selfAddress;
    private final String bindHost;
    private final int port;
    private final int expectedSize;
    private final Path dir;
    private final Supplier<Map<String, String>> routedPeers;
    private final RaftSettings settings;
    /** Mutual TLS of the Raft transport (the cluster block's certificates), or null. */
    private final RaftTls tls;
    final MetaState meta = new MetaState();
    /** Carries out committed meta changes on this server (opening and removing replicas), one at a time, in log order. */
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jetstream-cluster");
        t.setDaemon(true);
        return t;
    });
    /** Stream groups found on disk, opened before the host starts (it replays their logs at once). */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private RaftHost raft;
    private volatile RaftEntryLog<MetaEntry> metaLog;
    private volatile List<String> metaMembers = List.of();
    /** The JetStream servers the routes reached at the last look, and when that set last changed. */
    private Set<String> lastSeen = Set.of();
    private long lastChange = System.nanoTime();
    private volatile BiConsumer<MetaEntry, StreamAssignment> onChange = (e, prev) -> {};

    private record Pending(RaftEntryLog<?> log, List<RaftPeerAddress> peers) {}

    /**
     * @param routedPeers the JetStream servers the routes reach: server name → Raft address
     * @param expectedSize how many JetStream servers (this one included) the meta group waits for
     */
    public JsCluster(JsServer js, String bindHost, String advertisedHost, int port, RaftTls tls, int expectedSize,
                     Supplier<Map<String, String>> routedPeers, RaftSettings settings) {
        this.tls = tls;
        this.js = js;
        this.self = js.serverName();
        this.bindHost = bindHost;
        this.port = port;
        this.selfAddress = new RaftPeerAddress(self, advertisedHost + ":" + port);
        this.expectedSize = Math.max(1, expectedSize);
        this.dir = js.root().resolve("_cluster_");
        this.routedPeers = routedPeers;
        this.settings = settings;
    }

    String self() {
        return self;
    }

    /** The Raft transport's port (the one the OS chose when configured as 0). */
    public int port() {
        return raft == null ? port : raft.port();
    }

    void onMetaChange(BiConsumer<MetaEntry, StreamAssignment> listener) {
        this.onChange = listener;
    }

    /** Where a replica's files of cluster state live (its registry entry). */
    Path registry() {
        return dir.resolve("streams");
    }

    /**
     * Starts the Raft host: reopens the stream groups opened so far (from the registry) and, when
     * this server was already a meta member, the meta group.
     */
    public synchronized void start() {
        try {
            Files.createDirectories(dir);
            Map<String, LogApplier> recovered = new HashMap<>();
            pending.forEach((group, p) -> recovered.put(group, p.log()));
            List<RaftPeerAddress> members = readMetaMembers();
            if (members != null) {
                metaLog = newMetaLog();
                recovered.put(META_GROUP, metaLog);
            }
            raft = RaftHost.start(self, bindHost, port, dir.resolve("raft"), settings, tls, recovered);
            for (Pending p : pending.values()) join(p.log(), p.peers());
            pending.clear();
            if (members != null) joinMeta(members);
            js.log().notice("JetStream cluster: Raft on port %d, meta group of %d server(s)%s", raft.port(), expectedSize,
                    members == null ? " (forming)" : "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start JetStream's Raft host: " + e.getMessage(), e);
        }
        peersChanged();
    }

    /**
     * The route mesh changed. The meta group forms once this server sees at least as many
     * JetStream servers as its routes name and the set has not changed for {@link #SETTLE_MILLIS}:
     * servers that started together and seed each other through one of them (whose routes name
     * only itself) then still pick the same members, all of them.
     */
    public synchronized void peersChanged() {
        if (raft == null || metaLog != null) return;
        Map<String, String> routed = routedPeers.get();
        if (!routed.keySet().equals(lastSeen)) {
            lastSeen = Set.copyOf(routed.keySet());
            lastChange = System.nanoTime();
        }
        if (routed.size() + 1 < expectedSize) return;
        long settledFor = (System.nanoTime() - lastChange) / 1_000_000;
        if (settledFor < SETTLE_MILLIS) {
            js.timers().schedule(this::peersChanged, SETTLE_MILLIS - settledFor + 10, TimeUnit.MILLISECONDS);
            return;
        }
        List<RaftPeerAddress> members = new ArrayList<>();
        members.add(selfAddress);
        routed.forEach((name, addr) -> members.add(new RaftPeerAddress(name, addr)));
        members.sort(Comparator.comparing(RaftPeerAddress::id));
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("meta.json"), JsJson.JSON.writeValueAsBytes(members));
            metaLog = newMetaLog();
            joinMeta(members);
            js.log().notice("JetStream cluster: meta group formed with %s", members.stream().map(RaftPeerAddress::id).toList());
            if (members.size() != expectedSize) {
                js.log().warn("JetStream cluster: the meta group has %d servers where the routes name %d: list every "
                        + "JetStream server in every server's routes, so that all pick the same members", members.size(), expectedSize);
            }
        } catch (IOException e) {
            js.log().error("JetStream cluster: cannot form the meta group: %s", e.getMessage());
            metaLog = null;
        }
    }

    private List<RaftPeerAddress> readMetaMembers() throws IOException {
        Path f = dir.resolve("meta.json");
        if (!Files.isRegularFile(f)) return null;
        return List.of(JsJson.JSON.readValue(f.toFile(), RaftPeerAddress[].class));
    }

    private RaftEntryLog<MetaEntry> newMetaLog() {
        return new RaftEntryLog<>(META_GROUP, self, e -> {
            StreamAssignment prev = meta.apply(e);
            reconciler.execute(() -> {
                try {
                    onChange.accept(e, prev);
                } catch (RuntimeException ex) {
                    js.log().error("JetStream cluster: applying %s of '%s > %s' failed: %s", e.op(), e.stream().account(),
                            e.stream().name(), ex);
                }
            });
            return 1;
        }, MetaEntry.CODEC, null);
    }

    private void joinMeta(List<RaftPeerAddress> members) throws IOException {
        metaMembers = members.stream().map(RaftPeerAddress::id).toList();
        join(metaLog, members);
    }

    private void join(RaftEntryLog<?> log, List<RaftPeerAddress> peers) throws IOException {
        ReplicatedLog r = raft.join(log.group(), peers, log);
        log.attach(r);
    }

    /**
     * The meta group as upstream's {@code /jsz} shows it: cluster name, leader, this server's peer
     * id (a hash of its name, as upstream's), the other members with how current they are, and
     * the group's size.
     */
    Map<String, Object> metaInfo(String clusterName) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (clusterName != null) out.put("name", clusterName);
        RaftEntryLog<MetaEntry> m = metaLog;
        String leader = m == null ? null : m.leader();
        if (leader != null) out.put("leader", leader);
        out.put("peer", io.jnatsd.server.core.NameHash.of(self, 8));
        List<Map<String, Object>> replicas = GroupProgress.others(m == null ? null : m.replicatedLog(), self, true);
        if (!replicas.isEmpty()) out.put("replicas", replicas);
        out.put("cluster_size", metaMembers.isEmpty() ? expectedSize : metaMembers.size());
        return out;
    }

    public boolean isMetaLeader() {
        RaftEntryLog<MetaEntry> m = metaLog;
        return m != null && m.isLeading();
    }

    /** The meta leader's server name, or null. */
    String metaLeader() {
        RaftEntryLog<MetaEntry> m = metaLog;
        return m == null ? null : m.leader();
    }

    /** Commits a meta change (this server leads the meta group) and waits until it is applied here. */
    void proposeMeta(MetaEntry e) throws ApiException {
        RaftEntryLog<MetaEntry> m = metaLog;
        if (m == null) throw ApiException.of("JSClusterNotAvailErr");
        try {
            m.propose(e).get(META_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw ApiException.of("JSClusterNotAvailErr");
        } catch (Exception ex) {
            throw ApiException.of("JSClusterNotAvailErr");
        }
    }

    /**
     * {@code replicas} members for a new stream among the meta members the routes reach now, the
     * least loaded first (ties broken by a hash of the stream's name, so streams spread); null when
     * there are not enough.
     */
    List<RaftPeerAddress> place(int replicas, String stream) {
        Map<String, String> online = new HashMap<>(routedPeers.get());
        online.put(self, selfAddress.hostPort());
        Map<String, Integer> load = meta.load();
        List<String> candidates = new ArrayList<>(metaMembers.stream().filter(online::containsKey).toList());
        if (candidates.size() < replicas) return null;
        candidates.sort(Comparator.<String>comparingInt(n -> load.getOrDefault(n, 0))
                .thenComparingInt(n -> (n + "/" + stream).hashCode()));
        List<RaftPeerAddress> out = new ArrayList<>();
        for (String n : candidates.subList(0, replicas)) out.add(new RaftPeerAddress(n, online.get(n)));
        out.sort(Comparator.comparing(RaftPeerAddress::id));
        return out;
    }

    /**
     * The log of this server's replica of a replicated stream: joined now, or at {@link #start}
     * when the host is not running yet (a replica recovered from disk).
     */
    <E> RaftEntryLog<E> streamLog(StreamAssignment sa, EntryLog.Applier<E> applier, EntryLog.Codec<E> codec,
                                  RaftEntryLog.Durability durability) {
        RaftEntryLog<E> log = new RaftEntryLog<>(sa.group(), self, applier, codec, durability);
        synchronized (this) {
            if (raft == null) {
                pending.put(sa.group(), new Pending(log, sa.peers()));
                return log;
            }
        }
        try {
            join(log, sa.peers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return log;
    }

    /** Leaves a stream's group, deleting this server's copy of its log. */
    void leave(String group) {
        try {
            raft.leave(group, true);
        } catch (IOException e) {
            js.log().warn("JetStream cluster: leaving %s: %s", group, e.getMessage());
        }
    }

    @Override
    public void close() {
        reconciler.shutdown();
        try {
            reconciler.awaitTermination(5, TimeUnit.SECONDS);
            if (raft != null) raft.close();
        } catch (IOException e) {
            js.log().warn("JetStream cluster: closing Raft: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
