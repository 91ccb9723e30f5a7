package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.server.jetstream.common.ApiException;
import io.jnatsd.server.jetstream.consumer.Consumer;
import io.jnatsd.server.jetstream.consumer.ConsumerConfig;
import io.jnatsd.server.jetstream.stream.JsAccount;
import io.jnatsd.server.jetstream.stream.Stream;
import io.jnatsd.server.jetstream.stream.StreamConfig;

import io.jnatsd.server.core.Account;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where the JetStream API hands every change of streams and consumers: the API validates a
 * request and answers it, the coordinator makes the change happen. Standalone, it opens stores
 * and starts streams and consumers on this server; clustered (Ratis, to come), it proposes the
 * change to the meta group, which places the asset on its peers. The API never constructs a
 * stream, a store or a consumer itself.
 */
public interface Coordinator {
    /** Fills a new store before its stream starts (a restore). */
    interface StoreFiller {
        void fill(StreamStore store) throws IOException, ApiException;
    }

    /** A stream as the cluster knows it: its config and creation time, and this server's replica when it has one. */
    record Known(StreamConfig config, Instant created, Stream local) {}

    /** Answers a stream's create request once the stream runs (clustered: sent by the stream's first leader). */
    interface CreatedResponder {
        void created(JsAccount ja, Stream s, String reply);
    }

    /** Whether this server is the one that runs clustered JetStream's meta and Raft groups. */
    default boolean clustered() {
        return false;
    }

    /**
     * Whether this server answers an API request of {@code account}: about the account or every
     * stream ({@code stream} null) or one that creates, changes or removes a stream
     * ({@code metaOp}), or about one stream. Standalone, always; clustered, the meta leader answers
     * the first kind and the stream's leader the second (the meta leader when there is no such
     * stream), as upstream's servers share the API subscription and each answers its own part.
     */
    default boolean answers(String account, boolean metaOp, String stream) {
        return true;
    }

    /** Sets who answers create requests when the answer comes after the create returned. */
    default void onStreamCreated(CreatedResponder responder) {}

    /** Every stream of the account the cluster knows (standalone: this server's), sorted by name. */
    List<Known> streams(JsAccount ja);

    /** The stream {@code name} as the cluster knows it, or null. */
    Known stream(JsAccount ja, String name);

    /** {@code /jsz}'s {@code meta_cluster}: the meta group as this server sees it, or null (standalone). */
    default Map<String, Object> metaCluster() {
        return null;
    }

    /** Stream info's {@code cluster} section for this replica, or null (standalone). */
    default Map<String, Object> clusterInfo(Stream s) {
        return null;
    }

    /**
     * Creates and starts a stream; the caller holds the account's lock and has run the create
     * checks. Returns it, or null when the answer to the request ({@code reply}) is sent later by
     * whoever starts it (clustered).
     */
    Stream createStream(JsAccount ja, StreamConfig c, String reply) throws ApiException;

    /** Creates a stream whose store {@code filler} fills first; fails when the name is taken meanwhile. */
    Stream restoreStream(JsAccount ja, StreamConfig c, StoreFiller filler) throws IOException, ApiException;

    /** Applies an update already checked as allowed; the caller holds the account's lock. */
    void updateStream(JsAccount ja, String name, StreamConfig c) throws ApiException;

    /** Deletes the stream, its consumers and its files. */
    void deleteStream(JsAccount ja, String name) throws ApiException;

    /**
     * Purges (all when {@code filter} is null and {@code seq} and {@code keep} are 0); returns the
     * count purged. Through the stream's log, standalone or replicated alike.
     */
    default long purgeStream(Stream s, String filter, long seq, long keep) {
        return s.purge(filter, seq, keep);
    }

    /** STREAM.MSG.DELETE: removes (or with {@code erase}, overwrites) one message; false when there is none. */
    default boolean deleteMessage(Stream s, long seq, boolean erase) {
        return s.removeMessage(seq, erase) == 1;
    }

    /** STREAM.LEADER.STEPDOWN: the stream's leader hands over to another replica. */
    void stepDownStream(JsAccount ja, String stream) throws ApiException;

    /** upstream's addConsumer: creates or updates the consumer {@code cfg} names. */
    Consumer createConsumer(JsAccount ja, Stream s, ConsumerConfig cfg, String action) throws ApiException;

    void deleteConsumer(Stream s, Consumer c);

    /** Sets or clears (null) pause_until. */
    void pauseConsumer(Stream s, Consumer c, String pauseUntil);

    /** CONSUMER.LEADER.STEPDOWN. */
    void stepDownConsumer(JsAccount ja, String stream, String consumer) throws ApiException;

    /** The consumer an ack or pull request names, without locking the account's streams; null if none. */
    Consumer consumer(Account account, String stream, String consumer);

    /** Brings back the account's streams and consumers from disk. */
    void recover(JsAccount ja);
}
