package io.jnatsd.store;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream store contract against {@link FileStore}, with small blocks so that scenarios
 * cross block boundaries; every {@link #reopen} is a close and a fresh open of the directory.
 */
class FileStoreTest extends StreamStoreContractTest {

    @TempDir
    Path tmp;

    private final AtomicInteger n = new AtomicInteger();

    @Override
    StreamStore newStore(StoreConfig.Builder config) {
        StoreConfig c = config.storage(StorageType.FILE).build();
        if (c.blockSize() == StoreConfig.DEFAULT_BLOCK_SIZE) {
            c = c.toBuilder().blockSize(2048).build();
        }
        return FileStore.open(tmp.resolve("s" + n.incrementAndGet()), c);
    }

    @Override
    StreamStore reopen(StreamStore store) {
        FileStore fs = (FileStore) store;
        store.close();
        return FileStore.open(fs.dir, fs.config());
    }

    @Override
    long expectedSize(String subject, byte[] headers, byte[] payload) {
        return 30 + subject.length() + (headers == null || headers.length == 0 ? 0 : 4 + headers.length)
                + payload.length;
    }
}
