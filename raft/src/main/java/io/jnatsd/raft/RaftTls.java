package io.jnatsd.raft;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Mutual TLS for a host's Raft transport: this server's certificate (its key manager) and the
 * trust that peers' certificates must pass, both ways. jnatsd builds it from the cluster block's
 * TLS, so only servers the routes would accept can be members of a group.
 */
public record RaftTls(KeyManager keys, TrustManager trust) {}
