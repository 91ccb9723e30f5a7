/**
 * The JetStream API ({@code $JS.API.>}): request parsing, upstream's JSON answers and errors, direct gets and
 * snapshots. Reads streams and consumers but creates or changes them only through the {@code cluster.Coordinator}
 * (LayeringTest checks that it never constructs a stream, consumer or store).
 */
package io.jnatsd.server.jetstream.api;
