/**
 * Leaf node connections, as upstream's leaf protocol (nats-server 2.9): the listener leaf nodes
 * connect to (this server their hub) and the remotes this server connects to as a leaf node.
 * Sits above {@code cluster} and below {@code jetstream}: it uses {@code core} (accounts, the
 * kind rules, subscription events), {@code conn} (outbound buffer, timers, framing), {@code auth}
 * (nkey signatures, passwords), {@code net} (TLS) and {@code config}; the server reaches it, and
 * it reaches the server, only through {@link io.jnatsd.server.leaf.LeafNodes} and
 * {@link io.jnatsd.server.leaf.LeafNodeServices}.
 */
package io.jnatsd.server.leaf;
