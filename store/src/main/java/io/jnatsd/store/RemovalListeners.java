package io.jnatsd.store;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listener role of a stream store: removals are noted while the write lock is held and
 * reported after it is released, on the thread that caused them. A listener that removes
 * messages itself (nested) gets its own batch, so an outer report is never disturbed.
 */
final class RemovalListeners {

    private static final ThreadLocal<RemovalEvents> FIRING = ThreadLocal.withInitial(RemovalEvents::new);
    private static final ThreadLocal<Boolean> IN_LISTENER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final RemovalEvents events = new RemovalEvents();
    private final List<RemovalListener> listeners = new CopyOnWriteArrayList<>();

    void register(RemovalListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Notes one removal (under the write lock); nothing when nobody listens. */
    void removed(long seq, String subject, RemovalReason reason) {
        if (!listeners.isEmpty()) {
            events.add(seq, subject, reason);
        }
    }

    /** Notes that max_age or a TTL took the last message of {@code subject} (under the write lock). */
    void emptiedByAge(String subject) {
        if (!listeners.isEmpty()) {
            events.emptiedByAge(subject);
        }
    }

    boolean anyWritesMarkers() {
        for (RemovalListener l : listeners) {
            if (l.writesSubjectDeleteMarkers()) {
                return true;
            }
        }
        return false;
    }

    /** Notes a bulk removal, reported once as a purge (under the write lock). */
    void purged(long count, long bytes, long firstSeqAfter) {
        if (count > 0 && !listeners.isEmpty()) {
            events.purged(count, bytes, firstSeqAfter);
        }
    }

    /** Takes what was noted, still under the write lock; null when there is nothing to report. */
    RemovalEvents take() {
        if (events.isEmpty()) {
            return null;
        }
        if (listeners.isEmpty()) {
            events.clear();
            return null;
        }
        RemovalEvents toFire = IN_LISTENER.get() ? new RemovalEvents() : FIRING.get();
        events.moveTo(toFire);
        return toFire;
    }

    /** Reports what {@link #take} returned, after the lock is released. */
    void fire(RemovalEvents toFire) {
        boolean nested = IN_LISTENER.get();
        IN_LISTENER.set(Boolean.TRUE);
        try {
            toFire.fire(listeners);
        } finally {
            IN_LISTENER.set(nested);
        }
    }
}
