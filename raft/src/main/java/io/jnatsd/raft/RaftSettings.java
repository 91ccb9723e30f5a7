package io.jnatsd.raft;

/**
 * How a host's groups behave. A follower that hears nothing from its leader for a random time
 * between the election bounds starts an election (upstream's JetStream elects within a few
 * seconds; tests use shorter bounds). Every {@code snapshotEvery} entries a group whose applier
 * can persist what it applied takes a snapshot, and log segments of at most
 * {@code segmentBytes} that lie wholly below it are deleted. With {@code syncEachEntry} an entry
 * counts as written (towards its commit) only once fsynced; otherwise the log is fsynced behind
 * the writes.
 */
public record RaftSettings(long electionMinMillis, long electionMaxMillis, long snapshotEvery, long segmentBytes,
                           boolean syncEachEntry) {
    public static final RaftSettings DEFAULT = new RaftSettings(1_000, 2_000, 100_000, 8L << 20, false);

    /** These settings with {@code syncEachEntry} as given. */
    public RaftSettings syncing(boolean each) {
        return new RaftSettings(electionMinMillis, electionMaxMillis, snapshotEvery, segmentBytes, each);
    }
}
