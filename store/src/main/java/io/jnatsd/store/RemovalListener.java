package io.jnatsd.store;

/**
 * Told when messages leave a stream store, so the stream layer can keep consumers and interest
 * tracking right. Called after the store's lock is released, on the thread that caused the
 * removal: the writer thread for {@code store()}-triggered limits and explicit removes, the
 * shared {@code jnatsd-store-timer} thread for max_age and TTL expiry. A listener must be
 * quick and must not throw; it may call back into the store.
 */
public interface RemovalListener {

    /** One message was removed (limits, age, TTL, or an explicit remove or erase). */
    void messageRemoved(long seq, String subject, RemovalReason reason);

    /**
     * Many messages went at once: {@link StreamStore#purge()}, {@link StreamStore#purge(String,
     * long, long)}, {@link StreamStore#compact} or {@link StreamStore#truncate}. Individual
     * sequences are not reported; {@code firstSeq} is the store's first sequence afterwards.
     */
    default void messagesPurged(long count, long bytes, long firstSeq) {
    }

    /**
     * With {@link StoreConfig#subjectDeleteMarkers()}: max_age or a TTL just took the last message
     * of {@code subject}, which was not itself a marker (reported after its
     * {@link #messageRemoved}). The stream decides whether to write a marker.
     */
    default void subjectEmptiedByAge(String subject) {
    }

    /**
     * Whether this listener writes the subject delete markers: a store with
     * {@link StoreConfig#subjectDeleteMarkers()} expires nothing until one is registered.
     */
    default boolean writesSubjectDeleteMarkers() {
        return false;
    }
}
