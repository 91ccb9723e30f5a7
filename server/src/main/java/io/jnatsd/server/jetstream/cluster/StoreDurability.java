package io.jnatsd.server.jetstream.cluster;

import io.jnatsd.server.jetstream.stream.JsServer;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How a replicated file stream's replica tells Ratis what its store already holds. At a snapshot
 * the store is synced and {@code raft-applied} records the Raft index and the store's last
 * sequence reached; Ratis then drops its log up to that index. After a restart the store is cut
 * back to that sequence (what came after it is replayed from the log), so no entry is applied
 * twice and none is lost.
 */
final class StoreDurability implements RaftEntryLog.Durability {
    private static final String FILE = "raft-applied";

    private final JsServer js;
    private final StreamStore store;
    private final Path file;

    StoreDurability(JsServer js, StreamStore store, Path streamDir) {
        this.js = js;
        this.store = store;
        this.file = streamDir.resolve(FILE);
    }

    @Override
    public long appliedUpTo() {
        long index = 0;
        long seq = 0;
        try {
            if (Files.isRegularFile(file)) {
                String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
                index = Long.parseLong(f[0]);
                seq = Long.parseLong(f[1]);
            }
        } catch (IOException | RuntimeException e) {
            js.log().warn("JetStream cluster: unreadable %s (%s): replaying the whole log", file, e.getMessage());
            index = 0;
            seq = 0;
        }
        if (store.state().lastSeq() > seq) store.truncate(seq);
        return index;
    }

    @Override
    public boolean persist(long index) {
        try {
            store.sync();
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, index + " " + store.state().lastSeq(), StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException e) {
            js.log().warn("JetStream cluster: cannot record %s: %s", file, e.getMessage());
            return false;
        }
    }
}
