package io.jnatsd.store;

/**
 * The stream store contract against {@link FileStore} with compression on: blocks seal every
 * 2 KiB and compress in the background while the scenarios read, remove, purge, compact and
 * truncate, and every reopen (which compresses what is still queued) reads compressed blocks.
 */
class CompressedFileStoreTest extends FileStoreTest {

    @Override
    StoreCompression compression() {
        return StoreCompression.S2;
    }
}
