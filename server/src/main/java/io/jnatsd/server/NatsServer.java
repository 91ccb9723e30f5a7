package io.jnatsd.server;

import io.jnatsd.server.account.Accounts;
import io.jnatsd.server.account.AccountsConfig;
import io.jnatsd.server.account.ClaimsService;
import io.jnatsd.server.account.JwtAccounts;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.auth.jwt.AccountClaims;
import io.jnatsd.server.auth.jwt.ClaimsRequests;
import io.jnatsd.server.auth.jwt.OperatorMode;
import io.jnatsd.server.auth.Authenticator;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClosedReason;
import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.gateway.Gateways;
import io.jnatsd.server.leaf.LeafNodes;
import io.jnatsd.server.conn.ConnectionHandler;
import io.jnatsd.server.config.ConfigException;
import io.jnatsd.server.config.CrossFieldRules;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.jetstream.JetStream;
import io.jnatsd.server.config.TlsOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.events.SystemEvents;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.monitor.Endpoints;
import io.jnatsd.server.monitor.MonitorServer;
import io.jnatsd.server.net.ServerTls;
import io.jnatsd.server.net.Transport;
import io.jnatsd.server.websocket.WebSocketTransport;
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

    /** The options in force; replaced whole when a reload is applied ({@link ConfigReload}). */
    private volatile ServerOptions opts;
    private final ServerLog log;
    private final String serverId = ServerIdentity.newServerId();
    private final Accounts accounts;
    /** The imports the config file wired, which a reload changes. */
    private final io.jnatsd.server.account.ConfiguredImports configuredImports;
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
    /** Runs the server's internal services (claim updates) off the event loops, one message at a time. */
    private final java.util.concurrent.ScheduledExecutorService systemExecutor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jnatsd-system");
        t.setDaemon(true);
        return t;
    });
    /** Operator mode's accounts, created from their JWTs; null without operator mode. */
    private final JwtAccounts jwtAccounts;
    private final java.util.concurrent.atomic.AtomicLong systemSeq = new java.util.concurrent.atomic.AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final MonitorServer monitor;
    /** Null unless JetStream is enabled ({@code -js}, {@code jetstream {}}). */
    private final JetStream jetStream;
    /** The system account's events and requests; null without a system account. */
    private final SystemEvents events;
    private volatile Instant startTime = Instant.now();
    private volatile Instant configLoadTime = startTime;
    /** This server's side of the cluster; null without a {@code cluster {}} port. */
    private final Cluster cluster;
    private final ClusterBridge clusterBridge;
    /** Leaf node connections, both roles; null without a {@code leafnodes} port or remotes. */
    private final LeafNodes leafNodes;
    /** Gateways to other clusters; null without a {@code gateway} block. */
    private final Gateways gateways;
    private Transport transport;
    private Channel listener;
    /** NATS clients over WebSocket; null without a {@code websocket {}} port. */
    private final WebSocketClients websocket;
    private Channel websocketListener;
    /** MQTT clients; null without an {@code mqtt {}} port. */
    private final io.jnatsd.server.mqtt.MqttClients mqtt;
    private Channel mqttListener;
    private volatile boolean running;
    private boolean lameDuck;

    /**
     * A server for these options, not yet started. Throws IllegalArgumentException when the
     * users, permissions or TLS files they name are unusable (the message lists every error).
     */
    public NatsServer(ServerOptions opts, ServerLog log) {
        this.opts = opts;
        this.log = log;
        CrossFieldRules.check(opts);
        gatewayRules(opts);
        this.authenticator = buildAuthenticator(opts, log);
        this.tls = buildTls(opts, log);
        BuiltAccounts built = buildAccounts(opts, authenticator);
        this.accounts = built.accounts();
        this.configuredImports = built.imports();
        this.jwtAccounts = setUpOperatorMode(authenticator.operatorMode());
        this.clients = new ClientRegistry(this);
        WebsocketSetup ws = buildWebsocket(opts, authenticator, log);
        this.websocket = ws == null ? null : new WebSocketClients(this, clients, ws.auth(), ws.tls());
        Authenticator mqttAuth = MqttBridge.validate(opts, authenticator);
        this.mqtt = mqttAuth == null ? null : new io.jnatsd.server.mqtt.MqttClients(new MqttBridge(this, clients, mqttAuth),
                opts.mqtt.tls == null ? null : ServerTls.createHandshakeFirst(opts.mqtt.tls, log));
        MonitorBridge bridge = new MonitorBridge(this, clients);
        Endpoints endpoints = new Endpoints(bridge);
        this.monitor = new MonitorServer(bridge, endpoints, log);
        this.events = accounts.system() == null ? null : new SystemEvents(bridge, endpoints, accounts, log);
        this.jetStream = opts.jetstream ? new JetStream(opts, log, serverName()) : null;
        this.clusterBridge = new ClusterBridge(this, clients);
        this.cluster = opts.cluster.enabled() ? new Cluster(opts, clusterBridge) : null;
        if (jetStream != null && cluster != null) jetStream.attach(cluster);
        if (cluster != null || jetStream != null) accounts.setInterestListener(this::interestChanged);
        this.leafNodes = opts.leafNodes.accepts() || !opts.leafNodes.remotes.isEmpty()
                ? new LeafNodes(opts, new LeafBridge(this), clients::nextClientId) : null;
        this.gateways = opts.gateway.enabled() ? new Gateways(opts, new GatewayBridge(this), clients::nextClientId) : null;
        authExecutor.allowCoreThreadTimeOut(true);
    }

    /**
     * Upstream checks the gateway block when the server starts (not with {@code -t}): its own
     * rules, then that a cluster name, when set, is the gateway's name, which otherwise names
     * the cluster.
     */
    private static void gatewayRules(ServerOptions opts) {
        opts.gateway.validate();
        String gw = opts.gateway.name;
        if (gw == null || gw.isEmpty() || gw.equals(opts.cluster.name)) return;
        if (opts.cluster.name != null && !opts.cluster.name.isEmpty()) {
            throw new IllegalArgumentException("cluster name conflicts between cluster and gateway definitions");
        }
        opts.cluster.name = gw;
    }

    /**
     * Every account's interest events go to the routes (RS+/RS-) and to JetStream (push
     * consumers whose deliver subject lost its subscriber).
     */
    private void interestChanged(Account account, String subject, String queue, int count) {
        if (cluster != null) cluster.interestChanged(account, subject, queue, count);
        if (jetStream != null) jetStream.interestChanged(account, subject, queue, count);
    }

    /**
     * The accounts that get JetStream: the global account when no accounts are configured,
     * else those whose block enables it ({@code jetstream: enabled} or a limits map), as upstream.
     */
    List<Account> jetStreamAccounts() {
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

    List<Account> nonSystemAccounts() {
        Account system = accounts.system();
        return accounts.all().stream().filter(a -> a != system).toList();
    }

    /** The JetStream service, or null when it is not enabled. */
    public JetStream jetStream() {
        return jetStream;
    }

    /**
     * Accounts from the config: exports and imports wired, and every account a user names. In
     * operator mode there is no {@code $SYS} account: the system account is the one the operator
     * names, resolved like any other (see {@link #setUpOperatorMode}).
     */
    private static BuiltAccounts buildAccounts(ServerOptions opts, Authenticator authenticator) {
        boolean operatorMode = authenticator.operatorMode() != null;
        Accounts accounts = new Accounts(!operatorMode && !Boolean.TRUE.equals(opts.otherBlocks.get("no_system_account")));
        Object system = operatorMode ? null : opts.otherBlocks.get("system_account");
        var imports = AccountsConfig.apply(opts.otherBlocks.get("accounts"), system == null ? null : String.valueOf(system), accounts);
        Object mappings = opts.otherBlocks.get("mappings");
        if (mappings != null) accounts.global().setMappings(AccountsConfig.parseMappings(mappings, "the global account"));
        for (String name : authenticator.accountNames()) {
            if (accounts.get(name) == null) accounts.add(new Account(name));
        }
        return new BuiltAccounts(accounts, imports);
    }

    private record BuiltAccounts(Accounts accounts, io.jnatsd.server.account.ConfiguredImports imports) {}

    /**
     * Operator mode: preloaded account JWTs stored, accounts created from JWTs on demand, the
     * system account resolved (a full resolver without its JWT starts with a placeholder, as
     * upstream bootstraps), and live clients re-checked when their account's claims change.
     */
    private JwtAccounts setUpOperatorMode(OperatorMode mode) {
        if (mode == null) return null;
        mode.storePreloads();
        JwtAccounts jwt = new JwtAccounts(accounts, mode, log);
        String sys = mode.systemAccount();
        if (sys != null) {
            Account a = accounts.get(sys) != null ? accounts.get(sys) : jwt.lookup(sys);
            if (a == null) {
                if (mode.resolver() == null || !mode.resolver().isFull()) {
                    throw new IllegalArgumentException("error resolving system account: account missing");
                }
                log.notice("Using bootstrapping system account");
                jwt.placeholder(sys);
            }
            accounts.setSystemAccount(sys);
        }
        mode.onChange(this::recheckClients);
        mode.onDelete(this::accountDeleted);
        jwt.onApplied(claims -> scheduleAccountExpiry(mode, claims));
        return jwt;
    }

    /**
     * An account's claims changed: clients over its connection limit (the newest first), revoked
     * users, bearer tokens it no longer allows and users of signing keys it dropped are cut off.
     */
    private void recheckClients(AccountClaims claims) {
        Account a = accounts.get(claims.subject());
        if (a == null || clients == null) return;
        List<ClientConnection> inAccount = new java.util.ArrayList<>();
        for (ClientConnection c : clients.all()) if (c.account() == a && !c.isClosed()) inAccount.add(c);
        inAccount.sort(java.util.Comparator.comparingLong(ClientConnection::startNanos).reversed());
        int max = a.limits().maxConnections();
        for (int i = 0; i < inAccount.size(); i++) {
            ClientConnection c = inAccount.get(i);
            if (max >= 0 && i >= max) {
                c.closeWithErrorFromAnyThread("maximum account active connections exceeded", ClosedReason.MAX_CONNECTIONS);
                continue;
            }
            c.accountLimitsChanged();
            User u = c.user();
            if (u == null || u.jwt() == null) continue;
            if (u.jwt().bearer() && claims.limits().disallowBearer()) {
                c.closeWithErrorFromAnyThread("Authorization Violation", ClosedReason.AUTHENTICATION_VIOLATION);
            } else if (claims.isRevoked(u.name(), u.jwt().issuedAt())) {
                c.closeWithErrorFromAnyThread("User Authentication Revoked", ClosedReason.REVOCATION);
            } else if (!claims.hasIssuer(u.jwt().issuer())) {
                c.closeWithErrorFromAnyThread(null, ClosedReason.AUTHENTICATION_VIOLATION);
            }
        }
    }

    /**
     * When an account's JWT expires, its clients are told so and closed, as upstream does (new
     * clients are refused from then on: expired claims fail verification).
     */
    private void scheduleAccountExpiry(OperatorMode mode, AccountClaims claims) {
        long exp = claims.jwt().expires();
        if (exp <= 0) return;
        long delay = Math.max(0, exp * 1000 - System.currentTimeMillis()) + 1000;
        try {
            systemExecutor.schedule(() -> {
                AccountClaims current = mode.loaded(claims.subject());
                if (current == null || current.jwt().raw().equals(claims.jwt().raw())) accountDeleted(claims.subject());
            }, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** An account was deleted from the resolver, or its JWT expired: its clients are told their account expired, and closed. */
    private void accountDeleted(String key) {
        Account a = accounts.get(key);
        if (a == null || clients == null) return;
        for (ClientConnection c : clients.all()) {
            if (c.account() == a) c.closeWithErrorFromAnyThread("Account Authentication Expired", ClosedReason.AUTHENTICATION_EXPIRED);
        }
    }

    /**
     * The account a user is bound to, by name; in operator mode created from its JWT the first
     * time. Null when there is no such account.
     */
    Account resolveAccount(String name) {
        Account a = accounts.get(name);
        if (a == null && jwtAccounts != null && name != null) a = jwtAccounts.lookup(name);
        return a;
    }

    /** The {@code server} object of system replies, as upstream's ServerInfo. */
    private java.util.Map<String, Object> systemServerInfo() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", serverName());
        m.put("host", displayHost());
        m.put("id", serverId);
        m.put("ver", Versions.NATS_COMPATIBLE);
        m.put("seq", systemSeq.incrementAndGet());
        m.put("jetstream", false);
        m.put("time", Instant.now().toString());
        return m;
    }

    /** Checks what the constructor checks (users, permissions, TLS files) without building a server. */
    public static void validate(ServerOptions opts) {
        CrossFieldRules.check(opts);
        Authenticator auth = buildAuthenticator(opts, ServerLog.silent());
        buildAccounts(opts, auth);
        buildTls(opts, ServerLog.silent());
        buildWebsocket(opts, auth, ServerLog.silent());
        MqttBridge.validate(opts, auth);
    }

    /** What WebSocket clients are served with: their authenticator and the listener's TLS (null for {@code ws://}). */
    private record WebsocketSetup(Authenticator auth, ServerTls tls) {}

    /**
     * The websocket block checked as upstream's validateWebsocketOptions (with the block's position): TLS unless
     * {@code no_tls}, the auth overrides against the users; null when no WebSocket port is configured.
     */
    private static WebsocketSetup buildWebsocket(ServerOptions opts, Authenticator authenticator, ServerLog log) {
        io.jnatsd.server.config.WebsocketOptions ws = opts.websocket;
        if (!ws.enabled()) return null;
        if (ws.tls == null && !ws.noTls) {
            throw new IllegalArgumentException(new io.jnatsd.conf.ConfException(ws.at, "websocket requires TLS configuration").getMessage());
        }
        Authenticator auth;
        try {
            auth = authenticator.forWebsocket(opts);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ServerTls tls = null;
        if (ws.tls != null) {
            tls = ServerTls.createHandshakeFirst(ws.tls, log); // HTTPS
        }
        return new WebsocketSetup(auth, tls);
    }

    static Authenticator buildAuthenticator(ServerOptions opts, ServerLog log) {
        try {
            return Authenticator.create(opts, log);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static ServerTls buildTls(ServerOptions opts, ServerLog log) {
        TlsOptions t = opts.effectiveTls();
        return t == null ? null : ServerTls.createForClients(t, log);
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

    /** Where a reload reads the configuration again; {@link Main} makes it the whole command line. */
    interface OptionsSource {
        ServerOptions load() throws io.jnatsd.conf.ConfException;
    }

    private volatile OptionsSource reloadSource = () -> io.jnatsd.server.config.ConfigLoader.load(opts.configFile);
    private final ConfigReload reloader = new ConfigReload(this);

    void setReloadSource(OptionsSource source) {
        this.reloadSource = source;
    }

    /**
     * Reads the configuration file again and applies what changed, as upstream's reload (SIGHUP,
     * {@code --signal reload}, {@code $SYS.REQ.SERVER.<id>.RELOAD}): all of it, or, when the file
     * does not parse or changes something that cannot change at run time, nothing.
     */
    public void reload() throws io.jnatsd.server.config.ReloadRefusedException {
        if (opts.configFile == null) {
            throw new io.jnatsd.server.config.ReloadRefusedException(
                    "can only reload config when a file is provided using -c or --config");
        }
        ServerOptions fresh;
        try {
            fresh = reloadSource.load();
        } catch (io.jnatsd.conf.ConfException e) {
            throw new io.jnatsd.server.config.ReloadRefusedException(e.getMessage());
        }
        reloader.apply(fresh);
    }

    // ---- what a reload changes (ConfigReload) ----

    void replaceOptions(ServerOptions fresh) {
        this.opts = fresh;
    }

    void replaceAuthenticator(Authenticator a) {
        this.authenticator = a;
    }

    void replaceTls(ServerTls t) {
        this.tls = t;
    }

    io.jnatsd.server.account.ConfiguredImports configuredImports() {
        return configuredImports;
    }

    WebSocketClients websocketClients() {
        return websocket;
    }

    ClientRegistry clientRegistry() {
        return clients;
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
        log.notice("  Name:     %s", serverName());
        log.notice("  ID:       %s", serverId);
        startTime = Instant.now();
        configLoadTime = startTime;
        authenticator.startupWarnings().forEach(w -> log.warn("%s", w));
        OperatorMode mode = authenticator.operatorMode();
        if (mode != null) {
            if (!mode.operators().isEmpty()) log.notice("Trusted Operators");
            for (var op : mode.operators()) {
                log.notice("  System  : \"\"");
                log.notice("  Operator: \"%s\"", op.jwt().name());
                log.notice("  Issued  : %s", Instant.ofEpochSecond(op.jwt().issuedAt()));
                log.notice("  Expires : %s", op.jwt().expires() == 0 ? "Never" : Instant.ofEpochSecond(op.jwt().expires()));
            }
            if (!mode.operators().isEmpty() && mode.systemAccount() == null) {
                log.warn("Trusted Operators should utilize a System Account");
            }
            Account sys = accounts.system();
            if (sys != null) {
                new ClaimsService(new ClaimsRequests(mode), sys, systemExecutor, this::systemServerInfo).start();
            }
        }
        if (opts.maxPayload > CrossFieldRules.LARGE_PAYLOAD) {
            log.warn("Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance");
        }
        if (jetStream != null) jetStream.start(jetStreamAccounts(), nonSystemAccounts());
        transport = new Transport(Math.max(1, Runtime.getRuntime().availableProcessors()));
        int port = opts.port < 0 ? 4222 : opts.port;
        try {
            monitor.start(transport); // before clients, as upstream: /healthz answers once they can connect
            if (events != null) events.start();
            if (websocket != null) startWebsocket(); // before clients, as upstream
            if (mqtt != null) startMqtt();
            listener = transport.listen(opts.host, port, SOCKET_HIGH_WATER_MARK, ch -> {
                ServerTls t = tls;
                if (t != null) t.install(ch.pipeline(), ch.alloc(), opts.allowNonTls);
                ClientConnection c = new ClientConnection(clients, ch, accounts.global());
                ch.pipeline().addLast(new ConnectionHandler(c));
            });
        } catch (RuntimeException | InterruptedException e) {
            if (events != null) events.shutdown();
            if (websocketListener != null) websocketListener.close();
            if (mqttListener != null) mqttListener.close();
            monitor.close();
            transport.close();
            throw e;
        }
        running = true;
        log.notice("Listening for client connections on %s:%d", displayHost(), port());
        // Leaf nodes first: routes tell their peers this server's leaf node URL.
        if (leafNodes != null) {
            try {
                leafNodes.start(transport);
            } catch (RuntimeException | InterruptedException e) {
                shutdown();
                throw e;
            }
        }
        // Gateways before routes too: routes tell their peers this server's gateway URL.
        if (gateways != null) {
            try {
                gateways.start(transport);
            } catch (RuntimeException | InterruptedException e) {
                shutdown();
                throw e;
            }
        }
        if (cluster != null) {
            try {
                cluster.start(transport);
            } catch (RuntimeException | InterruptedException e) {
                shutdown();
                throw e;
            }
        }
        if (tls != null) log.notice("TLS required for client connections");
        log.notice("Server is ready");
        return this;
    }

    /**
     * The WebSocket listener: each upgraded socket gets an ordinary {@link ClientConnection} behind the frames,
     * with the services of {@link WebSocketClients}.
     */
    private void startWebsocket() throws InterruptedException {
        io.jnatsd.server.config.WebsocketOptions ws = opts.websocket;
        int maxFrame = (int) Math.min(Integer.MAX_VALUE,
                Math.max(opts.maxPending, 2L * opts.maxPayload + opts.maxControlLine));
        WebSocketTransport wt = new WebSocketTransport(ws, websocket.tls(), maxFrame, log, (ch, handshake) -> {
            if (handshake.leafNode()) {
                if (leafNodes != null && opts.leafNodes.accepts()) return leafNodes.acceptedWebSocket(ch);
                log.error("Not configured to accept leaf node connections");
                ch.close(); // as upstream: closed without a word
                return () -> new io.jnatsd.server.websocket.CloseStatus(io.jnatsd.server.websocket.CloseStatus.NORMAL_CLOSURE, "");
            }
            if (mqtt != null && handshake.mqtt()) {
                io.jnatsd.server.mqtt.MqttConnection m = mqtt.initWebSocketChannel(ch);
                return () -> WebSocketClients.closeStatus(m.closeReason());
            }
            ClientConnection c = new ClientConnection(websocket.session(handshake), ch, accounts.global());
            ch.pipeline().addLast(new ConnectionHandler(c));
            return () -> WebSocketClients.closeStatus(c.closedReason());
        });
        websocketListener = transport.listen(ws.host, ws.port < 0 ? 0 : ws.port, SOCKET_HIGH_WATER_MARK, wt::initChannel);
        String scheme = websocket.tls() == null ? "ws" : "wss";
        log.notice("Listening for websocket clients on %s://%s:%d", scheme, ws.listenHost(), websocketPort());
        if (websocket.tls() == null) log.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
    }

    /** The MQTT listener: each socket gets an {@link io.jnatsd.server.mqtt.MqttConnection} of its own. */
    private void startMqtt() throws InterruptedException {
        io.jnatsd.server.config.MqttOptions m = opts.mqtt;
        mqttListener = transport.listen(m.host, m.port < 0 ? 0 : m.port, SOCKET_HIGH_WATER_MARK, mqtt::initChannel);
        log.notice("Listening for MQTT clients on %s://%s:%d", mqtt.tls() == null ? "mqtt" : "tls", m.listenHost(), mqttPort());
    }

    /** The bound MQTT port (the real one when configured as -1); 0 without an MQTT listener. */
    public int mqttPort() {
        Channel l = mqttListener;
        if (l == null) return opts.mqtt.port < 0 ? 0 : opts.mqtt.port;
        return ((InetSocketAddress) l.localAddress()).getPort();
    }

    /** The MQTT clients, or null without an {@code mqtt {}} port. */
    io.jnatsd.server.mqtt.MqttClients mqtt() {
        return mqtt;
    }

    /** The bound WebSocket port (the real one when configured as -1); 0 without a WebSocket listener. */
    public int websocketPort() {
        Channel l = websocketListener;
        if (l == null) return opts.websocket.port < 0 ? 0 : opts.websocket.port;
        return ((InetSocketAddress) l.localAddress()).getPort();
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

    /** This server's side of the cluster, or null when it is not clustered. */
    public Cluster cluster() {
        return cluster;
    }

    /** This server's leaf node connections, or null when it has neither a leaf node port nor remotes. */
    public LeafNodes leafNodes() {
        return leafNodes;
    }

    /** This server's gateways, or null without a gateway block. */
    public Gateways gateways() {
        return gateways;
    }

    /** The client URLs of this server and, unless no_advertise, of every server it has a route to. */
    List<String> clientConnectUrls() {
        return withPeers(clusterBridge.clientConnectUrls(), cluster == null ? List.of() : cluster.peersClientUrls());
    }

    /** This server's and its peers' WebSocket URLs, for WebSocket clients' {@code connect_urls}. */
    List<String> websocketConnectUrls() {
        return withPeers(clusterBridge.websocketConnectUrls(), cluster == null ? List.of() : cluster.peersWebsocketUrls());
    }

    private static List<String> withPeers(List<String> own, List<String> peers) {
        List<String> urls = new java.util.ArrayList<>(own);
        for (String u : peers) if (!urls.contains(u)) urls.add(u);
        return urls;
    }

    ServerLog log() {
        return log;
    }

    /** Every account of this server, by name. */
    public Accounts accounts() {
        return accounts;
    }

    /** The system account's event service, or null without a system account. */
    SystemEvents events() {
        return events;
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
        if (websocketListener != null && websocketListener.isOpen()) websocketListener.close().syncUninterruptibly();
        if (leafNodes != null) leafNodes.shutdown();
        if (gateways != null) gateways.shutdown();
        if (mqttListener != null && mqttListener.isOpen()) mqttListener.close().syncUninterruptibly();
        if (mqtt != null) mqtt.closeAll(2000);
        if (cluster != null) cluster.shutdown();
        if (events != null) events.shutdown(); // SHUTDOWN reaches subscribers before they are closed
        monitor.close();
        List<ClientConnection> all = clients.all();
        for (ClientConnection c : all) c.close(ClosedReason.SERVER_SHUTDOWN);
        clients.awaitEmpty(2, TimeUnit.SECONDS);
        authExecutor.shutdownNow();
        if (jetStream != null) jetStream.close();
        systemExecutor.shutdownNow();
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
        if (websocketListener != null) websocketListener.close().syncUninterruptibly();
        // As upstream: the other servers drop this one from their clients' URLs, and this
        // one's clients learn where to go.
        if (cluster != null) cluster.enterLameDuckMode();
        clients.enterLameDuckMode();
        if (mqttListener != null) mqttListener.close().syncUninterruptibly();
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

        /**
         * Applies config-file text ({@code max_payload: 2MB}, blocks, ...) as a file would, on
         * top of what is set so far; errors name line and column as for a file.
         */
        public Builder config(String text) throws io.jnatsd.conf.ConfException {
            io.jnatsd.server.config.ConfigLoader.apply(io.jnatsd.conf.ConfParser.parse(text), opts);
            return this;
        }

        /** JetStream on, storing under {@code storeDir}. */
        public Builder jetStream(java.nio.file.Path storeDir) {
            opts.jetstream = true;
            opts.storeDir = storeDir.toString();
            return this;
        }

        public NatsServer build() {
            return new NatsServer(opts.copy(), log);
        }

        /** Builds and starts in one call. */
        public NatsServer start() throws InterruptedException {
            return build().start();
        }
    }

}
