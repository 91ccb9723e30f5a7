package io.jnatsd.server.events;

import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.account.Accounts;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClosedReason;
import io.jnatsd.server.core.ConnectionKind;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.core.InternalClient;
import io.jnatsd.server.core.MsgTrace;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.monitor.ConnInfo;
import io.jnatsd.server.monitor.Endpoints;
import io.jnatsd.server.monitor.Json;
import io.jnatsd.server.monitor.MonitoredServer;
import io.jnatsd.server.mqtt.MqttConnection;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The system account's events, published as upstream 2.9.10 publishes them: client
 * {@code CONNECT}/{@code DISCONNECT} per account (not for the global account {@code $G}),
 * account connection counts ({@code SERVER.CONNS}), authentication failures, {@code STATSZ}
 * (every 30 s after a quick start, 250 ms doubling) and {@code SHUTDOWN}; and the answers to
 * the system requests ({@link SystemRequests}).
 *
 * <p>All of it runs on one thread of its own, through an {@link InternalClient} in the system
 * account (no side doors). Connections only hand it a reference when they join an account and
 * when they close, so the publish path pays nothing; an event nobody subscribes to is not even
 * built.
 */
public final class SystemEvents {
    static final String CONNECT_TYPE = "io.nats.server.advisory.v1.client_connect";
    static final String DISCONNECT_TYPE = "io.nats.server.advisory.v1.client_disconnect";
    static final String ACCOUNT_CONNS_TYPE = "io.nats.server.advisory.v1.account_connections";
    private static final long STATSZ_FIRST_MILLIS = 250;
    private static final long HEARTBEAT_MILLIS = 30_000;

    private final MonitoredServer server;
    private final Endpoints endpoints;
    private final Accounts accounts;
    private final Account system;
    private final ServerLog log;
    private final ScheduledThreadPoolExecutor executor;
    private final InternalClient client;
    private final ServerBlock block;
    private final Nuid ids = new Nuid();
    private final SystemRequests requests;
    private long statszDelayMillis = STATSZ_FIRST_MILLIS;
    private volatile boolean running;

    /** Events of {@code accounts.system()}, which must exist. */
    public SystemEvents(MonitoredServer server, Endpoints endpoints, Accounts accounts, ServerLog log) {
        this.server = server;
        this.endpoints = endpoints;
        this.accounts = accounts;
        this.system = accounts.system();
        this.log = log;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "jnatsd-sys");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.client = new InternalClient("$SYS", ConnectionKind.SYSTEM, this::execute);
        this.block = new ServerBlock(server);
        this.requests = new SystemRequests(this, endpoints, accounts);
    }

    /** Subscribes the system services, imports the shared ones into every account, starts the timers. */
    public void start() {
        running = true;
        requests.subscribe(client, system);
        requests.importInto(accounts, system);
        executor.schedule(guarded(this::statszHeartbeat), statszDelayMillis, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(guarded(this::accountsHeartbeat), HEARTBEAT_MILLIS, HEARTBEAT_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Reloads the server's configuration (a RELOAD request); null when applied, else why not. */
    String reloadConfig() {
        try {
            server.reloadConfig();
            return null;
        } catch (io.jnatsd.server.config.ReloadRefusedException e) {
            log.error("Failed to reload server configuration: %s", e.getMessage());
            return e.getMessage();
        }
    }

    /** An account a reload added gets the system services every account imports. */
    public void accountAdded(Account a) {
        if (a != system) requests.importInto(a, system);
    }

    /** Publishes SHUTDOWN (delivered before clients are closed) and stops. */
    public void shutdown() {
        if (!running) return;
        running = false;
        try {
            executor.submit(() -> publish(shutdownSubject(), block.next())).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("System shutdown event not sent: %s", e);
        }
        executor.shutdownNow();
    }

    // ---- from connections (their event loops): hand over, nothing more ----

    /** The client's CONNECT was accepted and it joined its account. */
    public void clientConnected(ClientConnection c) {
        execute(() -> onConnect(c));
    }

    /** The client is gone; {@code last} is its final state. */
    public void clientClosed(ClientConnection c, ConnInfo last) {
        if (c.joinedAccount()) {
            execute(() -> onDisconnect(c.account(), last));
        } else if (c.closedReason() == ClosedReason.AUTHENTICATION_VIOLATION) {
            execute(() -> onAuthError(c, last));
        }
    }

    /**
     * A traced message's event (upstream's MsgTraceEvent: this server, the request's headers and
     * size, the events), published to its destination in the publisher's account.
     */
    public void msgTrace(MsgTrace trace) {
        execute(() -> {
            Map<String, Object> body = Json.object();
            body.put("server", block.next());
            body.put("request", trace.request());
            body.put("events", trace.events());
            client.publish(trace.account(), trace.dest(), null, null, Json.compact(body));
        });
    }

    /** An MQTT client's CONNECT was accepted and it joined its account. */
    public void mqttClientConnected(MqttConnection c) {
        execute(() -> onMqttConnect(c));
    }

    /** An MQTT client that had joined {@code acc} is gone; {@code last} is its final state. */
    public void mqttClientClosed(Account acc, ConnInfo last) {
        execute(() -> onDisconnect(acc, last));
    }

    // ---- on the events thread ----

    private void onConnect(ClientConnection c) {
        Account acc = c.account();
        accountConns(acc);
        if (acc == accounts.global()) return; // 2.9.10 sends no connect events for $G (2.12 does)
        String subject = "$SYS.ACCOUNT." + acc.name() + ".CONNECT";
        if (!interest(subject)) return;
        ConnectOptions o = c.connectOptions();
        Map<String, Object> m = typed(CONNECT_TYPE, ids.next(), Instant.now());
        m.put("server", block.next());
        m.put("client", client(c.startTime(), ip(c), c.cid(), acc.name(), c.authorizedUser(),
                o == null ? null : o.name, o == null ? null : o.lang, o == null ? null : o.version, 0, null,
                c.clientType(), null));
        publish(subject, m);
    }

    /**
     * Upstream's connect event for an MQTT client: a {@code Client} of type {@code mqtt} with its MQTT client id,
     * no name, language or version. Upstream 2.9.10 also puts the MQTT password in {@code jwt} (it keeps the
     * password as the client's JWT); that is not repeated here.
     */
    private void onMqttConnect(MqttConnection c) {
        Account acc = c.account();
        accountConns(acc);
        if (acc == accounts.global()) return;
        String subject = "$SYS.ACCOUNT." + acc.name() + ".CONNECT";
        if (!interest(subject)) return;
        InetSocketAddress remote = c.remoteAddress();
        Map<String, Object> m = typed(CONNECT_TYPE, ids.next(), Instant.now());
        m.put("server", block.next());
        m.put("client", client(c.start(), remote == null ? null : remote.getAddress().getHostAddress(), c.cid(), acc.name(),
                c.authorizedUser(), null, null, null, 0, null, "mqtt", c.clientId()));
        publish(subject, m);
    }

    private void onDisconnect(Account acc, ConnInfo last) {
        accountConns(acc);
        if (acc == accounts.global()) return;
        String subject = "$SYS.ACCOUNT." + acc.name() + ".DISCONNECT";
        if (!interest(subject)) return;
        publish(subject, disconnect(last, acc.name(), last.authorizedUser(), last.name(), last.lang(), last.version(),
                last.reason()));
    }

    private void onAuthError(ClientConnection c, ConnInfo last) {
        String subject = "$SYS.SERVER." + block.id() + ".CLIENT.AUTH.ERR";
        if (!interest(subject)) return;
        ConnectOptions o = c.refusedConnectOptions();
        publish(subject, disconnect(last, c.account().name(), ClientConnection.presentedUser(o),
                o == null ? null : o.name, o == null ? null : o.lang, o == null ? null : o.version,
                ClosedReason.AUTHENTICATION_VIOLATION.text()));
    }

    /** Upstream's DisconnectEventMsg; "sent" is what the client sent, "received" what it was sent. */
    private Map<String, Object> disconnect(ConnInfo last, String account, String user, String name, String lang,
                                           String version, String reason) {
        Map<String, Object> m = typed(DISCONNECT_TYPE, ids.next(), last.stop());
        m.put("server", block.next());
        m.put("client", client(last.start(), last.ip(), last.cid(), account, user, name, lang, version,
                last.rttNanos(), last.stop(), last.type(), last.mqttClient()));
        m.put("sent", dataStats(last.inMsgs(), last.inBytes()));
        m.put("received", dataStats(last.outMsgs(), last.outBytes()));
        m.put("reason", reason);
        return m;
    }

    /** The account's connection count, on the old and the new subject, as upstream sends both. */
    private void accountConns(Account acc) {
        String old = "$SYS.SERVER.ACCOUNT." + acc.name() + ".CONNS";
        String current = "$SYS.ACCOUNT." + acc.name() + ".SERVER.CONNS";
        boolean toOld = interest(old);
        boolean toCurrent = interest(current);
        if (!toOld && !toCurrent) return;
        String id = ids.next();
        Instant now = Instant.now();
        Map<String, Object> stat = endpoints.accountStat(acc);
        if (toOld) publish(old, accountConns(id, now, stat));
        if (toCurrent) publish(current, accountConns(id, now, stat));
    }

    private Map<String, Object> accountConns(String id, Instant now, Map<String, Object> stat) {
        Map<String, Object> m = typed(ACCOUNT_CONNS_TYPE, id, now);
        m.put("server", block.next());
        m.putAll(stat);
        return m;
    }

    /** The answer to an account's {@code CONNS} request. */
    void sendAccountConns(Account acc, String reply) {
        publish(reply, accountConns(ids.next(), Instant.now(), endpoints.accountStat(acc)));
    }

    /** Accounts with clients repeat their count every 30 s. */
    private void accountsHeartbeat() {
        for (Account a : accounts.all()) if (a.connectionCount() > 0) accountConns(a);
    }

    private void statszHeartbeat() {
        if (!running) return;
        String subject = statszSubject();
        if (interest(subject)) sendStatsz(subject);
        statszDelayMillis = Math.min(statszDelayMillis * 2, HEARTBEAT_MILLIS);
        executor.schedule(guarded(this::statszHeartbeat), statszDelayMillis, TimeUnit.MILLISECONDS);
    }

    /** {@code {"server":{...},"statsz":{...}}} to {@code subject}. */
    void sendStatsz(String subject) {
        Map<String, Object> m = Json.object();
        m.put("server", block.next());
        m.put("statsz", endpoints.statsz());
        publish(subject, m);
    }

    String statszSubject() {
        return "$SYS.SERVER." + block.id() + ".STATSZ";
    }

    private String shutdownSubject() {
        return "$SYS.SERVER." + block.id() + ".SHUTDOWN";
    }

    ServerBlock block() {
        return block;
    }

    /** Whether any subscription in the system account would receive a message on {@code subject}. */
    private boolean interest(String subject) {
        return !system.subscriptions().match(subject).isEmpty();
    }

    void publish(String subject, Object body) {
        client.publish(system, subject, null, null, Json.compact(body));
    }

    private void execute(Runnable task) {
        if (!running) return;
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("System account service failed: %s", e);
            }
        };
    }

    // ---- upstream's event pieces ----

    static Map<String, Object> typed(String type, String id, Instant time) {
        Map<String, Object> m = Json.object();
        m.put("type", type);
        m.put("id", id);
        m.put("timestamp", time);
        return m;
    }

    /** Upstream's ClientInfo, empty fields left out; {@code mqttClientId} only for MQTT clients. */
    static Map<String, Object> client(Instant start, String host, long cid, String account, String user, String name,
                                      String lang, String version, long rttNanos, Instant stop, String clientType,
                                      String mqttClientId) {
        Map<String, Object> c = Json.object();
        if (start != null) c.put("start", start);
        putIfPresent(c, "host", host);
        if (cid != 0) c.put("id", cid);
        c.put("acc", account);
        putIfPresent(c, "user", user);
        putIfPresent(c, "name", name);
        putIfPresent(c, "lang", lang);
        putIfPresent(c, "ver", version);
        if (rttNanos > 0) c.put("rtt", rttNanos > 1_000 && rttNanos < 1_000_000 ? rttNanos - rttNanos % 1_000 : rttNanos);
        if (stop != null) c.put("stop", stop);
        c.put("kind", "Client");
        c.put("client_type", clientType == null ? "nats" : clientType);
        putIfPresent(c, "client_id", mqttClientId);
        return c;
    }

    static Map<String, Object> dataStats(long msgs, long bytes) {
        Map<String, Object> m = Json.object();
        m.put("msgs", msgs);
        m.put("bytes", bytes);
        return m;
    }

    private static void putIfPresent(Map<String, Object> m, String key, String value) {
        if (value != null && !value.isEmpty()) m.put(key, value);
    }

    private static String ip(ClientConnection c) {
        InetSocketAddress a = c.remoteSocketAddress();
        return a == null ? null : a.getAddress().getHostAddress();
    }
}
