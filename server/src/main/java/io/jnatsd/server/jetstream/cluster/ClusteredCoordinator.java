package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.consumer.Consumer;
import io.jnatsd.server.jetstream.consumer.ConsumerConfig;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The coordinator of a clustered JetStream server. Stream creates, updates and deletes are
 * committed to the meta group by its leader; every server then carries out what concerns it
 * (opening, reconfiguring or removing its replica) in log order. A stream of one replica runs as
 * on a single server on the server it was placed on; a replicated one is a Raft group whose
 * leader takes the publishes. Consumers run on the stream's leader; a durable consumer's config
 * and state go through the stream's log to its replicas, whose new leader starts it from them.
 */
public final class ClusteredCoordinator implements Coordinator {
    /** A create answered by a leader elected later than this is no longer awaited by its requester. */
    private static final Duration CREATE_ANSWER_WINDOW = Duration.ofSeconds(30);

    private final JsServer js;
    private final JsCluster cluster;
    private final StandaloneCoordinator local;
    private final String clusterName;
    /** This server's replicas, by account and stream name, with the assignment each was opened for. */
    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
    private volatile CreatedResponder responder = (ja, s, reply) -> {};

    private record Replica(StreamAssignment assignment, Stream stream) {}

    public ClusteredCoordinator(JsServer js, JsCluster cluster, String clusterName) {
        this.js = js;
        this.cluster = cluster;
        this.local = new StandaloneCoordinator(js);
        this.clusterName = clusterName;
        cluster.onMetaChange(this::reconcile);
    }

    private static String key(String account, String stream) {
        return account + "\u0000" + stream;
    }

    @Override
    public boolean clustered() {
        return true;
    }

    @Override
    public boolean answers(String account, boolean metaOp, String stream) {
        if (metaOp || stream == null) return cluster.isMetaLeader();
        Replica r = replicas.get(key(account, stream));
        if (r != null) return r.stream().leading();
        return cluster.isMetaLeader() && cluster.meta.stream(account, stream) == null;
    }

    @Override
    public void onStreamCreated(CreatedResponder responder) {
        this.responder = responder;
    }

    @Override
    public List<Known> streams(JsAccount ja) {
        List<Known> out = new ArrayList<>();
        for (StreamAssignment sa : cluster.meta.streams(ja.account.name())) out.add(known(sa));
        return out;
    }

    @Override
    public Known stream(JsAccount ja, String name) {
        StreamAssignment sa = cluster.meta.stream(ja.account.name(), name);
        return sa == null ? null : known(sa);
    }

    private Known known(StreamAssignment sa) {
        Replica r = replicas.get(key(sa.account(), sa.name()));
        return new Known(sa.config(), Instant.parse(sa.created()), r == null ? null : r.stream());
    }

    @Override
    public Map<String, Object> metaCluster() {
        return cluster.metaInfo(clusterName);
    }

    @Override
    public Map<String, Object> clusterInfo(Stream s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (clusterName != null) out.put("name", clusterName);
        if (!(s.log() instanceof RaftEntryLog<?> log)) {
            out.put("leader", cluster.self());
            return out;
        }
        String leader = log.leader();
        if (leader != null) out.put("leader", leader);
        List<Map<String, Object>> others = GroupProgress.others(log.replicatedLog(), leader, false);
        if (!others.isEmpty()) out.put("replicas", others);
        return out;
    }

    // ---- changes, committed by the meta leader ----

    /** What a replicated stream cannot do yet: refused with a clear error rather than half done. */
    private static void checkReplicable(StreamConfig c) throws ApiException {
        if (c.numReplicas <= 1) return;
        String missing = null;
        if (c.isMirror() || (c.sources != null && !c.sources.isEmpty())) missing = "mirrors and sources";
        else if (!"limits".equals(c.retention)) missing = "interest and work queue retention";
        else if (c.allowAtomic) missing = "atomic batch publish";
        else if (c.allowMsgSchedules) missing = "message schedules";
        if (missing != null) {
            throw ApiException.of("JSStreamGeneralErrorF", "err", "replicated streams do not support " + missing + " yet");
        }
    }

    @Override
    public Stream createStream(JsAccount ja, StreamConfig c, String reply) throws ApiException {
        checkReplicable(c);
        var peers = cluster.place(c.numReplicas, c.name);
        if (peers == null) throw ApiException.of("JSClusterNoPeersErrF", "err", "no suitable peers for placement");
        String group = "S-" + ja.account.name() + "-" + c.name + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        StreamAssignment sa = new StreamAssignment(ja.account.name(), c, group, peers, Instant.now().toString(), reply);
        cluster.proposeMeta(new MetaEntry(MetaEntry.Op.ADD_STREAM, sa));
        return null;
    }

    @Override
    public Stream restoreStream(JsAccount ja, StreamConfig c, StoreFiller filler) throws ApiException {
        throw ApiException.of("JSStreamGeneralErrorF", "err", "restore is not supported in a cluster yet");
    }

    @Override
    public void updateStream(JsAccount ja, String name, StreamConfig c) throws ApiException {
        StreamAssignment sa = cluster.meta.stream(ja.account.name(), name);
        if (sa == null) throw ApiException.of("JSStreamNotFoundErr");
        if (c.numReplicas != sa.config().numReplicas) throw ApiException.of("JSStreamReplicasNotUpdatableErr");
        checkReplicable(c);
        cluster.proposeMeta(new MetaEntry(MetaEntry.Op.UPDATE_STREAM, sa.withConfig(c)));
    }

    @Override
    public void deleteStream(JsAccount ja, String name) throws ApiException {
        StreamAssignment sa = cluster.meta.stream(ja.account.name(), name);
        if (sa == null) throw ApiException.of("JSStreamNotFoundErr");
        cluster.proposeMeta(new MetaEntry(MetaEntry.Op.DELETE_STREAM, sa));
    }

    /** A committed meta change, carried out here: on the reconciler thread, in log order. */
    private void reconcile(MetaEntry e, StreamAssignment previous) {
        StreamAssignment sa = e.stream();
        String key = key(sa.account(), sa.name());
        Replica mine = replicas.get(key);
        boolean member = sa.hasPeer(cluster.self());
        if (e.op() == MetaEntry.Op.DELETE_STREAM || !member) {
            if (mine != null) removeReplica(key, mine);
            return;
        }
        if (mine != null && !mine.assignment().group().equals(sa.group())) {
            removeReplica(key, mine); // the stream was deleted and created again while this server was away
            mine = null;
        }
        if (mine == null) {
            openReplica(sa, true);
        } else if (e.op() == MetaEntry.Op.UPDATE_STREAM) {
            mine.stream().update(sa.config());
            writeRegistry(sa);
            replicas.put(key, new Replica(sa, mine.stream()));
        }
    }

    private JsAccount account(String name) {
        for (JsAccount ja : js.jsAccounts()) {
            if (ja.account.name().equals(name)) return ja;
        }
        return null;
    }

    /** Opens this server's replica of {@code sa}; {@code live}: placed just now, so its first leader answers the create. */
    private void openReplica(StreamAssignment sa, boolean live) {
        JsAccount ja = account(sa.account());
        if (ja == null) {
            js.log().warn("JetStream cluster: stream '%s > %s' placed here, but the account has no JetStream", sa.account(), sa.name());
            return;
        }
        StreamConfig c = sa.config();
        writeRegistry(sa);
        StreamStore store = local.createStore(ja, c);
        boolean replicated = sa.peers().size() > 1;
        EntryLog.Factory logs = !replicated ? StandaloneLog.FACTORY : new EntryLog.Factory() {
            @Override
            public <E> EntryLog<E> open(String group, EntryLog.Applier<E> applier, EntryLog.Codec<E> codec) {
                RaftEntryLog.Durability d = c.isMemory() ? null : new StoreDurability(js, store, js.streamDir(ja.account, c.name));
                return cluster.streamLog(sa, applier, codec, d);
            }
        };
        Instant created = Instant.parse(sa.created());
        Stream s = local.open(ja, c, created, store, logs, !replicated);
        synchronized (ja) {
            ja.streams.put(c.name, s);
        }
        replicas.put(key(sa.account(), sa.name()), new Replica(sa, s));
        if (live && sa.reply() != null && Duration.between(created, Instant.now()).compareTo(CREATE_ANSWER_WINDOW) < 0) {
            AtomicBoolean answered = new AtomicBoolean();
            s.log().onLeadership(leads -> {
                if (leads && answered.compareAndSet(false, true)) responder.created(ja, s, sa.reply());
            });
        }
    }

    private void removeReplica(String key, Replica r) {
        replicas.remove(key, r);
        Stream s = r.stream();
        JsAccount ja = account(r.assignment().account());
        if (ja != null) {
            synchronized (ja) {
                if (ja.streams.get(s.name()) == s) ja.streams.remove(s.name());
            }
        }
        s.close();
        if (s.log() instanceof RaftEntryLog<?>) cluster.leave(r.assignment().group());
        local.removeFiles(s);
        try {
            Files.deleteIfExists(registryFile(r.assignment()));
        } catch (IOException e) {
            js.log().warn("JetStream cluster: %s", e.getMessage());
        }
    }

    // ---- the registry: which replicas this server holds, read back before Raft starts ----

    private Path registryFile(StreamAssignment sa) {
        return cluster.registry().resolve(sa.group() + ".json");
    }

    private void writeRegistry(StreamAssignment sa) {
        try {
            Files.createDirectories(cluster.registry());
            Path tmp = cluster.registry().resolve(sa.group() + ".json.tmp");
            Files.write(tmp, JsJson.JSON.writeValueAsBytes(sa));
            Files.move(tmp, registryFile(sa), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reopens the account's replicas listed in the registry; their groups join when the Raft host starts. */
    @Override
    public void recover(JsAccount ja) {
        Path dir = cluster.registry();
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try {
                    StreamAssignment sa = JsJson.JSON.readValue(f.toFile(), StreamAssignment.class);
                    if (!sa.account().equals(ja.account.name())) continue;
                    openReplica(sa, false);
                } catch (IOException | RuntimeException e) {
                    js.log().error("  Error recovering stream from %s: %s", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            js.log().error("Error reading %s: %s", dir, e.getMessage());
        }
    }

    // ---- the leader's own operations ----

    @Override
    public void stepDownStream(JsAccount ja, String stream) throws ApiException {
        Replica r = replicas.get(key(ja.account.name(), stream));
        if (r == null) throw ApiException.of("JSStreamNotFoundErr");
        if (!(r.stream().log() instanceof RaftEntryLog<?> log) || log.replicatedLog() == null) {
            throw ApiException.of("JSClusterNotAvailErr");
        }
        try {
            log.replicatedLog().transferLeadership(null, 5_000);
        } catch (IOException e) {
            throw new ApiException(ApiErrors.of("JSClusterNotAvailErr"));
        }
    }

    @Override
    public Consumer createConsumer(JsAccount ja, Stream s, ConsumerConfig cfg, String action) throws ApiException {
        return local.createConsumer(ja, s, cfg, action);
    }

    @Override
    public void deleteConsumer(Stream s, Consumer c) {
        local.deleteConsumer(s, c);
    }

    @Override
    public void pauseConsumer(Stream s, Consumer c, String pauseUntil) {
        local.pauseConsumer(s, c, pauseUntil);
    }

    /** A consumer of a replicated stream runs on the stream's leader: its stepdown is the stream's. */
    @Override
    public void stepDownConsumer(JsAccount ja, String stream, String consumer) throws ApiException {
        Replica r = replicas.get(key(ja.account.name(), stream));
        if (r == null) throw ApiException.of("JSStreamNotFoundErr");
        if (local.consumer(ja.account, stream, consumer) == null) throw ApiException.of("JSConsumerNotFoundErr");
        stepDownStream(ja, stream);
    }

    @Override
    public Consumer consumer(Account account, String stream, String consumer) {
        return local.consumer(account, stream, consumer);
    }
}
