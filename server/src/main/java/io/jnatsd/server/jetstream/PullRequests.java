package io.jnatsd.server.jetstream;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A pull consumer's waiting requests (upstream's waitQueue): at most {@code max}, served round
 * robin one message at a time, so a big batch does not starve a small one behind it. Guarded
 * by the owning consumer's lock.
 */
final class PullRequests implements Iterable<PullRequests.Request> {
    /** One {@code CONSUMER.MSG.NEXT} request. Times are {@link System#nanoTime()}; 0 means none. */
    static final class Request {
        final String reply;
        final boolean noWait;
        final long expiresAt;
        final long heartbeatNanos;
        int remaining;
        long maxBytesLeft;
        int delivered;
        long nextHeartbeatAt;

        Request(String reply, int batch, long maxBytes, boolean noWait, long expiresAt, long heartbeatNanos, long now) {
            this.reply = reply;
            this.remaining = batch;
            this.maxBytesLeft = maxBytes;
            this.noWait = noWait;
            this.expiresAt = expiresAt;
            this.heartbeatNanos = heartbeatNanos;
            this.nextHeartbeatAt = heartbeatNanos > 0 ? now + heartbeatNanos : 0;
        }

        boolean expired(long now) {
            return expiresAt != 0 && now - expiresAt > 0;
        }
    }

    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final int max;
    /** When the consumer last saw pull activity, for its inactivity threshold. */
    long lastActivity;

    PullRequests(int max, long now) {
        this.max = max;
        this.lastActivity = now;
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

    /** Adds a request at the end; false when the queue is full. */
    boolean add(Request r, long now) {
        if (isFull()) return false;
        queue.addLast(r);
        lastActivity = now;
        return true;
    }

    Request peek() {
        return queue.peekFirst();
    }

    /**
     * Takes one message's worth from the head request: it moves to the end when it wants more
     * (and others wait), and leaves the queue when done.
     */
    Request pop() {
        Request r = queue.pollFirst();
        if (r == null) return null;
        r.delivered++;
        r.remaining--;
        if (r.remaining > 0) {
            if (queue.isEmpty()) queue.addFirst(r);
            else queue.addLast(r);
        }
        return r;
    }

    void removeHead() {
        queue.pollFirst();
    }

    /** Empties the queue, returning what was in it. */
    java.util.List<Request> drain() {
        java.util.List<Request> all = new java.util.ArrayList<>(queue);
        queue.clear();
        return all;
    }

    @Override
    public Iterator<Request> iterator() {
        return queue.iterator();
    }
}
