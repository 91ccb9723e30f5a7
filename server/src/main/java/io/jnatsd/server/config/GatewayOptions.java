package io.jnatsd.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code gateway {}} block (upstream's GatewayOpts, 2.9 keys): this cluster's name among
 * the clusters of a super-cluster, the listener other clusters' servers connect to, and the
 * remote gateways this server dials. Filled by {@link GatewayBlock}, checked as upstream's
 * validateGatewayOptions does when the server starts ({@link #validate}).
 */
public final class GatewayOptions {
    /** This cluster's gateway name; also the cluster name when {@code cluster.name} is unset. */
    public String name;
    /** The listen address; null means all interfaces. */
    public String host;
    /** 0: no gateway; -1: a random free port, as upstream. */
    public int port;
    /** host:port to advertise to other clusters instead of the listen address. */
    public String advertise;
    public String username;
    public String password;
    /** Seconds a remote has to send its CONNECT (upstream's default for gateways: the auth timeout, 2 s). */
    public Duration authTimeout = Duration.ofSeconds(2);
    /** TLS on gateway connections, both ways; null for plaintext. */
    public TlsOptions tls;
    /** How many times an implicit (gossiped) gateway is dialled before it is forgotten; 0: once. */
    public int connectRetries;
    /** Refuse inbound connections from gateways not in {@link #gateways} (upstream's reject_unknown). */
    public boolean rejectUnknown;
    public List<Remote> gateways = new ArrayList<>();

    /** One entry of {@code gateways}: another cluster and where to reach it. */
    public static final class Remote {
        public String name;
        public List<URI> urls = new ArrayList<>();
        /** TLS for this remote; null: the block's own {@code tls}. */
        public TlsOptions tls;
    }

    /** Both a name and a port: gateways are on (upstream's enabled). */
    public boolean enabled() {
        return name != null && !name.isEmpty() && port != 0;
    }

    public String listenHost() {
        return host == null || host.isEmpty() ? "0.0.0.0" : host;
    }

    /** Upstream's validateGatewayOptions, with its messages; nothing when no gateway is configured. */
    public void validate() {
        boolean named = name != null && !name.isEmpty();
        if (!named && port == 0) return;
        if (!named) throw new IllegalArgumentException("gateway has no name");
        if (port == 0) {
            throw new IllegalArgumentException("gateway \"" + name + "\" has no port specified (select -1 for random port)");
        }
        for (int i = 0; i < gateways.size(); i++) {
            Remote r = gateways.get(i);
            if (r.name == null || r.name.isEmpty()) throw new IllegalArgumentException("gateway in the list " + i + " has no name");
            if (r.urls.isEmpty()) throw new IllegalArgumentException("gateway \"" + r.name + "\" has no URL");
        }
    }

    public GatewayOptions copy() {
        return OptionsCopy.fields(this, new GatewayOptions(), OptionsCopy::listsAndTls);
    }
}
