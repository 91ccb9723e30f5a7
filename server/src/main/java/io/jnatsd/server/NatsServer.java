package io.jnatsd.server;

import io.jnatsd.server.account.Accounts;
import io.jnatsd.server.account.AccountsConfig;
import io.jnatsd.server.auth.Authenticator;
import io.jnatsd.server.client.ClientChannelHandler;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClosedReason;
import io.jnatsd.server.config.ConfigException;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.jetstream.JetStream;
import io.jnatsd.server.config.TlsOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.monitor.MonitorServer;
import io.jnatsd.server.net.ServerTls;
import io.jnatsd.server.net.Transport;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A whole NATS server, embeddable: {@code NatsServer.builder().port(0).build().start()} in a
 * test gives a running server on a free port; {@link #close()} stops it.
 */
public final class NatsServer implements AutoCloseable {
    /** The write backlog past which a socket counts as not keeping up (start of write_deadline). */
    private static final int SOCKET_HIGH_WATER_MARK = 4 * 1024 * 1024;

    private final ServerOptions opts;
    private final ServerLog log;
    private final String serverId = ServerIdentity.newServerId();
    private final Accounts accounts;
    private final ClientRegistry clients;
    /** Who clients are; replaced whole on a reload. */
    private volatile Authenticator authenticator;
    /** TLS for client connections, or null; replaced whole when certificates are reloaded. */
    private volatile ServerTls tls;
    /** Runs slow (bcrypt) credential checks off the event loops; bounded, so a flood is refused, not queued forever. */
    private final java.util.concurrent.ThreadPoolExecutor authExecutor = new java.util.concurrent.ThreadPoolExecutor(
            2, 2, 30, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(4096), r -> {
                Thread t = new Thread(r, "jnatsd-auth");
                t.setDaemon(true);
                return t;
            });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final MonitorServer monitor;
    /** Null unless JetStream is enabled ({@code -js}, {@code jetstream {}}). */
    private final JetStream jetStream;
    private volatile Instant startTime = Instant.now();
    private volatile Instant configLoadTime = startTime;
    private Transport transport;
    private Channel listener;
    private volatile boolean running;
    private boolean lameDuck;

    /**
     * A server for these options, not yet started. Throws IllegalArgumentException when the
     * users, permissions or TLS files they name are unusable (the message lists every error).
     */
    public NatsServer(ServerOptions opts, ServerLog log) {
        this.opts = opts;
        this.log = log;
        this.authenticator = buildAuthenticator(opts, log);
        this.tls = buildTls(opts, log);
        this.accounts = buildAccounts(opts, authenticator);
        this.clients = new ClientRegistry(this);
        this.monitor = new MonitorServer(new MonitorBridge(this, clients), log);
        this.jetStream = opts.jetstream ? new JetStream(opts, log) : null;
        authExecutor.allowCoreThreadTimeOut(true);
    }

    /**
     * The accounts that get JetStream: the global account when no accounts are configured,
     * else those whose block enables it ({@code jetstream: enabled} or a limits map), as upstream.
     */
    private List<Account> jetStreamAccounts() {
        Object block = opts.otherBlocks.get("accounts");
        if (!(block instanceof java.util.Map<?, ?> configured) || configured.isEmpty()) return List.of(accounts.global());
        List<Account> out = new java.util.ArrayList<>();
        for (var e : configured.entrySet()) {
            if (e.getValue() instanceof java.util.Map<?, ?> acc && jetStreamEnabled(acc.get("jetstream"))) {
                Account a = accounts.get(String.valueOf(e.getKey()));
                if (a != null) out.add(a);
            }
        }
        return out;
    }

    private static boolean jetStreamEnabled(Object v) {
        if (v == null) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof java.util.Map<?, ?>) return true;
        String s = String.valueOf(v).toLowerCase();
        return s.equals("enabled") || s.equals("enable") || s.equals("true");
    }

    private List<Account> nonSystemAccounts() {
        Account system = accounts.system();
        return accounts.all().stream().filter(a -> a != system).toList();
    }

    /** The JetStream service, or null when it is not enabled. */
    public JetStream jetStream() {
        return jetStream;
    }

    /** Accounts from the config: exports and imports wired, and every account a user names. */
    private static Accounts buildAccounts(ServerOptions opts, Authenticator authenticator) {
        Accounts accounts = new Accounts(!Boolean.TRUE.equals(opts.otherBlocks.get("no_system_account")));
        Object system = opts.otherBlocks.get("system_account");
        AccountsConfig.apply(opts.otherBlocks.get("accounts"), system == null ? null : String.valueOf(system), accounts);
        Object mappings = opts.otherBlocks.get("mappings");
        if (mappings != null) accounts.global().setMappings(AccountsConfig.parseMappings(mappings, "the global account"));
        for (String name : authenticator.accountNames()) {
            if (accounts.get(name) == null) accounts.add(new Account(name));
        }
        return accounts;
    }

    /** Checks what the constructor checks (users, permissions, TLS files) without building a server. */
    public static void validate(ServerOptions opts) {
        buildAccounts(opts, buildAuthenticator(opts, ServerLog.silent()));
        buildTls(opts, ServerLog.silent());
    }

    private static Authenticator buildAuthenticator(ServerOptions opts, ServerLog log) {
        try {
            return Authenticator.create(opts, log);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ServerTls buildTls(ServerOptions opts, ServerLog log) {
        TlsOptions t = opts.effectiveTls();
        return t == null ? null : ServerTls.create(t, log);
    }

    Authenticator authenticator() {
        return authenticator;
    }

    ServerTls tls() {
        return tls;
    }

    java.util.concurrent.Executor authExecutor() {
        return authExecutor;
    }

    /** Rebuilds TLS from the options (new certificate files take effect for new connections). */
    public void reloadTls() {
        this.tls = buildTls(opts, log);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the client port and starts accepting connections. */
    public synchronized NatsServer start() throws InterruptedException {
        if (running) return this;
        log.notice("Starting jnatsd (NATS %s compatible)", Versions.NATS_COMPATIBLE);
        log.notice("  Version:  %s", Versions.jnatsd());
        log.notice("  Java:     %s", Runtime.version());
        log.notice("  ID:       %s", serverId);
        startTime = Instant.now();
        configLoadTime = startTime;
        authenticator.startupWarnings().forEach(w -> log.warn("%s", w));
        if (jetStream != null) jetStream.start(jetStreamAccounts(), nonSystemAccounts());
        transport = new Transport(Math.max(1, Runtime.getRuntime().availableProcessors()));
        int port = opts.port < 0 ? 4222 : opts.port;
        try {
            monitor.start(transport); // before clients, as upstream: /healthz answers once they can connect
            listener = transport.listen(opts.host, port, SOCKET_HIGH_WATER_MARK, ch -> {
                ServerTls t = tls;
                if (t != null) t.install(ch.pipeline(), ch.alloc(), opts.allowNonTls);
                ClientConnection c = new ClientConnection(clients, ch, accounts.global());
                ch.pipeline().addLast(new ClientChannelHandler(c));
            });
        } catch (RuntimeException | InterruptedException e) {
            monitor.close();
            transport.close();
            throw e;
        }
        running = true;
        log.notice("Listening for client connections on %s:%d", displayHost(), port());
        if (tls != null) log.notice("TLS required for client connections");
        log.notice("Server is ready");
        return this;
    }

    String displayHost() {
        return opts.host == null || opts.host.isEmpty() ? "0.0.0.0" : opts.host;
    }

    /** The bound client port (the real one when started with port 0). */
    public int port() {
        return listener == null ? opts.port : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** A URL clients can connect to, on loopback when listening on every interface. */
    public String clientUrl() {
        String h = opts.host == null || opts.host.isEmpty() || opts.host.equals("0.0.0.0") || opts.host.equals("::")
                ? "127.0.0.1" : opts.host;
        return "nats://" + h + ":" + port();
    }

    /** The bound monitoring port; 0 when monitoring is off. */
    public int monitorPort() {
        return monitor.port();
    }

    /** A URL of the monitoring endpoints (base path included), or null when monitoring is off. */
    public String monitorUrl() {
        if (monitor.port() == 0) return null;
        String h = opts.httpHost == null || opts.httpHost.isEmpty() ? opts.host : opts.httpHost;
        if (h == null || h.isEmpty() || h.equals("0.0.0.0") || h.equals("::")) h = "127.0.0.1";
        String base = monitor.basePath();
        return "http://" + h + ":" + monitor.port() + (base.equals("/") ? "" : base);
    }

    Instant startTime() {
        return startTime;
    }

    Instant configLoadTime() {
        return configLoadTime;
    }

    /** A reload of the configuration has been applied (SIGHUP): /varz config_load_time moves. */
    public void configReloaded() {
        configLoadTime = Instant.now();
    }

    public String serverId() {
        return serverId;
    }

    public String serverName() {
        return opts.serverName == null || opts.serverName.isEmpty() ? serverId : opts.serverName;
    }

    public ServerOptions options() {
        return opts;
    }

    ServerLog log() {
        return log;
    }

    /** Every account of this server, by name. */
    public Accounts accounts() {
        return accounts;
    }

    public boolean isRunning() {
        return running;
    }

    public int connectionCount() {
        return clients.count();
    }

    /** The live client connections (a snapshot). */
    List<ClientConnection> connections() {
        return clients.all();
    }

    /** Stops accepting, flushes and closes every client, and stops the event loops. */
    public void shutdown() {
        synchronized (this) {
            if (!running) return;
            running = false;
        }
        log.notice("Initiating Shutdown...");
        if (listener.isOpen()) listener.close().syncUninterruptibly();
        monitor.close();
        List<ClientConnection> all = clients.all();
        for (ClientConnection c : all) c.close(ClosedReason.SERVER_SHUTDOWN);
        clients.awaitEmpty(2, TimeUnit.SECONDS);
        authExecutor.shutdownNow();
        if (jetStream != null) jetStream.close();
        transport.close();
        log.notice("Server Exiting..");
        stopped.countDown();
    }

    /**
     * Lame-duck mode (SIGUSR2): stop accepting, wait the grace period, then close the clients
     * spread over the rest of lame_duck_duration so they reconnect elsewhere gradually, then stop.
     */
    public void enterLameDuckMode() {
        synchronized (this) {
            if (!running || lameDuck) return;
            lameDuck = true;
        }
        log.notice("Entering lame duck mode, stop accepting new clients");
        listener.close().syncUninterruptibly();
        long grace = opts.lameDuckGracePeriod.toMillis();
        long spread = Math.max(0, opts.lameDuckDuration.toMillis() - grace);
        try {
            Thread.sleep(grace);
            List<ClientConnection> all = clients.all();
            long pause = all.isEmpty() ? 0 : spread / all.size();
            for (ClientConnection c : all) {
                c.close(ClosedReason.SERVER_SHUTDOWN);
                if (pause > 0) Thread.sleep(pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown();
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        shutdown();
    }

    /** Fluent construction for embedding. */
    public static final class Builder {
        private final ServerOptions opts = new ServerOptions();
        private ServerLog log = ServerLog.silent();

        public Builder port(int port) { opts.port = port; return this; }
        public Builder host(String host) { opts.host = host; return this; }
        public Builder serverName(String name) { opts.serverName = name; return this; }
        public Builder options(java.util.function.Consumer<ServerOptions> edit) { edit.accept(opts); return this; }
        public Builder log(ServerLog log) { this.log = log; return this; }

        public NatsServer build() {
            return new NatsServer(opts.copy(), log);
        }

        /** Builds and starts in one call. */
        public NatsServer start() throws InterruptedException {
            return build().start();
        }
    }

}
