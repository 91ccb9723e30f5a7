/**
 * Consumers: delivery, pull requests, acks and redelivery, flow control, priority groups, and the consumer's
 * replicated state changes ({@code ConsumerEntry}) applied from its log. Imports {@code common} and
 * {@code stream} (a consumer reads its stream).
 */
package io.jnatsd.server.jetstream.consumer;
