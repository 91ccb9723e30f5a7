package io.jnatsd.server.leaf;

import io.jnatsd.server.conn.PeerJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.auth.AuthRequest;
import io.jnatsd.server.auth.User;
import io.jnatsd.server.config.LeafNodeOptions;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.conn.ConnectionHandler;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.net.Transport;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * This server's leaf node connections, in both roles: the listener leaf nodes connect to (this
 * server their hub) and the remotes it connects to as a leaf node, redialled after
 * {@code reconnect} while the server runs. Also what the connections share: the INFO, how an
 * accepted leaf node authenticates and which account it binds to, and each account's loop
 * detection subject ({@code $LDS.}).
 */
public final class LeafNodes {
    private static final int SOCKET_HIGH_WATER_MARK = 64 * 1024 * 1024;
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(2);
    /** Upstream's pause before redialling after a loop, a permission violation or a cluster name clash. */
    static final Duration LOOP_DELAY = Duration.ofSeconds(30);

    private final ServerOptions opts;
    private final LeafNodeOptions lo;
    private final LeafNodeServices server;
    private final List<LeafRemote> remotes = new ArrayList<>();
    private final Set<LeafConnection> all = ConcurrentHashMap.newKeySet();
    /** TLS on accepted leaf connections ({@code leafnodes.tls}): INFO in plaintext, then the handshake, as upstream. */
    private final io.jnatsd.server.net.ServerTls tls;
    /** Each account's loop detection subject, made once. */
    private final Map<String, String> loopSubjects = new ConcurrentHashMap<>();
    private final java.util.function.LongSupplier cids;
    private Transport transport;
    private Channel listener;
    private volatile boolean running;

    /** {@code cids} hands out connection ids from the server's client sequence, as upstream's leafs share it. */
    public LeafNodes(ServerOptions opts, LeafNodeServices server, java.util.function.LongSupplier cids) {
        this.opts = opts;
        this.lo = opts.leafNodes;
        this.server = server;
        this.cids = cids;
        for (LeafNodeOptions.Remote r : lo.remotes) remotes.add(new LeafRemote(r));
        this.tls = lo.tls == null || !lo.accepts() ? null : io.jnatsd.server.net.ServerTls.create(lo.tls, server.log());
    }

    /** Binds the leaf node listener (when configured) and starts dialling the remotes. */
    public void start(Transport transport) throws InterruptedException {
        this.transport = transport;
        running = true;
        if (lo.accepts()) {
            int port = lo.port < 0 ? 0 : lo.port;
            listener = transport.listen(lo.host, port, SOCKET_HIGH_WATER_MARK, this::accepted);
            server.log().notice("Listening for leafnode connections on %s", hostPort(lo.listenHost(), port()));
        }
        for (LeafRemote r : remotes) dial(r);
    }

    public void shutdown() {
        running = false;
        if (listener != null) listener.close().syncUninterruptibly();
        for (LeafConnection c : all) c.close("Server Shutdown");
    }

    private void accepted(SocketChannel ch) {
        if (tls != null) tls.install(ch.pipeline(), ch.alloc(), false);
        LeafConnection c = new LeafConnection(this, ch, null, false);
        all.add(c);
        ch.pipeline().addLast(new ConnectionHandler(c));
    }

    /**
     * A leaf node that came in on the WebSocket listener ({@code /leafnode}), upgraded: served as
     * one on the leaf node port, the frames beneath it. Returns the Close frame's status.
     */
    public java.util.function.Supplier<io.jnatsd.server.websocket.CloseStatus> acceptedWebSocket(SocketChannel ch) {
        LeafConnection c = new LeafConnection(this, ch, null, true);
        all.add(c);
        ch.pipeline().addLast(new ConnectionHandler(c));
        return () -> closeStatus(c.closedReason());
    }

    /** As upstream's wsEnqueueCloseMessage for a leaf node: going away at shutdown, else a normal close with the reason. */
    static io.jnatsd.server.websocket.CloseStatus closeStatus(String reason) {
        int code = "Server Shutdown".equals(reason) ? io.jnatsd.server.websocket.CloseStatus.GOING_AWAY
                : io.jnatsd.server.websocket.CloseStatus.NORMAL_CLOSURE;
        return new io.jnatsd.server.websocket.CloseStatus(code, reason == null ? "" : reason);
    }

    private void dial(LeafRemote remote) {
        if (!running) return;
        URI url = remote.next();
        String host = url.getHost() != null ? url.getHost() : io.jnatsd.server.config.ClusterOptions.address(url).getHostString();
        int port = url.getPort();
        server.log().debug("Trying to connect as leafnode to remote server on %s", hostPort(host, port));
        transport.connect(host, port, SOCKET_HIGH_WATER_MARK, DIAL_TIMEOUT, ch -> {
            if (!remote.isWebSocket()) {
                solicited(ch, remote);
                return;
            }
            io.netty.channel.ChannelHandler tlsHandler = null;
            if (remote.isSecureWebSocket()) {
                try {
                    tlsHandler = remote.newTlsHandler(ch.alloc(), url);
                } catch (java.io.IOException | java.security.GeneralSecurityException | RuntimeException e) {
                    server.log().error("Error soliciting websocket connection: TLS configuration error: %s", e.getMessage());
                    ch.close();
                    return;
                }
            }
            io.jnatsd.server.websocket.WebSocketDialer.install(ch, remote.webSocketUri(url), tlsHandler,
                    remote.config.wsCompression, remote.config.wsNoMasking, DIAL_TIMEOUT.toMillis(),
                    (int) Math.min(Integer.MAX_VALUE, 2L * opts.maxPayload + opts.maxControlLine), server.log(),
                    upgraded -> solicited(upgraded, remote));
        }).addListener(f -> {
            if (f.isSuccess()) {
                remote.dialled = true;
                return;
            }
            int attempt = remote.failed();
            String why = f.cause() == null ? "?" : f.cause().getMessage();
            String text = "Error trying to connect as leafnode to remote server \"" + hostPort(host, port)
                    + "\" (attempt " + attempt + "): " + why;
            if (reportsFailure(remote.dialled, attempt)) server.log().error("%s", text);
            else server.log().debug("%s", text);
            later(remote);
        });
    }

    /**
     * Upstream's shouldReportConnectErr: a failed dial is an error on the first attempt and
     * then every {@code connect_error_reports} (3600) attempts while the remote was never
     * reached, every {@code reconnect_error_reports} (1) once it had been; debug otherwise.
     */
    private boolean reportsFailure(boolean reconnecting, int attempt) {
        long every = everyNth(reconnecting ? "reconnect_error_reports" : "connect_error_reports", reconnecting ? 1 : 3600);
        return attempt == 1 || attempt % every == 0;
    }

    private long everyNth(String option, long fallback) {
        return opts.otherBlocks.get(option) instanceof Number n && n.longValue() > 0 ? n.longValue() : fallback;
    }

    private void solicited(SocketChannel ch, LeafRemote remote) {
        LeafConnection c = new LeafConnection(this, ch, remote, remote.isWebSocket());
        all.add(c);
        ch.pipeline().addLast(new ConnectionHandler(c));
    }

    /** Dials {@code remote} again after {@code reconnect} (or the longer pause a loop asked for). */
    private void later(LeafRemote remote) {
        if (!running) return;
        long delay = remote.takeDelay(lo.reconnect.toMillis());
        transport.workers().next().schedule(() -> dial(remote), delay, TimeUnit.MILLISECONDS);
    }

    // ---- called by connections ----

    /**
     * An accepted leaf node passed CONNECT: registered. A connection from the same server and
     * cluster bound to the same account replaces the one before it (a leaf reconnecting before
     * this side noticed the old connection died), as upstream.
     */
    void register(LeafConnection c) {
        if (c.solicited()) return;
        for (LeafConnection old : all) {
            if (old != c && !old.solicited() && old.registered() && java.util.Objects.equals(old.remoteServer(), c.remoteServer())
                    && java.util.Objects.equals(old.remoteCluster(), c.remoteCluster())
                    && old.account() == c.account() && c.remoteServer() != null && !c.remoteServer().isEmpty()) {
                old.closeWithError("Duplicate Remote LeafNode Connection", "Duplicate Remote LeafNode Connection");
                server.log().warn("%s - lid:%d - Replacing connection from same server", c.remoteAddress(), c.cid());
            }
        }
    }

    void closed(LeafConnection c) {
        all.remove(c);
        if (c.remote() != null) later(c.remote());
    }

    long nextCid() {
        return cids.getAsLong();
    }

    /** The account's loop detection subject, made on first use. */
    String loopSubject(String account) {
        return loopSubjects.computeIfAbsent(account, a -> "$LDS." + randomToken());
    }

    /** The account an accepted leaf node binds to, and the permissions of the user it authenticated as (null: all). */
    record Binding(String account, io.jnatsd.server.auth.Permissions permissions) {}

    /**
     * Who an accepted leaf node is, and so which account it binds to, as upstream's
     * isLeafNodeAuthorized: the leaf node {@code authorization} user or users when configured,
     * else the server's own authorization (then {@code leafnodes.authorization.account}, or
     * {@code $G}, for a leaf node without credentials where none is required), whose user's
     * permissions then apply to the leaf. Null when refused.
     */
    Binding authenticate(ConnectOptions c, String nonce, InetAddress address, List<java.security.cert.X509Certificate> certs) {
        if (lo.username != null && !lo.username.isEmpty()) {
            return lo.username.equals(c.user) && matches(lo.password, c.pass) ? new Binding(accountOrGlobal(lo.account), null) : null;
        }
        if (!lo.users.isEmpty() && lo.tls != null && lo.tls.verifyAndMap) return userFromCertificate(c, certs);
        if (!lo.users.isEmpty()) {
            for (LeafNodeOptions.LeafUser u : lo.users) {
                if (u.user() != null && u.user().equals(c.user)) {
                    return matches(u.password(), c.pass) ? new Binding(accountOrGlobal(u.account()), null) : null;
                }
            }
            return null;
        }
        User user = server.authenticate(new AuthRequest(c, nonce, List.of(), "LEAFNODE", address));
        if (user == null) return null;
        if (!server.authRequired() && lo.account != null && !lo.account.isEmpty()) return new Binding(lo.account, null);
        return new Binding(user.account(), user.permissions());
    }

    /**
     * {@code tls { verify_and_map: true }} with leaf node users: the user is the one the leaf's
     * certificate names (an email, DNS or URI SAN, or the subject), as upstream's
     * checkClientTLSCertSubject; a user in CONNECT is ignored (with a warning, as upstream).
     */
    private Binding userFromCertificate(ConnectOptions c, List<java.security.cert.X509Certificate> certs) {
        if (certs == null || certs.isEmpty()) {
            server.log().debug("User required in cert, no peer certificates found");
            return null;
        }
        List<String> names = lo.users.stream().map(LeafNodeOptions.LeafUser::user).filter(java.util.Objects::nonNull).toList();
        String name = io.jnatsd.server.auth.CertificateIdentity.map(certs.get(0), names::contains, names);
        if (name == null) return null;
        if (c.user != null && !c.user.isEmpty()) {
            server.log().warn("User \"%s\" found in connect proto, but user required from cert", c.user);
        }
        for (LeafNodeOptions.LeafUser u : lo.users) {
            if (name.equals(u.user())) return new Binding(accountOrGlobal(u.account()), null);
        }
        return null;
    }

    private static String accountOrGlobal(String account) {
        return account == null || account.isEmpty() ? User.GLOBAL_ACCOUNT : account;
    }

    private static boolean matches(String expected, String given) {
        return io.jnatsd.server.auth.Passwords.matches(expected, given);
    }

    /**
     * The hub's INFO for a leaf node: always {@code auth_required} (a leaf must send CONNECT to
     * bind an account), its client id, this server's leaf node URL, and a nonce to sign.
     */
    byte[] infoLine(long cid, String nonce, String remoteAccount) {
        return infoLine(cid, nonce, remoteAccount, null, false);
    }

    /**
     * The INFO answering a leaf's CONNECT carries its user's permissions for the leaf to enforce
     * too; over WebSocket it never asks for TLS (the WebSocket listener's TLS, if any, is done).
     */
    byte[] infoLine(long cid, String nonce, String remoteAccount, io.jnatsd.server.auth.Permissions permissions,
                    boolean websocket) {
        ObjectNode o = PeerJson.JSON.createObjectNode();
        o.put("server_id", server.serverId());
        o.put("server_name", server.serverName());
        o.put("version", server.version());
        o.put("proto", 1);
        o.put("go", "java");
        String[] advertised = advertised();
        o.put("host", advertised[0]);
        o.put("port", Integer.parseInt(advertised[1]));
        o.put("headers", true);
        o.put("auth_required", true);
        if (tls != null && !websocket) {
            o.put("tls_required", true);
            if (tls.verify()) o.put("tls_verify", true);
        }
        o.put("max_payload", opts.maxPayload);
        if (server.jetStream()) o.put("jetstream", true);
        if (cid > 0) o.put("client_id", cid);
        if (nonce != null) o.put("nonce", nonce);
        String cluster = server.clusterName();
        if (cluster != null) o.put("cluster", cluster);
        String domain = server.jetStreamDomain();
        if (domain != null && !domain.isEmpty()) o.put("domain", domain);
        var urls = o.putArray("leafnode_urls");
        urls.add(hostPort(advertised[0], Integer.parseInt(advertised[1])));
        if (!lo.noAdvertise) server.clusterLeafUrls().forEach(urls::add);
        LeafPermissions.toInfo(permissions, o);
        if (remoteAccount != null) {
            o.put("remote_account", remoteAccount);
            o.put("connect_info", true);
        } else {
            o.put("info_on_connect", true);
        }
        return LeafJson.line("INFO", o);
    }

    /** This server's leaf node URL ({@code host:port}) as leaf nodes are told it; null without a listener or with no_advertise. */
    public String advertisedUrl() {
        if (!lo.accepts() || lo.noAdvertise || listener == null) return null;
        String[] a = advertised();
        return hostPort(a[0], Integer.parseInt(a[1]));
    }

    /** The cluster's leaf node URLs changed: every leaf node here gets an INFO with them, as upstream. */
    public void sendInfoToAll() {
        if (listener == null) return;
        byte[] line = infoLine(0, null, null);
        for (LeafConnection c : all) {
            if (c.registered() && !c.solicited()) c.sendInfo(line);
        }
    }

    /** Host and port leaf nodes are told: {@code advertise}, else the listener's (an interface's address for 0.0.0.0). */
    private String[] advertised() {
        String a = lo.advertise;
        if (a != null && !a.isEmpty()) {
            int colon = a.lastIndexOf(':');
            return colon < 0 ? new String[] {a, String.valueOf(port())} : new String[] {a.substring(0, colon), a.substring(colon + 1)};
        }
        String host = lo.listenHost();
        if (host.equals("0.0.0.0") || host.equals("::")) host = "127.0.0.1";
        return new String[] {host, String.valueOf(port())};
    }

    // ---- what connections ask ----

    ServerLog log() { return server.log(); }
    LeafNodeServices services() { return server; }
    ServerOptions options() { return opts; }
    LeafNodeOptions leafOptions() { return lo; }
    boolean running() { return running; }

    // ---- facts for monitoring ----

    /** The bound leaf node port, or the configured one before start. */
    public int port() {
        return listener == null ? lo.port : ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Registered leaf node connections, both roles, for /leafz and /varz. */
    public List<LeafStats> leafs() {
        List<LeafStats> out = new ArrayList<>();
        for (LeafConnection c : all) {
            if (c.registered()) out.add(LeafStats.of(c));
        }
        out.sort(java.util.Comparator.comparingLong(LeafStats::cid));
        return out;
    }

    public int count() {
        int n = 0;
        for (LeafConnection c : all) if (c.registered()) n++;
        return n;
    }

    /** Registered leaf node connections bound to {@code account}. */
    public int count(String account) {
        int n = 0;
        for (LeafConnection c : all) {
            if (c.registered() && c.account() != null && c.account().name().equals(account)) n++;
        }
        return n;
    }

    /**
     * The local account /varz shows for remote {@code i}: as configured; when none is, upstream
     * shows nothing until the remote has connected once and {@code $G} from then on.
     */
    public String varzLocalAccount(int i) {
        LeafRemote r = remotes.get(i);
        String configured = r.config.account;
        if (configured != null && !configured.isEmpty()) return configured;
        return r.dialled ? r.localAccount() : null;
    }

    static String hostPort(String host, int port) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static String randomToken() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(22);
        for (int i = 0; i < 22; i++) b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        return b.toString();
    }
}
