package io.jnatsd.store;

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
}
