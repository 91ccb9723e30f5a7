package io.jnatsd.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code leafnodes {}} block (upstream's LeafNodeOpts, 2.9 keys), validated: the listener
 * leaf nodes connect to (this server their hub) and the remotes this server connects to as a
 * leaf node. Filled by {@link LeafNodeBlock}.
 */
public final class LeafNodeOptions {
    /** Upstream's DEFAULT_LEAF_NODE_RECONNECT. */
    public static final Duration DEFAULT_RECONNECT = Duration.ofSeconds(1);

    /** The listen address; null means all interfaces. */
    public String host;
    /** 0: no leaf node listener; -1: a random free port, as upstream. */
    public int port;
    /** host:port to advertise to leaf nodes instead of the listen address. */
    public String advertise;
    /** Do not tell leaf nodes of the other servers of the cluster. */
    public boolean noAdvertise;
    /** How long to wait before dialling a remote again. */
    public Duration reconnect = DEFAULT_RECONNECT;
    /** {@code min_version}: leaf nodes of an older version are refused; null for any. */
    public String minVersion;
    /** TLS on accepted leaf node connections; null for plaintext. */
    public TlsOptions tls;

    /** {@code authorization}: a single user, or {@link #users} each bound to an account. */
    public String username;
    public String password;
    /** The account leaf nodes that authenticate as the single user (or without credentials) bind to. */
    public String account;
    public List<LeafUser> users = new ArrayList<>();
    /** Seconds a leaf node has to send its CONNECT. */
    public Duration authTimeout = Duration.ofSeconds(2);

    /** The hubs this server connects to as a leaf node. */
    public List<Remote> remotes = new ArrayList<>();

    /** One user of the leaf node {@code authorization}, bound to an account (null: {@code $G}). */
    public record LeafUser(String user, String password, String account) {
    }

    /** One entry of {@code remotes}. */
    public static final class Remote {
        /** nats-leaf://, nats://, tls:// (ws:// and wss:// are refused: not served yet). */
        public List<URI> urls = new ArrayList<>();
        /** The local account the connection binds to; null: {@code $G}. */
        public String account;
        /** A .creds file (user JWT and seed) to authenticate with. */
        public String credentials;
        public TlsOptions tls;
        /** This side is the hub of the connection (upstream's {@code hub: true}). */
        public boolean hub;
        public boolean noRandomize;
        /** {@code ws_compression}: permessage-deflate asked for on a WebSocket remote. */
        public boolean wsCompression;
        /** {@code ws_no_masking}: frames to the hub unmasked, when the hub allows it. */
        public boolean wsNoMasking;
        /** Subjects the hub may not send here (not subscribed over the connection). */
        public List<String> denyImports = new ArrayList<>();
        /** Subjects not sent to the hub. */
        public List<String> denyExports = new ArrayList<>();

        /** The local account, {@code $G} when none is configured. */
        public String localAccount() {
            return account == null || account.isEmpty() ? "$G" : account;
        }
    }

    /** Whether leaf nodes may connect here. */
    public boolean accepts() {
        return port != 0;
    }

    public String listenHost() {
        return host == null || host.isEmpty() ? "0.0.0.0" : host;
    }

    public LeafNodeOptions copy() {
        LeafNodeOptions c = new LeafNodeOptions();
        c.host = host;
        c.port = port;
        c.advertise = advertise;
        c.noAdvertise = noAdvertise;
        c.reconnect = reconnect;
        c.minVersion = minVersion;
        c.tls = tls;
        c.username = username;
        c.password = password;
        c.account = account;
        c.users = new ArrayList<>(users);
        c.authTimeout = authTimeout;
        c.remotes = new ArrayList<>(remotes);
        return c;
    }
}
