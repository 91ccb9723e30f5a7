package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.stream.Advisories;
import io.jnatsd.server.jetstream.stream.Consumers;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.server.jetstream.stream.StreamConfigs;
import io.jnatsd.server.jetstream.stream.StreamEntry;

import com.fasterxml.jackson.databind.JsonNode;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.store.ConsumerStateCodec;
import io.jnatsd.store.ConsumerStore;
import io.jnatsd.store.RemovalListener;
import io.jnatsd.store.RemovalReason;
import io.jnatsd.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The consumers of one stream: creation with upstream's checks, lookup, deletion, their
 * configs beside the stream ({@code obs/<name>/consumer.json}, next to the store's {@code o.dat}),
 * and the stream's side of consumption: new messages wake consumers, removals and purges reach
 * them, and with interest or workqueue retention an acknowledged message leaves the stream once
 * no consumer needs it.
 */
public final class StreamConsumers implements Consumers, RemovalListener {
    private static final String CONFIG_FILE = "consumer.json";

    private final JsServer js;
    private final Stream stream;
    private final Map<String, Consumer> byName = new TreeMap<>();
    /** Copy-on-write view for the publish path. */
    private volatile Consumer[] all = new Consumer[0];
    private boolean listening;

    private final ConsumerIndex index;
    private final EntryLog.Factory logs;

    public StreamConsumers(JsServer js, Stream stream, ConsumerIndex index, EntryLog.Factory logs) {
        this.js = js;
        this.stream = stream;
        this.index = index;
        this.logs = logs;
    }

    /** Opens each consumer's log. */
    EntryLog.Factory logs() {
        return logs;
    }

    /** The consumers of {@code s}, which the coordinator gave it. */
    public static StreamConsumers of(Stream s) {
        return (StreamConsumers) s.consumers();
    }

    ConsumerIndex index() {
        return index;
    }

    public int size() {
        return all.length;
    }

    public synchronized Consumer get(String name) {
        return byName.get(name);
    }

    /** The consumers sorted by name. */
    public synchronized List<Consumer> list() {
        return new ArrayList<>(byName.values());
    }

    // ---- the stream's side ----

    /** Whether a message on {@code subject} interests any consumer (interest retention). */
    public boolean interested(String subject) {
        for (Consumer c : all) if (c.matchesSubject(subject)) return true;
        return false;
    }

    /**
     * Consumers that want what the stream's writer has just stored; the writer delivers to them
     * itself ({@link #deliverStored}) before it sends the publishers' acks. Touched only by the
     * one writer of the stream at a time.
     */
    private final java.util.Set<Consumer> woken = new java.util.LinkedHashSet<>();

    /** A message was stored: consumers that want it are noted for {@link #deliverStored}. */
    public void stored(long seq, String subject) {
        for (Consumer c : all) if (c.stored(seq, subject)) woken.add(c);
    }

    /**
     * Delivers what was stored since the last call to the consumers that want it, into the
     * writer's flush batch, so that a push delivery leaves with (and before) the publisher's ack
     * rather than after a thread hand-off, as upstream's consumers are signalled on append.
     */
    public void deliverStored(io.jnatsd.server.core.FlushBatch batch) {
        if (woken.isEmpty()) return;
        for (Consumer c : woken) c.deliverStored(batch);
        woken.clear();
    }

    @Override
    public void messageRemoved(long seq, String subject, RemovalReason reason) {
        for (Consumer c : all) c.removed(seq, subject);
    }

    @Override
    public void messagesPurged(long count, long bytes, long firstSeq) {
        for (Consumer c : all) c.purged(firstSeq);
    }

    /**
     * {@code consumer} acknowledged {@code seq} (or delivered it with ack none): with workqueue
     * retention the message goes; with interest retention it goes once no other consumer needs it.
     */
    void acknowledged(Consumer consumer, long seq) {
        String retention = stream.config().retention;
        if ("limits".equals(retention)) return;
        var store = stream.store();
        if (seq < store.state().firstSeq()) return;
        if ("workqueue".equals(retention) || !othersNeed(seq, consumer)) store.remove(seq);
    }

    private boolean othersNeed(long seq, Consumer except) {
        Consumer[] cs = all;
        if (cs.length == 0 || cs.length == 1 && cs[0] == except) return false;
        String subject = null;
        if (potentiallyFiltered()) {
            StoredMessage m = stream.store().load(seq);
            if (m == null) return false;
            subject = m.subject();
        }
        for (Consumer c : cs) if (c != except && c.needsAck(seq, subject)) return true;
        return false;
    }

    private boolean potentiallyFiltered() {
        List<String> subjects = stream.config().subjects;
        return subjects.size() > 1 || !Subjects.isLiteral(subjects.get(0));
    }

    // ---- create, update, delete ----

    /**
     * upstream's addConsumer: creates the consumer or updates the existing one of that name.
     * {@code action} is "" (create or update), "create" or "update".
     */
    public synchronized Consumer createOrUpdate(ConsumerConfig cfg, String action, List<String> filterable, boolean recovering,
                                         Instant createdAt) throws ApiException {
        ConsumerConfigs.applyDefaults(cfg);
        StreamConfig sc = stream.config();
        ApiError invalid = ConsumerConfigs.check(cfg, sc, recovering ? null : filterable);
        if (invalid != null) throw new ApiException(invalid);
        String name = cfg.isDurable() ? cfg.durableName : (cfg.name == null || cfg.name.isEmpty() ? null : cfg.name);
        if (name != null) {
            Consumer existing = byName.get(name);
            if (existing != null) {
                ConsumerConfig cur = existing.config();
                cfg.pauseUntil = cur.pauseUntil; // as upstream: only the PAUSE request changes it
                if (!cfg.isDurable() && cur.inactiveThreshold > 0 && cfg.inactiveThreshold == 0) {
                    cfg.inactiveThreshold = cur.inactiveThreshold; // the ephemeral default stays
                }
                if (sameConfig(cur, cfg)) return existing;
                if ("create".equals(action)) throw ApiException.of("JSConsumerAlreadyExists");
                String reason = ConsumerConfigs.checkUpdate(cur, cfg, cur.isPush()
                        && !stream.account().subscriptions().match(cur.deliverSubject).isEmpty());
                if (reason != null) throw ApiException.of("JSConsumerCreateErrF", "err", reason);
                boolean refiltered = !cur.filters().equals(cfg.filters());
                if (refiltered && "workqueue".equals(sc.retention) && !partitionUnique(existing, cfg.filters())) {
                    throw ApiException.of("JSConsumerWQConsumerNotUniqueErr");
                }
                existing.update(cfg);
                writeConfig(existing);
                // as upstream: messages only the old filters wanted are no longer anyone's
                if (refiltered && "interest".equals(sc.retention)) removeUninteresting(null, existing.ackFloorStreamSeq());
                return existing;
            }
        }
        if ("update".equals(action)) throw ApiException.of("JSConsumerDoesNotExist");
        if (sc.maxConsumers > 0 && byName.size() >= sc.maxConsumers) throw ApiException.of("JSMaximumConsumersLimitErr");
        if ("workqueue".equals(sc.retention) && !cfg.direct) checkWorkQueue(cfg);
        if (name == null) {
            do {
                name = Advisories.random(8);
            } while (byName.containsKey(name));
            cfg.name = name;
        } else if (cfg.isDurable() && name.length() > ConsumerConfigs.MAX_NAME_LENGTH) {
            throw ApiException.of("JSConsumerNameTooLongErrF", "max", ConsumerConfigs.MAX_NAME_LENGTH);
        }
        if (!StreamConfigs.isValidName(name)) throw ApiException.of("JSConsumerBadDurableNameErr");
        if (!cfg.isDurable() && cfg.inactiveThreshold <= 0) {
            cfg.inactiveThreshold = ConsumerConfigs.DEFAULT_INACTIVE_THRESHOLD_NANOS;
        }
        ConsumerStore store = null;
        if (!cfg.direct && !(cfg.memStorage && !stream.config().isMemory())) {
            try {
                store = stream.store().consumerStore(name);
            } catch (RuntimeException e) {
                throw ApiException.of("JSConsumerStoreFailedErrF", "err", String.valueOf(e.getMessage()));
            }
        }
        Consumer c = new Consumer(js, stream, this, name, cfg, createdAt == null ? Instant.now() : createdAt, store);
        if (!listening) {
            stream.store().registerRemovalListener(this);
            listening = true;
        }
        byName.put(name, c);
        all = byName.values().toArray(new Consumer[0]);
        writeConfig(c);
        c.start(recovering);
        if (!recovering) Advisories.consumerAction(js, stream.account(), stream.name(), name, "create");
        return c;
    }

    /** CONSUMER.PAUSE: sets or clears (null) pause_until, which is kept with the config. */
    public synchronized void pause(Consumer c, String pauseUntil) {
        ConsumerConfig next = c.config().copy();
        next.pauseUntil = pauseUntil;
        c.update(next);
        writeConfig(c);
    }

    private void checkWorkQueue(ConsumerConfig cfg) throws ApiException {
        if (!"explicit".equals(cfg.ackPolicy)) throw ApiException.of("JSConsumerWQRequiresExplicitAckErr");
        if (!byName.isEmpty()) {
            List<String> filters = cfg.filters();
            if (filters.isEmpty()) throw ApiException.of("JSConsumerWQMultipleUnfilteredErr");
            if (!partitionUnique(null, filters)) throw ApiException.of("JSConsumerWQConsumerNotUniqueErr");
        }
        if (!"all".equals(cfg.deliverPolicy)) throw ApiException.of("JSConsumerWQConsumerNotDeliverAllErr");
    }

    /** upstream's partitionUnique: no other (non-direct) consumer takes any subject these filters take. */
    private boolean partitionUnique(Consumer self, List<String> filters) {
        for (String a : filters) {
            for (Consumer other : byName.values()) {
                if (other == self || other.config().direct) continue;
                List<String> theirs = other.config().filters();
                if (theirs.isEmpty()) return false;
                for (String b : theirs) if (Subjects.subjectsCollide(a, b)) return false;
            }
        }
        return true;
    }

    private static boolean sameConfig(ConsumerConfig a, ConsumerConfig b) {
        try {
            return JsJson.JSON.writeValueAsString(a).equals(JsJson.JSON.writeValueAsString(b));
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a consumer: its waiting requests are released, its state and config removed. */
    public void delete(Consumer c, boolean advisory) {
        synchronized (this) {
            if (byName.get(c.name()) != c) return;
            byName.remove(c.name());
            all = byName.values().toArray(new Consumer[0]);
        }
        long floor = c.ackFloorStreamSeq();
        c.stop(true);
        if (c.store() != null) {
            try {
                stream.store().deleteConsumerStore(c.name());
            } catch (RuntimeException e) {
                js.log().warn("Could not remove consumer '%s > %s': %s", stream.name(), c.name(), e.getMessage());
            }
        }
        deleteConfigDir(c.name());
        if (c.config().isDurable()) stream.replicateConsumer(StreamEntry.Kind.CONSUMER_DELETE, c.name(), null);
        if ("interest".equals(stream.config().retention)) removeUninteresting(c, floor);
        if (advisory) Advisories.consumerAction(js, stream.account(), stream.name(), c.name(), "delete");
    }

    /** After an interest consumer went (or, {@code gone} null, one changed its filters): messages nobody else needs go too. */
    private void removeUninteresting(Consumer gone, long floor) {
        var store = stream.store();
        var st = store.state();
        long seq = Math.max(floor, st.firstSeq());
        long last = st.lastSeq();
        while (seq <= last) {
            StoredMessage m = store.loadNext(null, seq);
            if (m == null || m.seq() > last) break;
            if (!othersNeed(m.seq(), gone)) store.remove(m.seq());
            seq = m.seq() + 1;
        }
    }

    /** Periodic housekeeping: deletes consumers past their inactivity threshold. */
    public void tick(long now) {
        for (Consumer c : all) tick(c, now);
    }

    public void tick(Consumer c, long now) {
        // deleted on the API thread, in order with creates and deletes from clients
        if (c.tick(now)) js.apiExecutor().execute(() -> delete(c, true));
    }

    /** A subscription on {@code subject} was the last of its kind in the account. */
    public void interestMayHaveGone(String subject) {
        for (Consumer c : all) c.interestMayHaveGone(subject);
    }

    /** The server shuts down: consumers stop and write their state. */
    public void close() {
        for (Consumer c : all) c.stop(false);
    }

    /** The stream is being deleted: consumers release their requests (the store goes with the stream). */
    public void streamDeleted() {
        Consumer[] cs;
        synchronized (this) {
            cs = all;
            byName.clear();
            all = new Consumer[0];
        }
        for (Consumer c : cs) c.stop(true);
    }

    // ---- configs on disk ----

    private Path obsDir() {
        return js.streamDir(stream.account(), stream.name()).resolve("obs");
    }

    private boolean persistent(Consumer c) {
        return !stream.config().isMemory() && c.store() != null;
    }

    private void writeConfig(Consumer c) {
        if (!persistent(c)) return;
        try {
            Path dir = obsDir().resolve(c.name());
            Files.createDirectories(dir);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("config", c.config());
            meta.put("created", c.created().toString());
            Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
            byte[] bytes = JsJson.JSON.writeValueAsBytes(meta);
            writeConfigFile(c.name(), bytes);
            if (c.config().isDurable()) stream.replicateConsumer(StreamEntry.Kind.CONSUMER_CONFIG, c.name(), bytes);
        } catch (IOException e) {
            js.log().warn("Could not write the config of consumer '%s > %s': %s", stream.name(), c.name(), e.getMessage());
        }
    }

    private void writeConfigFile(String name, byte[] bytes) throws IOException {
        Path dir = obsDir().resolve(name);
        Files.createDirectories(dir);
        Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, dir.resolve(CONFIG_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- a replicated stream: consumers run on its leader, the replicas keep their copies ----

    @Override
    public void leadershipLost() {
        Consumer[] cs;
        synchronized (this) {
            cs = all;
            byName.clear();
            all = new Consumer[0];
        }
        for (Consumer c : cs) c.stop(false);
    }

    @Override
    public void leadershipGained() {
        recover();
    }

    @Override
    public void replicated(StreamEntry.Kind kind, String name, byte[] body) {
        if (stream.config().isMemory()) return; // nothing on disk to keep: a memory stream's consumers start anew
        try {
            switch (kind) {
                // the stream's store keeps the consumer stores it opened (and closes them with itself)
                case CONSUMER_CONFIG -> {
                    writeConfigFile(name, body);
                    stream.store().consumerStore(name);
                }
                case CONSUMER_STATE -> stream.store().consumerStore(name)
                        .update(ConsumerStateCodec.decode(body, "replicated state of " + name));
                case CONSUMER_DELETE -> {
                    stream.store().deleteConsumerStore(name);
                    deleteConfigDir(name);
                }
                default -> throw new IllegalArgumentException(kind.toString());
            }
        } catch (IOException | RuntimeException e) {
            js.log().warn("JetStream could not apply %s of consumer '%s > %s': %s", kind, stream.name(), name, e.getMessage());
        }
    }

    private void deleteConfigDir(String name) {
        if (stream.config().isMemory()) return;
        Path dir = obsDir().resolve(name);
        try {
            Files.deleteIfExists(dir.resolve(CONFIG_FILE));
            Files.deleteIfExists(dir.resolve(CONFIG_FILE + ".tmp"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // the store may have removed it already, or left files we do not own
        }
    }

    /** Brings back the consumers of a recovered file stream, with their state. */
    public void recover() {
        Path obs = obsDir();
        if (!Files.isDirectory(obs)) return;
        try (var dirs = Files.list(obs)) {
            for (Path dir : dirs.sorted().toList()) {
                Path meta = dir.resolve(CONFIG_FILE);
                if (!Files.isRegularFile(meta)) continue;
                try {
                    JsonNode node = JsJson.JSON.readTree(meta.toFile());
                    ConsumerConfig cfg = JsJson.JSON.treeToValue(node.get("config"), ConsumerConfig.class);
                    Instant created = Instant.parse(node.get("created").asText());
                    createOrUpdate(cfg, "", null, true, created).signal();
                } catch (IOException | RuntimeException | ApiException e) {
                    js.log().error("  Error recovering consumer in %s: %s", dir, e.getMessage());
                }
            }
        } catch (IOException e) {
            js.log().error("Error reading consumer directory %s: %s", obs, e.getMessage());
        }
    }
}
