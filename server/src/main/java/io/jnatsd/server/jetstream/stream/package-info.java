/**
 * Streams: the write path (a leader's decision, then the entry applied from the stream's log), configs and their
 * checks, account and server limits, mirrors and sources, and {@code JsServer}, what every stream and consumer of
 * a server shares. Imports {@code common}; reaches its consumers only through {@link
 * io.jnatsd.server.jetstream.stream.Consumers}.
 */
package io.jnatsd.server.jetstream.stream;
