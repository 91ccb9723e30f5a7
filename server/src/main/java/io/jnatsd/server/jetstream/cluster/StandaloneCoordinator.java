package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.consumer.Consumer;
import io.jnatsd.server.jetstream.consumer.ConsumerConfig;
import io.jnatsd.server.jetstream.consumer.ConsumerIndex;
import io.jnatsd.server.jetstream.consumer.StreamConsumers;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.server.jetstream.stream.StreamSourcing;

import io.jnatsd.server.core.Account;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.store.FileStore;
import io.jnatsd.store.MemoryStore;
import io.jnatsd.store.StoreConfig;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The coordinator of a server that is not clustered (or of R1 assets): every change happens
 * here and now, streams under {@code <store_dir>/jetstream/<account>/streams/<name>}.
 */
public final class StandaloneCoordinator implements Coordinator {
    private final JsServer js;
    private final ConsumerIndex index = new ConsumerIndex();
    private final EntryLog.Factory logs;

    public StandaloneCoordinator(JsServer js) {
        this(js, StandaloneLog.FACTORY);
    }

    /** With {@code logs} for the streams' and consumers' entries (a test records them). */
    public StandaloneCoordinator(JsServer js, EntryLog.Factory logs) {
        this.js = js;
        this.logs = logs;
    }

    @Override
    public List<Known> streams(JsAccount ja) {
        synchronized (ja) {
            return ja.streams.values().stream().map(s -> new Known(s.config(), s.created(), s)).toList();
        }
    }

    @Override
    public Known stream(JsAccount ja, String name) {
        Stream s = ja.stream(name);
        return s == null ? null : new Known(s.config(), s.created(), s);
    }

    @Override
    public Stream createStream(JsAccount ja, StreamConfig c, String reply) {
        Stream s = open(ja, c, Instant.now(), createStore(ja, c));
        ja.streams.put(c.name, s);
        return s;
    }

    @Override
    public Stream restoreStream(JsAccount ja, StreamConfig c, StoreFiller filler) throws IOException, ApiException {
        StreamStore store = createStore(ja, c);
        boolean opened = false;
        try {
            filler.fill(store);
            synchronized (ja) {
                if (ja.streams.containsKey(c.name)) throw ApiException.of("JSStreamNameExistRestoreFailedErr");
                Stream s = open(ja, c, Instant.now(), store);
                ja.streams.put(c.name, s);
                opened = true;
                return s;
            }
        } finally {
            if (!opened) store.delete();
        }
    }

    @Override
    public void updateStream(JsAccount ja, String name, StreamConfig c) throws ApiException {
        Stream s = ja.streams.get(name);
        if (s == null) throw ApiException.of("JSStreamNotFoundErr");
        s.update(c);
        StreamSourcing.reconfigured(js, ja, s);
        if (!c.isMemory()) js.writeMeta(js.streamDir(ja.account, c.name), c, s.created());
    }

    @Override
    public void deleteStream(JsAccount ja, String name) throws ApiException {
        Stream s;
        synchronized (ja) {
            s = ja.streams.remove(name);
        }
        if (s == null) throw ApiException.of("JSStreamNotFoundErr");
        s.close();
        removeFiles(s);
    }

    /** As upstream's non-clustered server answers: there is no leader to step down. */
    @Override
    public void stepDownStream(JsAccount ja, String stream) throws ApiException {
        throw ApiException.of("JSClusterRequiredErr");
    }

    @Override
    public Consumer createConsumer(JsAccount ja, Stream s, ConsumerConfig cfg, String action) throws ApiException {
        return StreamConsumers.of(s).createOrUpdate(cfg, action, ja.filterableSubjects(s.config()), false, null);
    }

    @Override
    public void deleteConsumer(Stream s, Consumer c) {
        StreamConsumers.of(s).delete(c, true);
    }

    @Override
    public void pauseConsumer(Stream s, Consumer c, String pauseUntil) {
        StreamConsumers.of(s).pause(c, pauseUntil);
    }

    @Override
    public void stepDownConsumer(JsAccount ja, String stream, String consumer) throws ApiException {
        throw ApiException.of("JSClusterRequiredErr");
    }

    @Override
    public Consumer consumer(Account account, String streamName, String consumerName) {
        String key = ConsumerIndex.key(account, streamName, consumerName);
        Consumer c = index.get(key);
        if (c != null) return c;
        JsAccount ja = js.account(account);
        if (ja == null) return null;
        Stream s = ja.stream(streamName);
        c = s == null ? null : StreamConsumers.of(s).get(consumerName);
        index.put(key, c);
        return c;
    }

    @Override
    public void recover(JsAccount ja) {
        Path streams = js.root().resolve(ja.account.name()).resolve("streams");
        if (!Files.isDirectory(streams)) return;
        try (var dirs = Files.list(streams)) {
            for (Path dir : dirs.sorted().toList()) {
                Path meta = dir.resolve("stream.json");
                if (!Files.isRegularFile(meta)) continue;
                try {
                    var node = JsJson.JSON.readTree(meta.toFile());
                    StreamConfig c = JsJson.JSON.treeToValue(node.get("config"), StreamConfig.class);
                    Instant created = Instant.parse(node.get("created").asText());
                    long start = System.nanoTime();
                    Stream s = open(ja, c, created, createStore(ja, c));
                    synchronized (ja) {
                        ja.streams.put(c.name, s);
                    }
                    var st = s.store().state();
                    js.log().notice("  Restored %,d messages for stream '%s > %s' in %dms", st.msgs(), ja.account.name(), c.name,
                            (System.nanoTime() - start) / 1_000_000);
                } catch (IOException | RuntimeException e) {
                    js.log().error("  Error recovering stream in %s: %s", dir, e.getMessage());
                }
            }
        } catch (IOException e) {
            js.log().error("Error reading stream directory %s: %s", streams, e.getMessage());
        }
    }

    /** The (new or existing) store for a stream's config. */
    StreamStore createStore(JsAccount ja, StreamConfig c) {
        StoreConfig sc = js.storeConfig(c);
        return c.isMemory() ? MemoryStore.create(sc) : FileStore.open(js.streamDir(ja.account, c.name), sc);
    }

    /** Starts a stream on {@code store}, its consumers recovered with it. */
    private Stream open(JsAccount ja, StreamConfig c, Instant created, StreamStore store) {
        return open(ja, c, created, store, logs, true);
    }

    /**
     * Starts a stream on {@code store} whose entries go to a log from {@code streamLogs} (its
     * consumers' to this coordinator's logs), recovering its consumers when {@code withConsumers}.
     */
    Stream open(JsAccount ja, StreamConfig c, Instant created, StreamStore store, EntryLog.Factory streamLogs,
                boolean withConsumers) {
        if (!c.isMemory()) js.writeMeta(js.streamDir(ja.account, c.name), c, created);
        Stream s = new Stream(js, ja.account, c, store, created, streamLogs, stream -> new StreamConsumers(js, stream, index, logs));
        if (!c.isMemory() && withConsumers) StreamConsumers.of(s).recover();
        s.subscribe();
        StreamSourcing.opened(js, ja, s);
        return s;
    }

    void removeFiles(Stream s) {
        StreamConsumers.of(s).streamDeleted();
        s.store().delete();
        if (!s.config().isMemory()) {
            try {
                Path dir = js.streamDir(s.account(), s.name());
                Files.deleteIfExists(dir.resolve("stream.json"));
                Files.deleteIfExists(dir.resolve(StreamSourcing.STATE_FILE));
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                js.log().warn("Could not remove stream directory of '%s': %s", s.name(), e.getMessage());
            }
        }
    }
}
