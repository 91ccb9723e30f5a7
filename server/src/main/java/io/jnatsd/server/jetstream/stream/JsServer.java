package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.JsJson;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.store.StorageType;
import io.jnatsd.store.StoreCompression;
import io.jnatsd.store.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * What every stream and consumer of one server shares (upstream's jetStream struct): the options
 * in force, the executors, the internal client through which acks and advisories travel, and the
 * accounts that have JetStream with the server-wide usage counted for the limits.
 */
public final class JsServer {
    /** The options in force; a reload replaces them (accounts' JetStream limits are read from them). */
    private volatile ServerOptions opts;
    private final ServerLog log;
    private final String serverName;
    private final Path root;
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> daemon(r, "jetstream-api"));
    private final ExecutorService writers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("jetstream-writer-", 0).factory());
    private final InternalClient internal = new InternalClient("jetstream", ConnectionKind.JETSTREAM, api);
    private final Map<Account, JsAccount> accounts = new ConcurrentHashMap<>();
    private final JsLimits.Usage serverUsage = new JsLimits.Usage();
    /** Atomic batches open on this server, against {@code limits.batch.max_inflight_total}. */
    private final java.util.concurrent.atomic.AtomicInteger atomicBatchesOpen = new java.util.concurrent.atomic.AtomicInteger();
    /** Consumers' timers (ack wait, request expiry, heartbeats, state flushes, housekeeping). */
    private final ScheduledExecutorService timers = newTimers();

    public JsServer(ServerOptions opts, ServerLog log, String serverName) {
        this.opts = opts;
        this.log = log;
        this.serverName = serverName;
        String dir = opts.storeDir;
        if (dir == null || dir.isEmpty()) {
            dir = Path.of(System.getProperty("java.io.tmpdir"), "nats", "jetstream").toString();
            log.warn("Temporary storage directory used, data could be lost on system reboot");
        }
        this.root = Path.of(dir).toAbsolutePath().resolve("jetstream"); // upstream's layout under store_dir
    }

    /** One thread; cancelled timers leave its queue at once, and none outlives the server. */
    private static ScheduledExecutorService newTimers() {
        var t = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "jetstream-timers"));
        t.setRemoveOnCancelPolicy(true);
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    java.util.concurrent.atomic.AtomicInteger atomicBatchesOpen() {
        return atomicBatchesOpen;
    }

    public InternalClient internal() {
        return internal;
    }

    /** The server's name (its id unless configured), as advisories name it. */
    public String serverName() {
        return serverName;
    }

    public ServerOptions options() {
        return opts;
    }

    public void setOptions(ServerOptions fresh) {
        this.opts = fresh;
    }

    public Path root() {
        return root;
    }

    public long maxPending() {
        return opts.maxPending;
    }

    public JsLimits.Usage serverUsage() {
        return serverUsage;
    }

    public List<JsAccount> jsAccounts() {
        return List.copyOf(accounts.values());
    }

    /** The account's JetStream state, or null when it has none. */
    public JsAccount account(Account a) {
        return accounts.get(a);
    }

    public void addAccount(JsAccount ja) {
        accounts.put(ja.account, ja);
    }

    public List<Account> enabledAccounts() {
        return List.copyOf(accounts.keySet());
    }

    public ServerLog log() {
        return log;
    }

    public String domain() {
        return opts.jetstreamDomain;
    }

    public boolean syncAlways() {
        return opts.syncAlways;
    }

    public long syncIntervalNanos() {
        return opts.syncInterval == null ? 0 : opts.syncInterval.toNanos();
    }

    public ExecutorService writers() {
        return writers;
    }

    /** The JetStream API thread: stream and consumer creates, updates and deletes run here, in order. */
    public ExecutorService apiExecutor() {
        return api;
    }

    public ScheduledExecutorService timers() {
        return timers;
    }

    public StoreConfig storeConfig(StreamConfig c) {
        return storeConfig(c, syncAlways(), syncIntervalNanos());
    }

    public static StoreConfig storeConfig(StreamConfig c, boolean syncAlways, long syncIntervalNanos) {
        return StoreConfig.builder(c.name)
                .storage(c.isMemory() ? StorageType.MEMORY : StorageType.FILE)
                .maxMsgs(c.maxMsgs).maxBytes(c.maxBytes).maxAgeNanos(c.maxAge)
                .maxMsgsPerSubject(c.maxMsgsPerSubject).maxMsgSize(c.maxMsgSize)
                .discardNew(c.isDiscardNew()).discardNewPerSubject(c.discardNewPerSubject)
                .firstSeq(c.firstSeq).syncAlways(syncAlways).syncIntervalNanos(syncIntervalNanos)
                .allowMsgTtl(c.allowMsgTtl).compression(StoreCompression.fromConfigName(c.compression))
                .subjectDeleteMarkers(c.subjectDeleteMarkerTtl > 0)
                .build();
    }

    public Path streamDir(Account a, String name) {
        return root.resolve(a.name()).resolve("streams").resolve(name);
    }

    /** The stream's full config beside its store, so it comes back as created. */
    public void writeMeta(Path dir, StreamConfig c, Instant created) {
        try {
            Files.createDirectories(dir);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("config", c);
            meta.put("created", created.toString());
            Path tmp = dir.resolve("stream.json.tmp");
            Files.write(tmp, JsJson.JSON.writeValueAsBytes(meta));
            Files.move(tmp, dir.resolve("stream.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the executors: the writers finish what was queued (acked or about to be) first. */
    public void shutdownExecutors() {
        api.shutdown();
        writers.shutdown();
        try {
            writers.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void shutdownTimers() {
        timers.shutdown();
    }
}
