package io.jnatsd.server.gateway;

import io.jnatsd.server.config.GatewayOptions;
import io.jnatsd.server.config.TlsOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Another cluster this server connects to: configured ({@code gateways [...]}) or implicit
 * (learnt from gossip or from an inbound connection), with the URLs configured and those its
 * INFO announced, tried in random order as upstream does.
 */
final class GatewayRemote {
    final String name;
    /** Upstream's 6-character hash of the name: the cluster part of a mapped reply. */
    final String hash;
    final boolean implicit;
    final TlsOptions tls;
    private final List<URI> configured;
    /** By {@code host:port}, as upstream keys its URL map. */
    private final Map<String, URI> urls = new LinkedHashMap<>();
    private int attempts;
    private volatile long connects;

    GatewayRemote(String name, List<URI> configured, TlsOptions tls, boolean implicit) {
        this.name = name;
        this.hash = io.jnatsd.server.core.NameHash.of(name, 6);
        this.configured = List.copyOf(configured);
        this.tls = tls;
        this.implicit = implicit;
        for (URI u : configured) urls.put(hostPort(u), u);
    }

    static GatewayRemote of(GatewayOptions.Remote r, TlsOptions blockTls) {
        return new GatewayRemote(r.name, r.urls, r.tls != null ? r.tls : blockTls, false);
    }

    /** The URLs in random order. */
    synchronized List<URI> shuffled() {
        List<URI> out = new ArrayList<>(urls.values());
        Collections.shuffle(out);
        return out;
    }

    /** The configured URLs and those the remote's INFO lists (upstream's updateURLs). */
    synchronized void update(List<String> announced) {
        urls.clear();
        for (URI u : configured) urls.put(hostPort(u), u);
        add(announced);
    }

    /** Adds URLs a gossip or an INFO named (upstream's addURLs). */
    synchronized void add(List<String> announced) {
        for (String hp : announced) {
            if (urls.containsKey(hp)) continue;
            try {
                urls.put(hp, new URI((tls != null ? "tls" : "nats") + "://" + hp));
            } catch (java.net.URISyntaxException ignored) {
                // upstream skips a URL it cannot parse
            }
        }
    }

    synchronized List<String> hostPorts() {
        return new ArrayList<>(urls.keySet());
    }

    synchronized boolean hasUrls() {
        return !urls.isEmpty();
    }

    /** One more round of dialling every URL; returns how many rounds so far. */
    synchronized int nextAttempt() {
        return ++attempts;
    }

    synchronized void connected() {
        attempts = 0;
        connects++;
    }

    List<String> configuredUrls() {
        List<String> out = new ArrayList<>();
        for (URI u : configured) out.add(u.toString());
        return out;
    }

    static String hostPort(URI u) {
        String host = u.getHost() != null ? u.getHost() : "";
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + u.getPort();
    }
}
