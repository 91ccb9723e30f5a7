package io.jnatsd.server.jetstream;

import io.jnatsd.server.jetstream.api.ConsumerApi;
import io.jnatsd.server.jetstream.api.DomainMapping;
import io.jnatsd.server.jetstream.api.StreamApi;
import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.jetstream.cluster.ClusteredCoordinator;
import io.jnatsd.server.jetstream.cluster.Coordinator;
import io.jnatsd.server.jetstream.cluster.JsCluster;
import io.jnatsd.raft.RaftSettings;
import io.jnatsd.raft.RaftTls;
import io.jnatsd.server.net.PeerTls;
import io.jnatsd.server.jetstream.cluster.StandaloneCoordinator;
import io.jnatsd.server.jetstream.common.AckSubject;
import io.jnatsd.server.jetstream.consumer.StreamConsumers;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.JsLimits;
import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.server.jetstream.stream.Stream;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.log.ServerLog;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The JetStream service of one server: which accounts have it, their streams (recovered at
 * start through the coordinator), and the internal clients through which the API, pull
 * requests and acknowledgements travel as ordinary messages.
 */
public final class JetStream implements AutoCloseable {
    private final JsServer js;
    private final Coordinator coordinator;
    private final ConsumerApi consumerApi;
    private final StreamApi streamApi;
    /** Accounts whose clients reach the JetStream API (every account but the system one). */
    private final Set<Account> served = ConcurrentHashMap.newKeySet();
    /** Pull requests, acks and flow control replies: handled on the publisher's thread, no hand-off. */
    private final InternalClient consumerTraffic = new InternalClient("jetstream-consumers", ConnectionKind.JETSTREAM, Runnable::run);

    /** Clustered JetStream's Raft side; null on a server without a cluster. */
    private final JsCluster jsCluster;
    /** The routes, once the server has built them: where the meta group finds the other JetStream servers. */
    private volatile Cluster cluster;

    public JetStream(ServerOptions opts, ServerLog log, String serverName) {
        this.js = new JsServer(opts, log, serverName);
        if (opts.cluster.enabled()) {
            this.jsCluster = new JsCluster(js, raftBindHost(opts), raftAdvertisedHost(opts), raftPort(opts), raftTls(opts),
                    Cluster.configuredServers(opts.cluster), this::routedJetStreamPeers, RaftSettings.DEFAULT.syncing(opts.syncAlways));
            this.coordinator = new ClusteredCoordinator(js, jsCluster, opts.cluster.name);
        } else {
            this.jsCluster = null;
            this.coordinator = new StandaloneCoordinator(js);
        }
        this.consumerApi = new ConsumerApi(js, coordinator);
        this.streamApi = new StreamApi(js, coordinator, consumerApi);
    }

    /** {@code jetstream.raft_port}, else the cluster port + 1 (0, any port, when the cluster port is chosen by the OS). */
    private static int raftPort(ServerOptions opts) {
        if (opts.jetstreamRaftPort != 0) return opts.jetstreamRaftPort;
        return opts.cluster.port > 0 ? opts.cluster.port + 1 : 0;
    }

    /** The cluster block's TLS, mutual, for the Raft transport too; null without (then the Raft port is open). */
    private static RaftTls raftTls(ServerOptions opts) {
        if (opts.cluster.tls == null) return null;
        PeerTls.Managers m = PeerTls.managers(opts.cluster.tls);
        return new RaftTls(m.keys(), m.trust());
    }

    private static String raftBindHost(ServerOptions opts) {
        String h = opts.cluster.host;
        return h == null || h.isEmpty() ? "0.0.0.0" : h;
    }

    /**
     * How this server names its own Raft address in the groups it forms: the cluster's listen host
     * when it is one address; on every interface, loopback (peers use the address their route
     * reached this server on, so this only matters for this server's own view).
     */
    private static String raftAdvertisedHost(ServerOptions opts) {
        String h = raftBindHost(opts);
        return h.equals("0.0.0.0") || h.equals("::") ? "127.0.0.1" : h;
    }

    /** The server's routes: from now on the meta group can find its members. */
    public void attach(Cluster cluster) {
        this.cluster = cluster;
    }

    private Map<String, String> routedJetStreamPeers() {
        Cluster c = cluster;
        return c == null ? Map.of() : c.jetStreamPeers();
    }

    /** A route came or went: the meta group may now form. */
    public void routesChanged() {
        if (jsCluster == null) return;
        try {
            js.timers().execute(jsCluster::peersChanged);
        } catch (RejectedExecutionException shuttingDown) {
            // no group to form any more
        }
    }

    /** The Raft transport's port for the route INFO, or 0 without clustered JetStream. */
    public int raftPort() {
        return jsCluster == null ? 0 : jsCluster.port();
    }

    /** Where stream and consumer changes go, for monitoring (clustered: the meta and stream groups). */
    Coordinator coordinator() {
        return coordinator;
    }

    /** What streams and consumers share, for monitoring (and tests that read a replica's store). */
    public JsServer server() {
        return js;
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
        ServerLog log = js.log();
        log.notice("Starting JetStream");
        log.notice("---------------- JETSTREAM ----------------");
        log.notice("  Max Memory:      %s", friendlyBytes(JsLimits.serverMaxMemory(js)));
        log.notice("  Max Storage:     %s", friendlyBytes(JsLimits.serverMaxStore(js)));
        log.notice("  Store Directory: \"%s\"", js.root());
        if (js.domain() != null && !js.domain().isEmpty()) log.notice("  Domain:          %s", js.domain());
        if (js.syncAlways()) log.notice("  Sync:            always (group commit)");
        log.notice("-------------------------------------------");
        for (Account a : enabled) {
            JsAccount ja = new JsAccount(a);
            ja.limits = JsLimits.parse(accountBlock(a.name()));
            js.addAccount(ja);
        }
        for (Account a : enabled) coordinator.recover(js.account(a)); // every account first: sources may cross accounts
        if (jsCluster != null) jsCluster.start();
        for (Account a : all) serve(a);
        js.timers().scheduleWithFixedDelay(this::housekeeping, 100, 100, TimeUnit.MILLISECONDS);
        log.notice("JetStream started with %d account(s)", enabled.size());
    }

    /** The JetStream API, consumer traffic and acks in account {@code a}, once. */
    private void serve(Account a) {
        if (!served.add(a)) return;
        InternalClient internal = js.internal();
        internal.subscribe(a, "$JS.API.>", null, (sub, msg) -> streamApi.handle(a, msg.subject(), msg));
        consumerTraffic.subscribe(a, ConsumerApi.NEXT_PREFIX + ">", null,
                (sub, msg) -> consumerApi.nextRequest(a, msg.subject(), msg));
        consumerTraffic.subscribe(a, AckSubject.PREFIX + ">", null, (sub, msg) -> consumerApi.ack(a, msg));
        consumerTraffic.subscribe(a, "$JS.FC.>", null, (sub, msg) -> consumerApi.flowControl(a, msg));
        String domain = js.domain();
        if (domain != null && !domain.isEmpty()) DomainMapping.install(a, domain);
    }

    /**
     * A reloaded configuration, as upstream's enableJetStreamAccounts on a reload: accounts that
     * enable JetStream get it (their streams recovered), those that had it take their new limits,
     * and new accounts reach the API. Turning an account's JetStream off takes a restart.
     */
    public void reload(ServerOptions fresh, Collection<Account> enabled, Collection<Account> all) {
        js.setOptions(fresh);
        for (Account a : enabled) {
            JsAccount ja = js.account(a);
            if (ja != null) {
                ja.limits = JsLimits.parse(accountBlock(a.name()));
                continue;
            }
            ja = new JsAccount(a);
            ja.limits = JsLimits.parse(accountBlock(a.name()));
            js.addAccount(ja);
            coordinator.recover(ja);
        }
        for (Account a : all) serve(a);
    }

    /** The account's {@code jetstream} entry in the {@code accounts} block, or null. */
    private Object accountBlock(String account) {
        if (js.options().otherBlocks.get("accounts") instanceof Map<?, ?> all && all.get(account) instanceof Map<?, ?> acc) {
            return acc.get("jetstream");
        }
        return null;
    }

    /**
     * An account's interest changed (the server's interest events, as the cluster hears them): a
     * subject's last plain subscription going away may leave a push consumer without a
     * subscriber, which starts its inactivity timer now instead of at the next housekeeping pass.
     * Called under the account's interest lock: only hands the look on to the timer thread.
     */
    public void interestChanged(Account account, String subject, String queue, int count) {
        if (count != 0 || queue != null) return;
        JsAccount ja = js.account(account);
        if (ja == null) return;
        try {
            js.timers().execute(() -> {
                for (Stream s : JsLimits.streamsOf(ja)) StreamConsumers.of(s).interestMayHaveGone(subject);
            });
        } catch (RejectedExecutionException shuttingDown) {
            // nothing to time any more
        }
    }

    /** Deletes inactive ephemeral consumers and notices push interest coming and going. */
    private void housekeeping() {
        try {
            long now = System.nanoTime();
            for (JsAccount ja : js.jsAccounts()) {
                for (Stream s : JsLimits.streamsOf(ja)) StreamConsumers.of(s).tick(now);
            }
        } catch (RuntimeException e) {
            js.log().warn("JetStream housekeeping: %s", e);
        }
    }

    /** Every account with JetStream, for monitoring. */
    public List<Account> enabledAccounts() {
        return js.enabledAccounts();
    }

    @Override
    public void close() {
        // Stop taking messages, let the writers finish what was queued (acked or about to be),
        // then close the stores.
        List<JsAccount> accounts = js.jsAccounts();
        for (JsAccount ja : accounts) {
            synchronized (ja) {
                ja.streams.values().forEach(Stream::close);
            }
        }
        js.shutdownExecutors();
        if (jsCluster != null) jsCluster.close(); // no more applies: the stores can close
        for (JsAccount ja : accounts) {
            synchronized (ja) {
                for (Stream s : ja.streams.values()) {
                    try {
                        s.store().close();
                    } catch (Exception e) {
                        js.log().warn("Closing stream '%s': %s", s.name(), e.getMessage());
                    }
                }
            }
        }
        js.shutdownTimers();
    }
}
