/**
 * JetStream: the service ({@link io.jnatsd.server.jetstream.JetStream}, which wires the API, the coordinator and
 * the internal clients together) and its monitoring figures. Its parts, bottom first: {@code common},
 * {@code stream}, {@code consumer}, {@code cluster}, {@code api}; each imports only those below it (LayeringTest).
 */
package io.jnatsd.server.jetstream;
