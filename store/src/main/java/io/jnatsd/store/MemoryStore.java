package io.jnatsd.store;

import io.jnatsd.protocol.subject.Subjects;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A stream store in RAM (upstream's memstore): the same indexes, limits and semantics as the
 * {@link FileStore}, with each message's bytes held in a small object referenced from the index.
 * Sizes are accounted as upstream's memory store does: subject + headers + payload + 16.
 */
public final class MemoryStore extends AbstractStreamStore {

    /** A stored message's bytes; the index holds its timestamp as the location. */
    private record Message(byte[] headers, byte[] payload, long ttl) {
    }

    private MemoryStore(StoreConfig config) {
        super(config);
        if (config.firstSeq() > 1) {
            lastSeq = config.firstSeq() - 1;
            firstSeq = config.firstSeq();
        } else if (config.firstSeq() == 1) {
            firstSeq = 1;
        }
    }

    /** A new, empty memory store. */
    public static MemoryStore create(StoreConfig config) {
        if (config.storage() != StorageType.MEMORY) {
            throw new IllegalArgumentException("memory store needs storage MEMORY, got " + config.storage());
        }
        return new MemoryStore(config);
    }

    @Override
    long accountedSize(int len) {
        return len;
    }

    @Override
    long accountedSize(String subject, byte[] headers, byte[] payload) {
        return Subjects.utf8Length(subject) + (headers == null ? 0 : headers.length) + payload.length + 16L;
    }

    @Override
    long appendRecord(long seq, long ts, long ttl, String subject, byte[] headers, byte[] payload) {
        long size = accountedSize(subject, headers, payload);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("message too large");
        }
        appendedLen = (int) size;
        appendedRef = new Message(headers == null ? null : headers.clone(), payload.clone(), ttl);
        return ts;
    }

    @Override
    StoredMessage readRecord(long seq, long loc, int len, Object ref, String subject) {
        Message m = (Message) ref;
        return new StoredMessage(subject, m.headers == null ? null : m.headers.clone(), m.payload.clone(), seq, loc,
                m.ttl);
    }

    @Override
    long timestampOf(long seq, long loc, int len, Object ref) {
        return loc;
    }

    @Override
    void recordRemoval(long seq, long loc, int len, Object ref, boolean erase) {
        if (erase) {
            Message m = (Message) ref;
            ThreadLocalRandom.current().nextBytes(m.payload);
            if (m.headers != null) {
                ThreadLocalRandom.current().nextBytes(m.headers);
            }
        }
    }

    @Override
    void resetStorage(long newLast) {
    }

    @Override
    void compactStorage(long floor) {
    }

    @Override
    void truncateStorage(long seq) {
    }

    @Override
    public void sync() {
        checkOpen();
    }

    @Override
    void closeStorage() {
        entries.clear();
    }

    @Override
    void deleteStorage() {
        closeStorage();
    }

    @Override
    ConsumerStore openConsumerStore(String name) {
        return new MemoryConsumerStore(name, this);
    }

    @Override
    void deleteConsumerFiles(String name) {
    }
}
