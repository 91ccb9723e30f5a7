/**
 * The seam between the JetStream API and the streams and consumers: the {@code Coordinator} every change goes
 * through, and the logs entries are applied from. Standalone implementations now; the Ratis ones (meta group,
 * one group per replicated stream and consumer) go here. Imports {@code common}, {@code stream} and
 * {@code consumer}.
 */
package io.jnatsd.server.jetstream.cluster;
