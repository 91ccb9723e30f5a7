package io.jnatsd.store;

import java.util.Map;

/**
 * A stream's messages: upstream's {@code StreamStore}, implemented by {@link MemoryStore} and
 * {@link FileStore}. One writer thread per stream calls the mutating methods; any thread may
 * read. Filters are NATS subjects with optional {@code *} and {@code >} wildcards; a null or
 * empty filter, or {@code >}, matches everything.
 */
public interface StreamStore extends AutoCloseable {

    /** The current configuration. */
    StoreConfig config();

    /**
     * Appends a message with the next sequence and the current time, then applies the limits
     * (dropping the oldest messages with discard old). The data is handed to the operating
     * system before this returns, so it survives the death of the process; surviving a power
     * loss needs an fsync, see {@link #sync()}.
     *
     * @param headers  the headers block, or null
     * @param ttlNanos per-message TTL (honoured when allow_msg_ttl is set): 0 none, negative
     *                 never expires (not even by max_age)
     * @throws StoreLimitException when discard new (or max_msg_size) rejects the message
     */
    StoredAppend store(String subject, byte[] headers, byte[] payload, long ttlNanos);

    /**
     * As {@link #store(String, byte[], byte[], long)}, stamped {@code timestampNanos} instead of
     * this store's clock: a replica applies a message with its leader's time, so that every copy
     * of a replicated stream holds the same message.
     */
    StoredAppend store(String subject, byte[] headers, byte[] payload, long ttlNanos, long timestampNanos);

    /**
     * Appends a message with a given sequence and timestamp, for mirrors, sources and restores.
     * The sequence must be above the last one; skipped sequences count as deleted. Limits with
     * discard old apply; discard new does not reject (as upstream, whose stream layer does that
     * check before replicating).
     */
    void storeRaw(String subject, byte[] headers, byte[] payload, long seq, long timestampNanos, long ttlNanos);

    /**
     * The bytes a message would count for against max_bytes in this store (its record with
     * overhead), so that a caller can check limits for messages not stored yet (an atomic batch).
     */
    long messageSize(String subject, byte[] headers, byte[] payload);

    /** The message at {@code seq}, or null if there is none (never stored, removed, expired). */
    StoredMessage load(long seq);

    /** The first message at or after {@code startSeq} whose subject matches the filter, or null. */
    StoredMessage loadNext(String filterSubject, long startSeq);

    /** The last message whose subject matches the filter, or null. */
    StoredMessage loadLast(String filterSubject);

    /** The last message at or before {@code startSeq} whose subject matches the filter, or null. */
    StoredMessage loadPrev(String filterSubject, long startSeq);

    /** Removes one message; false if it was not there. */
    boolean remove(long seq);

    /**
     * Removes one message and overwrites its bytes where they are stored (the file store
     * rewrites the record in place with random bytes). False if it was not there.
     */
    boolean erase(long seq);

    /** Removes every message; the first sequence becomes last + 1. Returns how many went. */
    long purge();

    /**
     * Upstream's PurgeEx. With no filter (null, empty or {@code >}): {@code upToSeqExclusive > 1}
     * compacts to it, otherwise {@code keep > 0} removes all but the last {@code keep}
     * messages, otherwise everything goes. With a filter: removes matching messages below
     * {@code upToSeqExclusive} (0: no bound), oldest first, leaving the newest {@code keep}
     * matching messages in total (0: keep none). {@code upToSeqExclusive == 1} removes nothing.
     *
     * @return how many messages were removed
     */
    long purge(String subjectFilter, long upToSeqExclusive, long keep);

    /**
     * Removes every message below {@code seq}; past the last sequence the store is emptied and
     * the next message gets {@code seq}. {@code compact(0)} is {@link #purge()}.
     */
    long compact(long seq);

    /**
     * Removes every message above {@code seq}, which becomes the last sequence (used to roll a
     * replica back). {@code truncate(0)} resets the store to a new one.
     */
    void truncate(long seq);

    /** The stream's state, without the list of deleted sequences. */
    default StreamState state() {
        return state(false);
    }

    /** The stream's state; with {@code includeDeleted}, the deleted sequences too. */
    StreamState state(boolean includeDeleted);

    /** Messages at or after {@code startSeq} matching the filter. */
    SimpleState filteredState(long startSeq, String filter);

    /** Live message count per subject, for subjects matching the filter. */
    Map<String, Long> subjectsState(String filter);

    /**
     * Messages at or after {@code startSeq} matching the filter; with {@code lastPerSubject},
     * only the last message of each matching subject counts (deliver policy last_per_subject).
     */
    long numPending(long startSeq, String filter, boolean lastPerSubject);

    /**
     * Applies a new configuration: tighter limits are enforced at once. The storage type and
     * the block size of an existing file store do not change.
     */
    void updateConfig(StoreConfig config);

    /**
     * Makes everything appended or removed so far durable against power loss (fsync), now. With
     * sync_always the caller is expected to call this before acknowledging a batch of messages:
     * many appends, one fsync (group commit). The memory store does nothing.
     */
    void sync();

    /** Adds a listener told about removals; see {@link RemovalListener} for the threading. */
    void registerRemovalListener(RemovalListener listener);

    /** The named consumer's store, created empty if it does not exist. */
    ConsumerStore consumerStore(String name);

    /** Deletes the named consumer's store, if any. */
    void deleteConsumerStore(String name);

    /** Closes the store and removes everything it stored, consumers included. */
    void delete();

    /** Closes the store; a file store writes its index snapshot so the next open is quick. */
    @Override
    void close();
}
