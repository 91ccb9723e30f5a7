package io.jnatsd.server.jetstream.stream;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message ids ({@code Nats-Msg-Id}) seen within the stream's duplicate window, with the
 * sequence each was stored at. Entries leave in arrival order once older than the window.
 * Used only by the stream's writer.
 */
final class DuplicateWindow {
    private record Seen(long seq, long timeNanos) {}

    private final LinkedHashMap<String, Seen> ids = new LinkedHashMap<>();
    private long windowNanos;

    DuplicateWindow(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    void setWindow(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** The sequence a message with this id was stored at within the window, or -1. */
    long find(String id, long nowNanos) {
        expire(nowNanos);
        Seen s = ids.get(id);
        return s == null ? -1 : s.seq();
    }

    void record(String id, long seq, long timeNanos) {
        ids.put(id, new Seen(seq, timeNanos));
    }

    private void expire(long nowNanos) {
        Iterator<Map.Entry<String, Seen>> it = ids.entrySet().iterator();
        while (it.hasNext()) {
            if (nowNanos - it.next().getValue().timeNanos() <= windowNanos) break;
            it.remove();
        }
    }
}
