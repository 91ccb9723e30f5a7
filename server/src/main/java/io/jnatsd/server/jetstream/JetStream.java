package io.jnatsd.server.jetstream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.store.FileStore;
import io.jnatsd.store.MemoryStore;
import io.jnatsd.store.StorageType;
import io.jnatsd.store.StoreCompression;
import io.jnatsd.store.StoreConfig;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The JetStream service of one server: which accounts have it, their streams (file streams
 * under {@code <store_dir>/jetstream/<account>/streams/<name>}, recovered at start), and the
 * internal client through which the API and acknowledgements travel as ordinary messages.
 */
public final class JetStream implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Go's decoder refuses "5" for a number and "true" for a bool; so do we
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** The options in force; a reload replaces them (accounts' JetStream limits are read from them). */
    private volatile ServerOptions opts;
    private final ServerLog log;
    private final String serverName;
    /** Accounts whose clients reach the JetStream API (every account but the system one). */
    private final java.util.Set<Account> served = ConcurrentHashMap.newKeySet();
    private final Path root;
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> daemon(r, "jetstream-api"));
    private final ExecutorService writers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("jetstream-writer-", 0).factory());
    private final InternalClient internal = new InternalClient("jetstream", ConnectionKind.JETSTREAM, api);
    private final Map<Account, JsAccount> accounts = new ConcurrentHashMap<>();
    private final StreamApi streamApi = new StreamApi(this);
    private final JsLimits.Usage serverUsage = new JsLimits.Usage();
    private final ConsumerApi consumerApi = new ConsumerApi(this);
    /** Consumers' timers (ack wait, request expiry, heartbeats, state flushes, housekeeping). */
    private final ScheduledExecutorService timers = newTimers();
    /** Pull requests, acks and flow control replies: handled on the publisher's thread, no hand-off. */
    private final InternalClient consumerTraffic = new InternalClient("jetstream-consumers", ConnectionKind.JETSTREAM, Runnable::run);

    public JetStream(ServerOptions opts, ServerLog log, String serverName) {
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
        var t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> daemon(r, "jetstream-timers"));
        t.setRemoveOnCancelPolicy(true);
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A size as upstream's start-up summary writes it: {@code 17.66 GB} (powers of 1024). */
    static String friendlyBytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** Enables JetStream for each of {@code enabled}, recovering their streams from disk. */
    public void start(Collection<Account> enabled, Collection<Account> all) {
        log.notice("Starting JetStream");
        log.notice("---------------- JETSTREAM ----------------");
        log.notice("  Max Memory:      %s", friendlyBytes(JsLimits.serverMaxMemory(this)));
        log.notice("  Max Storage:     %s", friendlyBytes(JsLimits.serverMaxStore(this)));
        log.notice("  Store Directory: \"%s\"", root);
        if (domain() != null && !domain().isEmpty()) log.notice("  Domain:          %s", domain());
        if (syncAlways()) log.notice("  Sync:            always (group commit)");
        log.notice("-------------------------------------------");
        for (Account a : enabled) {
            JsAccount ja = new JsAccount(a);
            ja.limits = JsLimits.parse(accountBlock(a.name()));
            accounts.put(a, ja);
        }
        for (Account a : enabled) recover(accounts.get(a)); // every account first: sources may cross accounts
        for (Account a : all) serve(a);
        timers.scheduleWithFixedDelay(this::housekeeping, 100, 100, TimeUnit.MILLISECONDS);
        log.notice("JetStream started with %d account(s)", enabled.size());
    }

    /** The JetStream API, consumer traffic and acks in account {@code a}, once. */
    private void serve(Account a) {
        if (!served.add(a)) return;
        internal.subscribe(a, "$JS.API.>", null, (sub, msg) -> streamApi.handle(a, msg.subject(), msg));
        consumerTraffic.subscribe(a, ConsumerApi.NEXT_PREFIX + ">", null,
                (sub, msg) -> consumerApi.nextRequest(a, msg.subject(), msg));
        consumerTraffic.subscribe(a, AckSubject.PREFIX + ">", null, (sub, msg) -> consumerApi.ack(a, msg));
        consumerTraffic.subscribe(a, "$JS.FC.>", null, (sub, msg) -> consumerApi.flowControl(a, msg));
        String domain = domain();
        if (domain != null && !domain.isEmpty()) {
            String prefix = "$JS." + domain + ".API.";
            internal.subscribe(a, prefix + ">", null, (sub, msg) ->
                    streamApi.handle(a, "$JS.API." + msg.subject().substring(prefix.length()), msg));
            consumerTraffic.subscribe(a, prefix + "CONSUMER.MSG.NEXT.>", null, (sub, msg) -> consumerApi.nextRequest(a,
                    "$JS.API." + msg.subject().substring(prefix.length()), msg));
        }
    }

    /**
     * A reloaded configuration, as upstream's enableJetStreamAccounts on a reload: accounts that
     * enable JetStream get it (their streams recovered), those that had it take their new limits,
     * and new accounts reach the API. Turning an account's JetStream off takes a restart.
     */
    public void reload(ServerOptions fresh, Collection<Account> enabled, Collection<Account> all) {
        this.opts = fresh;
        for (Account a : enabled) {
            JsAccount ja = accounts.get(a);
            if (ja != null) {
                ja.limits = JsLimits.parse(accountBlock(a.name()));
                continue;
            }
            ja = new JsAccount(a);
            ja.limits = JsLimits.parse(accountBlock(a.name()));
            accounts.put(a, ja);
            recover(ja);
        }
        for (Account a : all) serve(a);
    }

    InternalClient internal() {
        return internal;
    }

    /** The account's {@code jetstream} entry in the {@code accounts} block, or null. */
    private Object accountBlock(String account) {
        if (opts.otherBlocks.get("accounts") instanceof Map<?, ?> all && all.get(account) instanceof Map<?, ?> acc) {
            return acc.get("jetstream");
        }
        return null;
    }

    /** The server's name (its id unless configured), as advisories name it. */
    String serverName() {
        return serverName;
    }

    ServerOptions options() {
        return opts;
    }

    Path root() {
        return root;
    }

    long maxPending() {
        return opts.maxPending;
    }

    JsLimits.Usage serverUsage() {
        return serverUsage;
    }

    List<JsAccount> jsAccounts() {
        return List.copyOf(accounts.values());
    }

    ServerLog log() {
        return log;
    }

    String domain() {
        return opts.jetstreamDomain;
    }

    boolean syncAlways() {
        return opts.syncAlways;
    }

    long syncIntervalNanos() {
        return opts.syncInterval == null ? 0 : opts.syncInterval.toNanos();
    }

    ExecutorService writers() {
        return writers;
    }

    ExecutorService apiExecutor() {
        return api;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    ConsumerApi consumerApi() {
        return consumerApi;
    }

    boolean hasConsumers(Stream stream) {
        return stream.consumers().size() > 0;
    }

    /**
     * An account's interest changed (the server's interest events, as the cluster hears them): a
     * subject's last plain subscription going away may leave a push consumer without a
     * subscriber, which starts its inactivity timer now instead of at the next housekeeping pass.
     * Called under the account's interest lock: only hands the look on to the timer thread.
     */
    public void interestChanged(Account account, String subject, String queue, int count) {
        if (count != 0 || queue != null) return;
        JsAccount ja = accounts.get(account);
        if (ja == null) return;
        try {
            timers.execute(() -> {
                for (Stream s : JsLimits.streamsOf(ja)) s.consumers().interestMayHaveGone(subject);
            });
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // nothing to time any more
        }
    }

    /** Deletes inactive ephemeral consumers and notices push interest coming and going. */
    private void housekeeping() {
        try {
            long now = System.nanoTime();
            for (JsAccount ja : accounts.values()) {
                List<Stream> streams;
                synchronized (ja) {
                    streams = List.copyOf(ja.streams.values());
                }
                for (Stream s : streams) s.consumers().tick(now);
            }
        } catch (RuntimeException e) {
            log.warn("JetStream housekeeping: %s", e);
        }
    }

    JsAccount account(Account a) {
        return accounts.get(a);
    }

    static StoreConfig storeConfig(StreamConfig c, boolean syncAlways, long syncIntervalNanos) {
        return StoreConfig.builder(c.name)
                .storage(c.isMemory() ? StorageType.MEMORY : StorageType.FILE)
                .maxMsgs(c.maxMsgs).maxBytes(c.maxBytes).maxAgeNanos(c.maxAge)
                .maxMsgsPerSubject(c.maxMsgsPerSubject).maxMsgSize(c.maxMsgSize)
                .discardNew(c.isDiscardNew()).discardNewPerSubject(c.discardNewPerSubject)
                .firstSeq(c.firstSeq).syncAlways(syncAlways).syncIntervalNanos(syncIntervalNanos)
                .allowMsgTtl(c.allowMsgTtl).compression(StoreCompression.fromConfigName(c.compression))
                .build();
    }

    Path streamDir(Account a, String name) {
        return root.resolve(a.name()).resolve("streams").resolve(name);
    }

    /** Opens the store of a new or recovered stream and starts it. */
    Stream open(JsAccount ja, StreamConfig c, Instant created) {
        return open(ja, c, created, createStore(ja, c));
    }

    /** The (new or existing) store for a stream's config. */
    StreamStore createStore(JsAccount ja, StreamConfig c) {
        StoreConfig sc = storeConfig(c, syncAlways(), syncIntervalNanos());
        return c.isMemory() ? MemoryStore.create(sc) : FileStore.open(streamDir(ja.account, c.name), sc);
    }

    /** Starts a stream on {@code store} (a restore fills it first). */
    Stream open(JsAccount ja, StreamConfig c, Instant created, StreamStore store) {
        if (!c.isMemory()) writeMeta(streamDir(ja.account, c.name), c, created);
        Stream s = new Stream(this, ja.account, c, store, created, writers);
        if (!c.isMemory()) s.consumers().recover();
        s.subscribe();
        StreamSourcing.opened(this, ja, s);
        return s;
    }

    /** The stream's full config beside its store, so it comes back as created. */
    void writeMeta(Path dir, StreamConfig c, Instant created) {
        try {
            Files.createDirectories(dir);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("config", c);
            meta.put("created", created.toString());
            Path tmp = dir.resolve("stream.json.tmp");
            Files.write(tmp, JSON.writeValueAsBytes(meta));
            Files.move(tmp, dir.resolve("stream.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void removeFiles(Stream s) {
        s.consumers().streamDeleted();
        s.store().delete();
        if (!s.config().isMemory()) {
            try {
                Path dir = streamDir(s.account(), s.name());
                Files.deleteIfExists(dir.resolve("stream.json"));
                Files.deleteIfExists(dir.resolve(StreamSourcing.STATE_FILE));
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                log.warn("Could not remove stream directory of '%s': %s", s.name(), e.getMessage());
            }
        }
    }

    private void recover(JsAccount ja) {
        Path streams = root.resolve(ja.account.name()).resolve("streams");
        if (!Files.isDirectory(streams)) return;
        try (var dirs = Files.list(streams)) {
            for (Path dir : dirs.sorted().toList()) {
                Path meta = dir.resolve("stream.json");
                if (!Files.isRegularFile(meta)) continue;
                try {
                    var node = JSON.readTree(meta.toFile());
                    StreamConfig c = JSON.treeToValue(node.get("config"), StreamConfig.class);
                    Instant created = Instant.parse(node.get("created").asText());
                    long start = System.nanoTime();
                    Stream s = open(ja, c, created);
                    synchronized (ja) {
                        ja.streams.put(c.name, s);
                    }
                    var st = s.store().state();
                    log.notice("  Restored %,d messages for stream '%s > %s' in %dms", st.msgs(), ja.account.name(), c.name,
                            (System.nanoTime() - start) / 1_000_000);
                } catch (IOException | RuntimeException e) {
                    log.error("  Error recovering stream in %s: %s", dir, e.getMessage());
                }
            }
        } catch (IOException e) {
            log.error("Error reading stream directory %s: %s", streams, e.getMessage());
        }
    }

    /** Every account with JetStream, for monitoring. */
    public List<Account> enabledAccounts() {
        return List.copyOf(accounts.keySet());
    }

    @Override
    public void close() {
        // Stop taking messages, let the writers finish what was queued (acked or about to be),
        // then close the stores.
        for (JsAccount ja : accounts.values()) {
            synchronized (ja) {
                ja.streams.values().forEach(Stream::close);
            }
        }
        api.shutdown();
        writers.shutdown();
        try {
            writers.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (JsAccount ja : accounts.values()) {
            synchronized (ja) {
                for (Stream s : ja.streams.values()) {
                    try {
                        s.store().close();
                    } catch (Exception e) {
                        log.warn("Closing stream '%s': %s", s.name(), e.getMessage());
                    }
                }
            }
        }
        timers.shutdown();
    }
}
