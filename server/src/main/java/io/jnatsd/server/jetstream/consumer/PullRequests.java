package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.JsJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A pull consumer's waiting requests (upstream's waitQueue): at most {@code max}, served round
 * robin one message at a time, so a big batch does not starve a small one behind it. With the
 * {@code prioritized} policy (2.12, ADR-42) the queue is kept in order of the requests'
 * {@code priority} (0 first; a request that is not JSON has none and comes last) and the round
 * robin runs within the best level only. Guarded by the owning consumer's lock.
 */
final class PullRequests {
    /** One {@code CONSUMER.MSG.NEXT} request. Times are {@link System#nanoTime()}; 0 means none. */
    static final class Request {
        final String reply;
        final boolean noWait;
        final long expiresAt;
        final long heartbeatNanos;
        /** The priority group part, or null for a request that is not JSON. */
        final Group group;
        /** The pin id it carries: the one it sent, or the one it was given when served first. */
        String pinId;
        int remaining;
        long maxBytesLeft;
        int delivered;
        long nextHeartbeatAt;

        Request(String reply, Parsed p, long now) {
            this.reply = reply;
            this.remaining = p.batch();
            this.maxBytesLeft = p.maxBytes();
            this.noWait = p.noWait();
            this.expiresAt = p.expiresNanos() > 0 ? now + p.expiresNanos() : 0;
            this.heartbeatNanos = p.heartbeatNanos();
            this.nextHeartbeatAt = heartbeatNanos > 0 ? now + heartbeatNanos : 0;
            this.group = p.group();
            this.pinId = group == null ? "" : group.id();
        }

        boolean expired(long now) {
            return expiresAt != 0 && now - expiresAt > 0;
        }
    }

    /** A request's body as upstream reads it (nextReqFromMsg); {@code error} is the 400 text, or null. */
    record Parsed(int batch, long expiresNanos, long maxBytes, boolean noWait, long heartbeatNanos, Group group,
                  String error) {
        static Parsed error(String error) {
            return new Parsed(1, 0, 0, false, 0, null, error);
        }
    }

    /** A request's priority group fields ("" and 0 when absent). */
    record Group(String name, long minPending, long minAckPending, String id, long priority) {}

    /** Where a request without a priority (not JSON) stands: after every level a request can name. */
    private static final long NO_PRIORITY = Integer.MAX_VALUE;

    /** What the queue sends while it serves and expires requests. */
    interface Replies {
        /** A status with Nats-Pending-Messages/-Bytes headers. */
        void status(String reply, String status, long pendingMessages, long pendingBytes);

        void heartbeat(String reply);
    }

    /** Linked, so that the prioritized policy can insert a request within its level. */
    private final LinkedList<Request> queue = new LinkedList<>();
    private final int max;
    /** When the consumer last saw pull activity, for its inactivity threshold. */
    long lastActivity;

    PullRequests(int max, long now) {
        this.max = max;
        this.lastActivity = now;
    }

    /**
     * Reads a request body: empty (one message), a number (that many), or JSON with
     * {@code batch, expires, max_bytes, no_wait, idle_heartbeat} and the priority group fields
     * {@code group, min_pending, min_ack_pending, id}.
     */
    static Parsed parse(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        if (text.startsWith("{")) {
            JsonNode req;
            try {
                req = JsJson.JSON.readTree(text);
            } catch (IOException e) {
                String m = e.getMessage() == null ? "invalid JSON" : e.getMessage();
                int nl = m.indexOf('\n');
                return Parsed.error("Bad Request - " + (nl > 0 ? m.substring(0, nl) : m));
            }
            long expires = req.path("expires").asLong(0);
            long hb = req.path("idle_heartbeat").asLong(0);
            if (hb > 0 && hb * 2 > expires) return Parsed.error("Bad Request - heartbeat value too large");
            Group group = new Group(req.path("group").asText(""), req.path("min_pending").asLong(0),
                    req.path("min_ack_pending").asLong(0), req.path("id").asText(""), req.path("priority").asLong(0));
            return new Parsed(Math.max(1, req.path("batch").asInt(0)), expires, req.path("max_bytes").asLong(0),
                    req.path("no_wait").asBoolean(false), hb, group, null);
        }
        int batch = 1;
        if (!text.isEmpty()) {
            try {
                batch = Math.max(1, Integer.parseInt(text));
            } catch (NumberFormatException e) {
                batch = 1;
            }
        }
        return new Parsed(batch, 0, 0, false, 0, null, null);
    }

    /** The 409 status for a request beyond the consumer's max_batch, max_expires or max_bytes, or null. */
    static String overLimits(Parsed req, ConsumerConfig cfg) {
        if (cfg.maxBatch > 0 && req.batch() > cfg.maxBatch) return "409 Exceeded MaxRequestBatch of " + cfg.maxBatch;
        if (req.expiresNanos() > 0 && cfg.maxExpires > 0 && req.expiresNanos() > cfg.maxExpires) {
            return "409 Exceeded MaxRequestExpires of " + io.jnatsd.conf.GoDuration.format(cfg.maxExpires);
        }
        if (req.maxBytes() > 0 && cfg.maxBytes > 0 && req.maxBytes() > cfg.maxBytes) {
            return "409 Exceeded MaxRequestMaxBytes of " + cfg.maxBytes;
        }
        return null;
    }

    boolean isFull() {
        return queue.size() >= max;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    /**
     * Adds a request at the end, or with {@code prioritized} at the end of its priority level;
     * false when the queue is full.
     */
    boolean add(Request r, long now, boolean prioritized) {
        if (isFull()) return false;
        if (prioritized) insertByPriority(r);
        else queue.addLast(r);
        lastActivity = now;
        return true;
    }

    private static long priorityOf(Request r) {
        return r.group == null ? NO_PRIORITY : r.group.priority();
    }

    /** Behind every request of the same or a better (lower) priority, before the first worse one. */
    private void insertByPriority(Request r) {
        long p = priorityOf(r);
        ListIterator<Request> it = queue.listIterator();
        while (it.hasNext()) {
            if (priorityOf(it.next()) > p) {
                it.previous();
                break;
            }
        }
        it.add(r);
    }

    /**
     * upstream's nextWaiting: the request that takes a message of {@code size} bytes, closing
     * those it cannot fit (409) and dropping those that expired or lost interest. The priority
     * policy may hold a request back (it goes to the back of the queue) or turn it away (423);
     * null when no request may take the message now. The request taken moves to the end when it
     * wants more and others wait, and leaves when done.
     */
    Request take(long size, long now, Predicate<String> interest, Replies replies,
                 Function<Request, PriorityGroups.Verdict> priority, boolean prioritized) {
        int held = 0;
        while (!queue.isEmpty() && held < queue.size()) {
            Request wr = queue.peekFirst();
            if (wr.expired(now) || !interest.test(wr.reply)) {
                queue.pollFirst();
                continue;
            }
            PriorityGroups.Verdict verdict = priority.apply(wr);
            if (verdict == PriorityGroups.Verdict.SKIP) {
                queue.addLast(queue.pollFirst());
                held++;
                continue;
            }
            if (verdict == PriorityGroups.Verdict.REFUSE) {
                replies.status(wr.reply, "423 Nats-Wrong-Pin-Id", wr.remaining, wr.maxBytesLeft);
                queue.pollFirst();
                continue;
            }
            if (wr.maxBytesLeft > 0) {
                if (size <= wr.maxBytesLeft) {
                    wr.maxBytesLeft -= size;
                    if (wr.maxBytesLeft == 0) wr.remaining = 1;
                } else {
                    replies.status(wr.reply, "409 Message Size Exceeds MaxBytes", wr.remaining, wr.maxBytesLeft);
                    queue.pollFirst();
                    continue;
                }
            }
            queue.pollFirst();
            wr.delivered++;
            wr.remaining--;
            if (wr.remaining > 0) {
                if (queue.isEmpty()) queue.addFirst(wr);
                else if (prioritized) insertByPriority(wr);
                else queue.addLast(wr);
                if (wr.heartbeatNanos > 0) wr.nextHeartbeatAt = now + wr.heartbeatNanos;
            }
            return wr;
        }
        return null;
    }

    /**
     * upstream's processWaiting: expires requests (408 Request Timeout; at the end of the
     * stream also no_wait requests that got something), drops those without interest and sends
     * due request heartbeats. Returns the messages the remaining requests still want; {@code next}
     * receives the time the earliest expiry or heartbeat is due (0: none).
     */
    long expire(boolean endOfStream, long now, Predicate<String> interest, Replies replies, long[] next) {
        long wanted = 0;
        long due = 0;
        Iterator<Request> it = queue.iterator();
        while (it.hasNext()) {
            Request wr = it.next();
            if ((endOfStream && wr.noWait && wr.delivered > 0) || wr.expired(now)) {
                replies.status(wr.reply, "408 Request Timeout", wr.remaining, wr.maxBytesLeft);
                it.remove();
                continue;
            }
            if (!interest.test(wr.reply)) {
                it.remove();
                continue;
            }
            wanted += wr.remaining;
            if (wr.heartbeatNanos > 0) {
                if (now - wr.nextHeartbeatAt >= 0) {
                    replies.heartbeat(wr.reply);
                    wr.nextHeartbeatAt = now + wr.heartbeatNanos;
                }
                due = earliest(due, wr.nextHeartbeatAt);
            }
            if (wr.expiresAt != 0) due = earliest(due, wr.expiresAt);
        }
        next[0] = due;
        return wanted;
    }

    static long earliest(long a, long b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return b - a < 0 ? b : a;
    }

    /** Empties the queue, returning what was in it. */
    List<Request> drain() {
        List<Request> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }
}
