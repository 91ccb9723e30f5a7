package io.jnatsd.raft;

/** A place in a group's log: the leader's term and the entry's index. */
public record LogPosition(long term, long index) {}
