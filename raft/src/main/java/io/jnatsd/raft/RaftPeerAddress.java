package io.jnatsd.raft;

/** One member of a Raft group: the server's name (its NATS server name) and its Raft transport address. */
public record RaftPeerAddress(String id, String hostPort) {}
