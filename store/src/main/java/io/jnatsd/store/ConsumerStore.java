package io.jnatsd.store;

/**
 * Where a consumer keeps its {@link ConsumerState}. The file form keeps it in
 * {@code obs/<name>/o.dat}, checksummed and replaced atomically on every update (write a
 * temporary file, rename it over the old one; with sync_always the file and its directory are
 * fsynced before {@link #update} returns). The memory form keeps a copy.
 */
public interface ConsumerStore extends AutoCloseable {

    /** The consumer's name. */
    String name();

    /** Replaces the stored state. */
    void update(ConsumerState state);

    /** The last stored state; {@link ConsumerState#EMPTY} when nothing was stored. */
    ConsumerState state();

    /** Removes the state and its files; the store is closed afterwards. */
    void delete();

    /** Releases resources; the state stays stored. */
    @Override
    void close();
}
