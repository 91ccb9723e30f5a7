package io.jnatsd.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A consumer's state in {@code obs/<name>/o.dat}, rewritten whole on every update through a
 * temporary file and a rename, so a crash leaves either the old or the new state, never a mix.
 * With sync_always the file and the directory are fsynced before {@link #update} returns.
 */
final class FileConsumerStore implements ConsumerStore {

    static final String STATE_FILE = "o.dat";

    private final String name;
    private final Path dir;
    private final boolean syncAlways;
    private final AbstractStreamStore stream;
    private ConsumerState state;
    private boolean closed;

    FileConsumerStore(String name, Path dir, boolean syncAlways, AbstractStreamStore stream) {
        this.name = name;
        this.dir = dir;
        this.syncAlways = syncAlways;
        this.stream = stream;
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve(STATE_FILE);
            state = Files.exists(f) ? ConsumerStateCodec.decode(Files.readAllBytes(f), f.toString())
                    : ConsumerState.EMPTY;
        } catch (IOException e) {
            throw new StoreException("cannot open consumer store " + dir, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void update(ConsumerState newState) {
        Objects.requireNonNull(newState, "state");
        checkOpen();
        try {
            AtomicFiles.write(dir.resolve(STATE_FILE), ConsumerStateCodec.encode(newState), syncAlways);
        } catch (IOException e) {
            throw new StoreException("cannot write consumer state " + dir, e);
        }
        state = newState;
    }

    @Override
    public synchronized ConsumerState state() {
        checkOpen();
        return state;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("consumer store " + name + " is closed");
        }
    }

    @Override
    public synchronized void delete() {
        closed = true;
        try {
            deleteDirectory(dir);
        } catch (IOException e) {
            throw new StoreException("cannot delete consumer store " + dir, e);
        } finally {
            stream.forgetConsumer(name, this);
        }
    }

    static void deleteDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
