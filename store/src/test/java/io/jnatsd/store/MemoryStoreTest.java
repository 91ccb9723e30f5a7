package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The stream store contract against {@link MemoryStore}. */
class MemoryStoreTest extends StreamStoreContractTest {

    @Override
    StreamStore newStore(StoreConfig.Builder config) {
        return MemoryStore.create(config.storage(StorageType.MEMORY).build());
    }

    @Override
    StreamStore reopen(StreamStore store) {
        return store;
    }

    @Override
    long expectedSize(String subject, byte[] headers, byte[] payload) {
        return subject.length() + (headers == null ? 0 : headers.length) + payload.length + 16;
    }

    /** Compression is a file store setting: a memory stream keeps it in its config and stores as before. */
    @Test
    void compressionIsIgnored() {
        StreamStore s = create(StoreConfig.builder("S").compression(StoreCompression.S2));
        s.store("a", null, b("payload"), 0);
        assertEquals(StoreCompression.S2, s.config().compression());
        assertEquals("payload", str(s.load(1).payload()));
        assertEquals(expectedSize("a", null, b("payload")), s.state().bytes());
    }
}
