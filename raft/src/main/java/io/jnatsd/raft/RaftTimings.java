package io.jnatsd.raft;

/**
 * How fast a group notices a lost leader: a follower that hears nothing for a random time
 * between the two bounds starts an election. Upstream's JetStream elects within a few seconds;
 * tests use shorter bounds.
 */
public record RaftTimings(long electionMinMillis, long electionMaxMillis) {
    public static final RaftTimings DEFAULT = new RaftTimings(1_000, 2_000);
}
