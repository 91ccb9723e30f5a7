package io.jnatsd.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.core.MsgTrace;
import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.Nonces;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.cluster.Cluster;
import io.jnatsd.server.client.ClientConnection;
import io.jnatsd.server.client.ClientServices;
import io.jnatsd.server.client.ServerStats;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.core.Account;
import io.jnatsd.server.events.SystemEvents;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.monitor.ClosedConnections;
import io.jnatsd.server.monitor.ConnInfo;
import io.jnatsd.server.monitor.MessageTotals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import io.jnatsd.server.net.ServerTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's side of its client connections: admission (max_connections), the INFO each
 * client is greeted with, authentication, the set of live connections, and what is kept of
 * closed ones (their final state for /connz, their messages in the server's totals).
 */
final class ClientRegistry implements ClientServices {
    /** The streaming generator, not an ObjectMapper: databind's set-up cost every start ~40 ms. */
    private static final JsonFactory JSON = new JsonFactory();
    // Upstream joins "INFO", the JSON and CRLF with spaces: note the space before CRLF.
    private static final byte[] INFO_PREFIX = "INFO ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO_SUFFIX = " \r\n".getBytes(StandardCharsets.US_ASCII);

    private final NatsServer server;
    private final ServerStats stats = new ServerStats();
    private final AtomicLong clientIds = new AtomicLong();
    private final AtomicInteger admitted = new AtomicInteger();
    private final Map<Long, ClientConnection> live = new ConcurrentHashMap<>();
    private final ClosedConnections closed;
    // Messages sent to connections that have closed; guarded by totalsLock, which also makes
    // moving a connection's counts from "live" to "closed" atomic for messageTotals().
    /** Set once lame duck mode starts: INFO then carries {@code ldm} and only the other servers' URLs. */
    private volatile boolean lameDuck;
    private final Object totalsLock = new Object();
    private long closedOutMsgs;
    private long closedOutBytes;
    /** Per account: in msgs, in bytes, out msgs, out bytes of its closed connections. */
    private final Map<Account, long[]> closedByAccount = new java.util.IdentityHashMap<>();

    ClientRegistry(NatsServer server) {
        this.server = server;
        this.closed = new ClosedConnections(server.options().maxClosedClients); // a reload may not change it
    }

    @Override
    public ServerOptions options() {
        return server.options();
    }

    @Override
    public ServerLog log() {
        return server.log();
    }

    @Override
    public ServerStats stats() {
        return stats;
    }

    @Override
    public long nextClientId() {
        return clientIds.incrementAndGet();
    }

    @Override
    public byte[] infoLine(ClientConnection client) {
        return infoLine(client, authRequired(), false);
    }

    /**
     * The INFO line for {@code client}, with {@code auth_required} as its transport decides it (WebSocket clients
     * may have their own authorization) and the {@code connect_urls} of its transport (the cluster's WebSocket URLs
     * for a {@code websocket} client, as upstream); everything else is the server's, as upstream sends it on every
     * transport.
     */
    byte[] infoLine(ClientConnection client, boolean authRequired, boolean websocket) {
        boolean ldm = lameDuck;
        ServerOptions opts = server.options();
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        line.writeBytes(INFO_PREFIX);
        try (JsonGenerator info = JSON.createGenerator(line, JsonEncoding.UTF8)) {
            info.writeStartObject();
            info.writeStringField("server_id", server.serverId());
            info.writeStringField("server_name", server.serverName());
            info.writeStringField("version", Versions.NATS_COMPATIBLE);
            info.writeNumberField("proto", Versions.PROTO);
            info.writeStringField("host", opts.host == null || opts.host.isEmpty() ? "0.0.0.0" : opts.host);
            info.writeNumberField("port", server.port());
            info.writeBooleanField("headers", !opts.noHeaderSupport);
            if (authRequired) info.writeBooleanField("auth_required", true);
            ServerTls tls = tls();
            if (tls != null) {
                // With allow_non_tls, TLS is available rather than required (unless TLS comes first).
                boolean required = !opts.allowNonTls || tls.handshakeFirst();
                if (required) info.writeBooleanField("tls_required", true);
                if (tls.verify()) info.writeBooleanField("tls_verify", true);
                if (!required) info.writeBooleanField("tls_available", true);
            }
            info.writeNumberField("max_payload", opts.maxPayload);
            Cluster cluster = server.cluster();
            if (cluster != null) {
                info.writeStringField("cluster", cluster.name());
                // In lame duck mode only the other servers' URLs, so clients move there.
                List<String> urls = !cluster.advertises() ? List.of()
                        : websocket ? (ldm ? cluster.peersWebsocketUrls() : server.websocketConnectUrls())
                        : ldm ? cluster.peersClientUrls() : server.clientConnectUrls();
                if (!urls.isEmpty()) {
                    info.writeArrayFieldStart("connect_urls");
                    for (String u : urls) info.writeString(u);
                    info.writeEndArray();
                }
            }
            if (ldm) info.writeBooleanField("ldm", true);
            if (opts.jetstream) info.writeBooleanField("jetstream", true);
            info.writeNumberField("client_id", client.cid());
            InetSocketAddress remote = client.remoteSocketAddress();
            if (remote != null) info.writeStringField("client_ip", remote.getAddress().getHostAddress());
            if (client.nonce() != null) info.writeStringField("nonce", client.nonce());
            info.writeStringField("jnatsd_version", Versions.jnatsd());
            info.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        line.writeBytes(INFO_SUFFIX);
        return line.toByteArray();
    }

    @Override
    public boolean authRequired() {
        return server.authenticator().authRequired();
    }

    @Override
    public User authenticate(ConnectOptions c, ClientConnection client) {
        InetSocketAddress remote = client.remoteSocketAddress();
        AuthRequest req = AuthRequest.standard(c, client.nonce(), client.peerCertificates(),
                remote == null ? null : remote.getAddress());
        return server.authenticator().authenticate(req);
    }

    @Override
    public String configuredAccount(ConnectOptions c) {
        return server.authenticator().configuredAccount(c);
    }

    @Override
    public boolean authIsSlow(ConnectOptions c) {
        return server.authenticator().isSlow(c);
    }

    @Override
    public java.util.concurrent.Executor authExecutor() {
        return server.authExecutor();
    }

    @Override
    public String authFailureText(ConnectOptions c) {
        return server.authenticator().failureText(c);
    }

    @Override
    public User noAuthUser() {
        return server.authenticator().noAuthUser();
    }

    @Override
    public String newNonce() {
        return server.authenticator().needsNonce() ? Nonces.generate() : null;
    }

    @Override
    public ServerTls tls() {
        return server.tls();
    }

    @Override
    public Account account(String name) {
        return server.resolveAccount(name);
    }

    @Override
    public boolean register(ClientConnection client) {
        if (!admit()) return false;
        live.put(client.cid(), client);
        return true;
    }

    /**
     * Counts a client against max_connections (NATS and MQTT clients share it, as upstream's s.clients does);
     * false when it is over.
     */
    boolean admit() {
        int max = server.options().maxConnections;
        if (max >= 0 && admitted.incrementAndGet() > max) {
            admitted.decrementAndGet();
            return false;
        }
        if (max < 0) admitted.incrementAndGet();
        stats.totalConnections.increment();
        return true;
    }

    /** An MQTT client admitted by {@link #admit} has gone. */
    void release() {
        admitted.decrementAndGet();
    }

    @Override
    public void sendMsgTrace(MsgTrace trace) {
        SystemEvents events = server.events();
        if (events != null) events.msgTrace(trace);
    }

    @Override
    public void clientConnected(ClientConnection client) {
        SystemEvents events = server.events();
        if (events != null) events.clientConnected(client);
    }

    /**
     * Called once the connection's outbound side is closed, so its counters are final: they move
     * into the closed totals, and its final state into the closed-connections ring.
     */
    @Override
    public void unregister(ClientConnection client) {
        ConnInfo last = ConnInfo.closed(client, Instant.now(), System.nanoTime());
        synchronized (totalsLock) {
            if (live.remove(client.cid()) != null) {
                admitted.decrementAndGet();
                closedOutMsgs += client.outMsgs();
                closedOutBytes += client.outBytes();
                long[] t = closedByAccount.computeIfAbsent(client.account(), a -> new long[4]);
                t[0] += client.inMsgs();
                t[1] += client.inBytes();
                t[2] += client.outMsgs();
                t[3] += client.outBytes();
            }
        }
        closed.add(last);
        SystemEvents events = server.events();
        if (events != null) events.clientClosed(client, last);
    }

    /** In and out message totals, closed connections included, as of one moment. */
    MessageTotals messageTotals() {
        synchronized (totalsLock) {
            long outMsgs = closedOutMsgs;
            long outBytes = closedOutBytes;
            for (ClientConnection c : live.values()) {
                outMsgs += c.outMsgs();
                outBytes += c.outBytes();
            }
            return new MessageTotals(stats.inMsgs.sum(), stats.inBytes.sum(), outMsgs, outBytes);
        }
    }

    /** An account's message totals, its closed connections included, as of one moment. */
    MessageTotals accountTotals(Account account) {
        synchronized (totalsLock) {
            long[] t = closedByAccount.getOrDefault(account, new long[4]);
            long inMsgs = t[0], inBytes = t[1], outMsgs = t[2], outBytes = t[3];
            for (ClientConnection c : live.values()) {
                if (c.account() != account) continue;
                inMsgs += c.inMsgs();
                inBytes += c.inBytes();
                outMsgs += c.outMsgs();
                outBytes += c.outBytes();
            }
            return new MessageTotals(inMsgs, inBytes, outMsgs, outBytes);
        }
    }

    ClosedConnections closed() {
        return closed;
    }

    int count() {
        return live.size();
    }

    List<ClientConnection> all() {
        return new ArrayList<>(live.values());
    }

    /** Lame duck mode: every client that takes async INFO is told ({@code ldm}), with the other servers' URLs. */
    void enterLameDuckMode() {
        lameDuck = true;
        sendInfoToAll();
    }

    /** The cluster's client URLs changed: every client that takes async INFO gets a new one. */
    void sendInfoToAll() {
        for (ClientConnection c : live.values()) c.sendAsyncInfo();
    }

    void awaitEmpty(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!live.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
