package io.jnatsd.server.events;

import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.monitor.Json;
import io.jnatsd.server.monitor.MonitoredServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This server as its events and replies name it (upstream's {@code ServerInfo}: name, host, id,
 * cluster, domain, version, tags, a sequence number per message, JetStream, time), and the
 * facts that requests' server filters ({@code server_name}, {@code host}, {@code cluster},
 * {@code tags}, {@code domain}) are compared with.
 */
final class ServerBlock {
    private final MonitoredServer server;
    private final String domain;
    private final List<String> tags;
    private final AtomicLong seq = new AtomicLong();

    ServerBlock(MonitoredServer server) {
        this.server = server;
        ServerOptions o = server.options();
        this.domain = o.jetstreamDomain == null ? "" : o.jetstreamDomain;
        this.tags = tags(o.otherBlocks.get("server_tags"));
    }

    /** {@code server_tags: [a, b]} or {@code server_tags: "a"}. */
    private static List<String> tags(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object t : l) out.add(String.valueOf(t).trim());
        } else if (v != null) {
            out.add(String.valueOf(v).trim());
        }
        return List.copyOf(out);
    }

    String id() {
        return server.serverId();
    }

    String name() {
        return server.serverName();
    }

    String host() {
        return server.clientHost();
    }

    /** The cluster this server belongs to; none until clustering is served. */
    String cluster() {
        return "";
    }

    /** The block for one message: every call takes the next sequence number. */
    Map<String, Object> next() {
        Map<String, Object> o = Json.object();
        o.put("name", name());
        o.put("host", host());
        o.put("id", id());
        if (!cluster().isEmpty()) o.put("cluster", cluster());
        if (!domain.isEmpty()) o.put("domain", domain);
        o.put("ver", server.version());
        if (!tags.isEmpty()) o.put("tags", tags);
        o.put("seq", seq.incrementAndGet());
        o.put("jetstream", server.jetStream() != null);
        o.put("time", Instant.now());
        return o;
    }

    /** The static identity an {@code IDZ} request gets. */
    Map<String, Object> identity() {
        Map<String, Object> o = Json.object();
        o.put("name", name());
        o.put("host", host());
        o.put("id", id());
        return o;
    }

    /** Whether a request's server filter leaves this server out (it then stays silent), as upstream matches. */
    boolean filteredOut(RequestOptions f) {
        if (!f.serverName().isEmpty() && !name().contains(f.serverName())) return true;
        if (!f.host().isEmpty() && !host().contains(f.host())) return true;
        if (!f.cluster().isEmpty() && !cluster().contains(f.cluster())) return true;
        for (String t : f.tags()) {
            if (tags.stream().noneMatch(mine -> mine.toLowerCase(Locale.ROOT).equals(t.trim().toLowerCase(Locale.ROOT)))) {
                return true;
            }
        }
        return !f.domain().isEmpty() && !domain.equals(f.domain());
    }
}
