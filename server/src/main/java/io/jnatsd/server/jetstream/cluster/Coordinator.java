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

    /** Creates and starts a stream; the caller holds the account's lock and has run the create checks. */
    Stream createStream(JsAccount ja, StreamConfig c) throws ApiException;

    /** Creates a stream whose store {@code filler} fills first; fails when the name is taken meanwhile. */
    Stream restoreStream(JsAccount ja, StreamConfig c, StoreFiller filler) throws IOException, ApiException;

    /** Applies an update already checked as allowed; the caller holds the account's lock. */
    void updateStream(JsAccount ja, Stream s, StreamConfig c);

    /** Deletes the stream, its consumers and its files. */
    void deleteStream(JsAccount ja, String name) throws ApiException;

    /** Purges (all when {@code filter} is null and {@code seq} and {@code keep} are 0); returns the count purged. */
    long purgeStream(Stream s, String filter, long seq, long keep);

    /** STREAM.MSG.DELETE: removes (or with {@code erase}, overwrites) one message; false when there is none. */
    boolean deleteMessage(Stream s, long seq, boolean erase);

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
