package io.jnatsd.server.leaf;

import io.jnatsd.server.config.LeafNodeOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One configured remote (a hub this server connects to as a leaf node) and what it learns
 * while connected: the hub cluster's other leaf node URLs, and a pause before the next dial
 * after a loop or a cluster name clash (upstream's connDelay). URLs are tried in turn, shuffled
 * once unless {@code no_randomize}, as upstream's pickNextURL.
 */
final class LeafRemote {
    final LeafNodeOptions.Remote config;
    /** deny_imports: interest not sent to the hub, so the hub never sends these here. */
    final LeafDenyList imports;
    /** deny_exports: messages not sent to the hub, and the hub's interest in them not taken. */
    final LeafDenyList exports;
    private final List<URI> urls = new ArrayList<>();
    private URI current;
    private long delayMillis;
    private io.netty.handler.ssl.SslContext tlsContext;
    private int failedAttempts;

    LeafRemote(LeafNodeOptions.Remote config) {
        this.config = config;
        this.imports = new LeafDenyList(config.denyImports);
        this.exports = new LeafDenyList(config.denyExports);
        urls.addAll(config.urls);
        if (!config.noRandomize) Collections.shuffle(urls);
    }

    /** The next URL to dial: the one after the last tried. */
    synchronized URI next() {
        if (current != null && urls.size() > 1 && sameHostPort(current, urls.get(0))) urls.add(urls.remove(0));
        current = urls.get(0);
        return current;
    }

    synchronized URI current() {
        return current;
    }

    /** The user and password of the URL dialled, or of any configured URL (for URLs learnt from the hub). */
    synchronized String[] userInfo() {
        List<URI> candidates = new ArrayList<>();
        if (current != null) candidates.add(current);
        candidates.addAll(config.urls);
        for (URI u : candidates) {
            String ui = u.getUserInfo();
            if (ui == null) continue;
            int colon = ui.indexOf(':');
            return colon < 0 ? new String[] {ui, null} : new String[] {ui.substring(0, colon), ui.substring(colon + 1)};
        }
        return null;
    }

    /** The hub's INFO listed its cluster's leaf node URLs: those, then the configured ones. */
    synchronized void learned(List<String> hostPorts) {
        if (hostPorts == null || hostPorts.isEmpty()) return;
        List<URI> fresh = new ArrayList<>();
        for (String hp : hostPorts) {
            URI u;
            try {
                u = URI.create("nats-leaf://" + hp);
            } catch (IllegalArgumentException e) {
                continue;
            }
            boolean configured = config.urls.stream().anyMatch(c -> sameHostPort(c, u));
            if (!configured && fresh.stream().noneMatch(c -> sameHostPort(c, u))) fresh.add(u);
        }
        fresh.addAll(config.urls);
        urls.clear();
        urls.addAll(fresh);
    }

    synchronized void delayNextConnect(long millis) {
        delayMillis = millis;
    }

    /** The pause before the next dial (taken once), at least {@code base}. */
    synchronized long takeDelay(long base) {
        long d = Math.max(base, delayMillis);
        delayMillis = 0;
        return d;
    }

    /**
     * The TLS client context for this remote: its {@code tls} block's CA (or no check with
     * {@code insecure}) and certificate, or the JVM's trust store when the hub requires TLS and
     * the remote has no block, as upstream then uses the system roots. Built once.
     */
    synchronized io.netty.handler.ssl.SslContext tlsContext() throws java.io.IOException, java.security.GeneralSecurityException {
        if (tlsContext != null) return tlsContext;
        var o = config.tls;
        var b = io.netty.handler.ssl.SslContextBuilder.forClient().sslProvider(io.netty.handler.ssl.SslProvider.JDK);
        if (o != null) {
            if (o.certFile != null) {
                b.keyManager(new io.jnatsd.server.net.PemKeyManager(
                        io.jnatsd.server.net.PemFiles.privateKey(java.nio.file.Path.of(o.keyFile)),
                        io.jnatsd.server.net.PemFiles.certificates(java.nio.file.Path.of(o.certFile))));
            }
            if (o.insecure) b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            else if (o.caFile != null) {
                b.trustManager(io.jnatsd.server.net.PemFiles.certificates(java.nio.file.Path.of(o.caFile))
                        .toArray(java.security.cert.X509Certificate[]::new));
            }
        }
        tlsContext = b.build();
        return tlsContext;
    }

    /**
     * A TLS client handler for dialling {@code url}: the remote's context, the hub's name checked
     * against its certificate unless {@code insecure}, the block's timeout (2 s without one).
     */
    io.netty.handler.ssl.SslHandler newTlsHandler(io.netty.buffer.ByteBufAllocator alloc, URI url)
            throws java.io.IOException, java.security.GeneralSecurityException {
        var engine = tlsContext().newEngine(alloc, url.getHost(), url.getPort());
        if (verifiesHost()) {
            var p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        var handler = new io.netty.handler.ssl.SslHandler(engine, false);
        var o = config.tls;
        handler.setHandshakeTimeoutMillis(o == null ? 2000 : Math.max(1, o.timeout.toMillis()));
        return handler;
    }

    /** The remote's URLs are {@code ws://} or {@code wss://} (upstream allows no mix). */
    boolean isWebSocket() {
        String s = config.urls.get(0).getScheme();
        return s != null && (s.equalsIgnoreCase("ws") || s.equalsIgnoreCase("wss"));
    }

    /** TLS beneath the WebSocket: a {@code wss://} URL, or a {@code tls} block. */
    boolean isSecureWebSocket() {
        return "wss".equalsIgnoreCase(config.urls.get(0).getScheme()) || config.tls != null;
    }

    /** The upgrade request's URI: upstream's {@code /leafnode} path, then the URL's own path. */
    URI webSocketUri(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (path.startsWith("/")) path = path.substring(1);
        return URI.create((isSecureWebSocket() ? "wss" : "ws") + "://" + url.getHost() + ":" + url.getPort() + "/leafnode" + path);
    }

    /** Whether the dialled hub's name is checked against its certificate (not with {@code insecure}). */
    boolean verifiesHost() {
        return config.tls == null || !config.tls.insecure;
    }

    /** A connection was made to a hub at least once (upstream then fills in the local account). */
    volatile boolean dialled;

    synchronized int failed() {
        return ++failedAttempts;
    }

    synchronized void connected() {
        failedAttempts = 0;
    }

    String localAccount() {
        return config.localAccount();
    }

    private static boolean sameHostPort(URI a, URI b) {
        return a.getPort() == b.getPort() && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost());
    }
}
