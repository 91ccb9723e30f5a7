package io.jnatsd.store;

/** Where a stream keeps its messages: upstream's {@code storage: file|memory}. */
public enum StorageType {
    FILE,
    MEMORY
}
