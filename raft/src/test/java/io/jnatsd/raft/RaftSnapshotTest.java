package io.jnatsd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshots without data: a group whose applier persists what it applied drops its log below the
 * snapshot, a member that missed entries the leader no longer has catches up through its applier,
 * and a restarted member replays only what came after its own snapshot.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaftSnapshotTest {
    /** Snapshots every 20 entries; 1 KiB segments, so that the log below a snapshot can really go. */
    private static final RaftSettings SETTINGS = new RaftSettings(300, 600, 20, 1024, true);
    private final List<RaftHost> hosts = new ArrayList<>(Collections.nCopies(3, null));
    private final List<State> states = new ArrayList<>();
    private final List<RaftPeerAddress> peers = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final List<ReplicatedLog> logs = new ArrayList<>(Collections.nCopies(3, null));

    /** A member's applied state, kept by the test across the member's restarts as a store keeps it on disk. */
    final class State implements LogApplier {
        final TreeMap<Long, String> applied = new TreeMap<>();
        final AtomicInteger replays = new AtomicInteger();
        final AtomicInteger catchUps = new AtomicInteger();

        @Override
        public synchronized long apply(long index, ByteBuffer entry) {
            if (!applied.isEmpty() && index <= applied.lastKey()) {
                replays.incrementAndGet();
                return index;
            }
            applied.put(index, StandardCharsets.UTF_8.decode(entry).toString());
            return index;
        }

        @Override
        public boolean persistApplied() {
            return true;
        }

        /** Copies the leader's state up to its snapshot, as a stream copies messages from its leader. */
        @Override
        public CompletableFuture<LogPosition> catchUp(String leaderId, LogPosition leaderLogStart) {
            catchUps.incrementAndGet();
            int leader = Integer.parseInt(leaderId.substring(1));
            try {
                LogPosition point = logs.get(leader).snapshotPoint();
                State from = states.get(leader);
                synchronized (from) {
                    synchronized (this) {
                        applied.clear();
                        applied.putAll(from.applied.headMap(point.index(), true));
                    }
                }
                return CompletableFuture.completedFuture(point);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        synchronized List<String> values() {
            return new ArrayList<>(applied.values());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void start(int i) throws IOException {
        int port = Integer.parseInt(peers.get(i).hostPort().split(":")[1]);
        hosts.set(i, RaftHost.start("n" + i, "127.0.0.1", port, dirs.get(i), SETTINGS, null, Map.of("S", states.get(i))));
        logs.set(i, hosts.get(i).join("S", peers, states.get(i)));
    }

    private void stop(int i) throws IOException {
        hosts.get(i).close();
        hosts.set(i, null);
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what.get());
            Thread.sleep(20);
        }
    }

    private void propose(int via, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            logs.get(via).propose((prefix + i + "-" + "x".repeat(40)).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stopAll() throws IOException {
        for (RaftHost h : hosts) if (h != null) h.close();
    }

    @Test
    void aMemberBehindTheLeadersLogStartCatchesUpThroughItsApplierAndRestartsReplayOnlyTheTail() throws Exception {
        for (int i = 0; i < 3; i++) {
            dirs.add(Files.createTempDirectory("raft-snap-" + i));
            peers.add(new RaftPeerAddress("n" + i, "127.0.0.1:" + freePort()));
            states.add(new State());
        }
        for (int i = 0; i < 3; i++) start(i);
        propose(0, "a", 10);
        await(() -> logs.get(0).leader() != null, () -> "a leader");
        int leader = Integer.parseInt(logs.get(0).leader().substring(1));
        int away = (leader + 1) % 3;
        await(() -> states.get(away).applied.size() == 10, () -> "the first entries everywhere");
        stop(away);

        propose(leader, "b", 200); // ten snapshots' worth: the leader drops the log the absent member needs
        LogPosition leaderSnapshot = logs.get(leader).snapshotPoint();
        assertNotNull(leaderSnapshot, "the leader took a snapshot");
        assertTrue(leaderSnapshot.index() > 20, "snapshot at " + leaderSnapshot);

        start(away);
        State back = states.get(away);
        await(() -> back.applied.size() == 210, () -> "the returning member has all 210 entries (has " + back.applied.size() + ")");
        assertEquals(1, back.catchUps.get(), "caught up once through its applier, not by replaying the log");
        assertEquals(states.get(leader).values(), back.values());

        // a restarted member starts from its own snapshot: at most the entries after it are replayed
        int other = (leader + 2) % 3;
        LogPosition ownSnapshot = logs.get(other).snapshotPoint();
        assertNotNull(ownSnapshot);
        stop(other);
        start(other);
        propose(leader, "c", 5);
        await(() -> states.get(other).applied.size() == 215, () -> "the restarted member's new entries");
        // without the snapshot all 210 earlier entries would come again; with it, at most those
        // applied after the last snapshot (one snapshot interval)
        assertTrue(states.get(other).replays.get() <= SETTINGS.snapshotEvery(),
                "replayed " + states.get(other).replays.get() + " entries with a snapshot at " + ownSnapshot.index());
    }
}
