package io.jnatsd.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream store contract against {@link FileStore}, with small blocks so that scenarios
 * cross block boundaries; every {@link #reopen} is a close and a fresh open of the directory.
 */
class FileStoreTest extends StreamStoreContractTest {

    @TempDir
    Path tmp;

    private final AtomicInteger n = new AtomicInteger();

    /** The compression every scenario runs with; {@link CompressedFileStoreTest} turns it on. */
    StoreCompression compression() {
        return StoreCompression.NONE;
    }

    @Override
    StreamStore newStore(StoreConfig.Builder config) {
        StoreConfig c = config.storage(StorageType.FILE).build();
        if (c.blockSize() == StoreConfig.DEFAULT_BLOCK_SIZE) {
            c = c.toBuilder().blockSize(2048).build();
        }
        if (c.compression() == StoreCompression.NONE) {
            c = c.toBuilder().compression(compression()).build();
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

    /** Many blocks, readers all over them while the writer appends: open files stay bounded. */
    @Test
    void openBlockFilesAreBounded() throws Exception {
        FileStore s = (FileStore) create(StoreConfig.builder("S").blockSize(1024));
        for (long seq = 1; seq <= 3600; seq++) {
            s.store("f." + (seq % 3), null, FileStoreRecoveryTest.payloadFor(seq), 0);
        }
        assertTrue(s.blockFiles().size() > FileStore.MAX_OPEN_BLOCKS + 50, "blocks: " + s.blockFiles().size());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 3000; i++) {
                        long seq = 1 + ThreadLocalRandom.current().nextLong(3600);
                        assertArrayEquals(FileStoreRecoveryTest.payloadFor(seq), s.load(seq).payload());
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        readers.forEach(Thread::start);
        for (long seq = 3601; seq <= 4100; seq++) {
            s.store("f." + (seq % 3), null, FileStoreRecoveryTest.payloadFor(seq), 0);
        }
        for (Thread t : readers) {
            t.join(30_000);
        }
        assertEquals(List.of(), errors);
        assertTrue(s.openFiles.openCount() <= FileStore.MAX_OPEN_BLOCKS, "open: " + s.openFiles.openCount());
    }
}
