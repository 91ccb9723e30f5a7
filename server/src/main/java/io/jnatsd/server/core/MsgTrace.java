package io.jnatsd.server.core;

import io.jnatsd.protocol.client.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One traced message (upstream 2.11's message tracing, ADR-41) on this server: a client's
 * message with a {@code Nats-Trace-Dest} header collects what happens to it while it is routed
 * (ingress, a subject mapping, service imports and stream exports it crosses, one egress per
 * client subscription it reaches or would reach), and the result is sent as one JSON event to
 * that destination. With {@code Nats-Trace-Only} the message reaches nobody: clients are only
 * listed, and internal subscribers (JetStream, system services) do not get it at all. It rides in
 * the publisher's {@link FlushBatch} while the message is routed, on that one thread.
 */
public final class MsgTrace {
    public static final String DEST = "Nats-Trace-Dest";
    public static final String ONLY = "Nats-Trace-Only";
    /** The value that turns tracing off (not a valid subject, as upstream's). */
    public static final String DISABLED = "trace disabled";
    static final String NO_ECHO = "Not delivered because of no echo";
    static final String NOT_DELIVERED = "Not delivered because client is closed";

    private final Account account;
    private final String dest;
    private final boolean traceOnly;
    private final Map<String, List<String>> header;
    private final int msgSize;
    private final List<Map<String, Object>> events = new ArrayList<>();
    private final Map<String, Object> ingress;
    /** The account whose subscriptions are being matched: another one behind an import. */
    private String routing;

    /**
     * {@code header}: the message's headers (from {@link #headers}); the ingress names the
     * publishing connection {@code cid}/{@code name} of kind {@code kind} and its {@code subject}.
     */
    public MsgTrace(Account account, String dest, boolean traceOnly, Map<String, List<String>> header, int msgSize,
                    ConnectionKind kind, long cid, String name, String subject) {
        this.account = account;
        this.dest = dest;
        this.traceOnly = traceOnly;
        this.header = header;
        this.msgSize = msgSize;
        this.routing = account.name();
        ingress = event("in");
        ingress.put("kind", kindNumber(kind));
        ingress.put("cid", cid);
        if (name != null && !name.isEmpty()) ingress.put("name", name);
        ingress.put("acc", account.name());
        ingress.put("subj", subject);
    }

    /**
     * The message's headers, names as sent and values in order, when it asks to be traced (a
     * {@code Nats-Trace-Dest} header that is not {@link #DISABLED}); else null. Headers with an
     * empty name or value are left out, as upstream reads them.
     */
    public static Map<String, List<String>> headers(byte[] block) {
        String s = new String(block, StandardCharsets.UTF_8);
        if (!s.startsWith("NATS/1.0") || !s.contains(DEST)) return null;
        Map<String, List<String>> out = new LinkedHashMap<>();
        boolean traced = false;
        int line = s.indexOf("\r\n");
        while (line >= 0 && line + 2 < s.length()) {
            int start = line + 2;
            int end = s.indexOf("\r\n", start);
            if (end < 0) break;
            int colon = s.indexOf(':', start);
            if (colon > start && colon < end) {
                String key = s.substring(start, colon);
                String value = s.substring(colon + 1, end).strip();
                if (!value.isEmpty()) {
                    if (!traced && key.equals(DEST)) {
                        if (value.equals(DISABLED)) return null;
                        traced = true;
                    }
                    out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
            }
            line = end;
        }
        return traced ? out : null;
    }

    /** Whether {@code value} of {@link #ONLY} asks for tracing only, as upstream reads it. */
    public static boolean traceOnly(String value) {
        if (value == null) return false;
        String v = value.toLowerCase(Locale.ROOT);
        return v.equals("1") || v.equals("true") || v.equals("on");
    }

    public Account account() {
        return account;
    }

    public String dest() {
        return dest;
    }

    public boolean isTraceOnly() {
        return traceOnly;
    }

    /** The publish was refused (permissions): the ingress says why. */
    public void ingressError(String error) {
        ingress.put("error", error);
    }

    /** The message body upstream sends, less its {@code server} block, which the sender adds. */
    public Map<String, Object> request() {
        Map<String, Object> r = new LinkedHashMap<>();
        if (!header.isEmpty()) r.put("header", header);
        if (msgSize != 0) r.put("msgsize", msgSize);
        return r;
    }

    public List<Map<String, Object>> events() {
        return events;
    }

    // ---- while routing (the publisher's thread) ----

    void mapped(String to) {
        event("sm").put("to", to);
    }

    /** A service import took the message from {@code from} to {@code to} in account {@code acc}. */
    public void serviceImport(String acc, String from, String to) {
        Map<String, Object> e = event("si");
        e.put("acc", acc);
        e.put("from", from);
        e.put("to", to);
    }

    /** A stream export sent the message into account {@code acc} as {@code to}. */
    public void streamExport(String acc, String to) {
        Map<String, Object> e = event("se");
        e.put("acc", acc);
        e.put("to", to);
    }

    /** Subscriptions of {@code accountName} are matched now; returns the one matched before. */
    String enter(String accountName) {
        String before = routing;
        routing = accountName;
        return before;
    }

    void exit(String before) {
        routing = before;
    }

    /** Hands {@code msg} to {@code sub}'s owner, through the trace when there is one. */
    static boolean deliver(Subscription sub, InboundMessage msg, FlushBatch batch) {
        MsgTrace t = batch.trace();
        return t == null ? sub.owner().deliver(sub, msg, batch) : t.traced(sub, msg, batch);
    }

    private boolean traced(Subscription sub, InboundMessage msg, FlushBatch batch) {
        Subscriber owner = sub.owner();
        if (sub.kind() != ConnectionKind.CLIENT) {
            // imports carry the trace on into their account; JetStream and services would act on it
            if (traceOnly && sub.kind() != ConnectionKind.ACCOUNT) return false;
            return owner.deliver(sub, msg, batch);
        }
        if (traceOnly) {
            egress(sub, null);
            return true; // counts as delivered, as upstream's (no 503 for it)
        }
        boolean delivered = owner.deliver(sub, msg, batch);
        egress(sub, delivered ? null : NOT_DELIVERED);
        return delivered;
    }

    /** The publisher is the subscriber and did not ask for its own messages. */
    void noEcho(Subscription sub) {
        if (sub.kind() == ConnectionKind.CLIENT) egress(sub, NO_ECHO);
    }

    private void egress(Subscription sub, String error) {
        Map<String, Object> e = event("eg");
        Subscriber owner = sub.owner();
        e.put("kind", kindNumber(sub.kind()));
        e.put("cid", owner.connectionId());
        String name = owner.connectionName();
        if (name != null && !name.isEmpty()) e.put("name", name);
        if (!routing.equals(account.name())) e.put("acc", routing);
        e.put("sub", sub.subject());
        if (sub.queue() != null) e.put("queue", sub.queue());
        if (error != null) e.put("error", error);
    }

    private Map<String, Object> event(String type) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("ts", Instant.now().toString());
        events.add(e);
        return e;
    }

    /** upstream's connection kinds, as its events number them. */
    static int kindNumber(ConnectionKind kind) {
        return switch (kind) {
            case CLIENT -> 0;
            case ROUTE -> 1;
            case GATEWAY -> 2;
            case SYSTEM -> 3;
            case LEAF, HUB -> 4;
            case JETSTREAM -> 5;
            case ACCOUNT -> 6;
        };
    }
}
