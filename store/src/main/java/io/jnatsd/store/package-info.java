/**
 * The JetStream storage engine: one {@link io.jnatsd.store.StreamStore} per stream, in memory
 * ({@link io.jnatsd.store.MemoryStore}) or on disk ({@link io.jnatsd.store.FileStore}), and one
 * {@link io.jnatsd.store.ConsumerStore} per consumer.
 *
 * <p><b>Threading.</b> A stream store expects one writer thread (the stream's) and any number of
 * reader threads. Every public method is thread-safe: mutations take the store's write lock,
 * queries its read lock. Stores also own background work (expiry of old messages, periodic
 * fsync, block compaction) that runs on one shared daemon thread, {@code jnatsd-store-timer},
 * under the same write lock. {@link io.jnatsd.store.RemovalListener}s are called after the lock
 * is released, on the thread that caused the removal.
 *
 * <p><b>Errors.</b> Failures are unchecked: {@link io.jnatsd.store.StoreLimitException} when a
 * limit rejects a message, {@link io.jnatsd.store.StoreException} for I/O failures (the first
 * write failure is sticky: the store then refuses further writes, as upstream does) and
 * corruption found while reading; {@link IllegalArgumentException} for bad arguments and
 * {@link IllegalStateException} once the store is closed.
 *
 * <p>This module depends on the JDK, on aircompressor (pure-Java Snappy, for compressed blocks)
 * and on jnatsd-subjects (subject matching shared with the server, JDK only).
 */
package io.jnatsd.store;
