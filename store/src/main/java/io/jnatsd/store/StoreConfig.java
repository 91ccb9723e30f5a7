package io.jnatsd.store;

import java.util.Objects;

/**
 * A stream store's configuration: the storage-relevant part of upstream's StreamConfig, plus the
 * file store's own knobs. Limits use upstream's convention: -1 is unlimited, and 0 or any other
 * negative value is normalised to -1; {@code maxAgeNanos} 0 is unlimited.
 *
 * @param name                 the stream name
 * @param storage              file or memory
 * @param maxMsgs              max_msgs
 * @param maxBytes             max_bytes
 * @param maxAgeNanos          max_age in nanoseconds
 * @param maxMsgsPerSubject    max_msgs_per_subject
 * @param maxMsgSize           max_msg_size, counting headers and payload
 * @param discardNew           discard: new (reject) rather than old (drop oldest)
 * @param discardNewPerSubject discard_new_per_subject: with discard new, also reject a message
 *                             whose subject is at max_msgs_per_subject instead of dropping the
 *                             subject's oldest (messages with a {@code Nats-Rollup} header pass)
 * @param firstSeq             first_seq: the sequence a new stream starts at (0 or 1: from 1)
 * @param syncAlways           the caller makes appends durable with {@link StreamStore#sync()}
 *                             (group commit); no background fsync. See {@link FileStore}.
 * @param syncIntervalNanos    background fsync period when not syncAlways (default 2 minutes)
 * @param blockSize            file store block size in bytes (default 8 MiB, at least 1 KiB)
 * @param allowMsgTtl          allow_msg_ttl: per-message TTLs are honoured
 * @param compression          compression of sealed file store blocks (the memory store ignores it)
 * @param subjectDeleteMarkers subject_delete_marker_ttl is set: when max_age or a TTL takes the
 *                             last message of a subject (not itself a marker), listeners are told
 *                             so that the stream can leave a marker; nothing expires while the
 *                             store opens (the stream is not listening yet)
 */
public record StoreConfig(String name, StorageType storage, long maxMsgs, long maxBytes, long maxAgeNanos,
                          long maxMsgsPerSubject, long maxMsgSize, boolean discardNew,
                          boolean discardNewPerSubject, long firstSeq, boolean syncAlways,
                          long syncIntervalNanos, int blockSize, boolean allowMsgTtl,
                          StoreCompression compression, boolean subjectDeleteMarkers) {

    public static final long DEFAULT_SYNC_INTERVAL_NANOS = 120_000_000_000L;
    public static final int DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
    public static final int MIN_BLOCK_SIZE = 1024;
    public static final int MAX_BLOCK_SIZE = 1 << 30;

    public StoreConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(storage, "storage");
        maxMsgs = unlimitedIfNotPositive(maxMsgs);
        maxBytes = unlimitedIfNotPositive(maxBytes);
        maxMsgsPerSubject = unlimitedIfNotPositive(maxMsgsPerSubject);
        maxMsgSize = unlimitedIfNotPositive(maxMsgSize);
        if (maxAgeNanos < 0) {
            throw new IllegalArgumentException("max_age must not be negative: " + maxAgeNanos);
        }
        if (firstSeq < 0) {
            throw new IllegalArgumentException("first_seq must not be negative: " + firstSeq);
        }
        if (syncIntervalNanos <= 0) {
            syncIntervalNanos = DEFAULT_SYNC_INTERVAL_NANOS;
        }
        if (blockSize <= 0) {
            blockSize = DEFAULT_BLOCK_SIZE;
        }
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block size out of range: " + blockSize);
        }
        if (compression == null) {
            compression = StoreCompression.NONE;
        }
    }

    private static long unlimitedIfNotPositive(long limit) {
        return limit <= 0 ? -1 : limit;
    }

    /** A builder with upstream's defaults: no limits, discard old, file storage. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.storage = storage;
        b.maxMsgs = maxMsgs;
        b.maxBytes = maxBytes;
        b.maxAgeNanos = maxAgeNanos;
        b.maxMsgsPerSubject = maxMsgsPerSubject;
        b.maxMsgSize = maxMsgSize;
        b.discardNew = discardNew;
        b.discardNewPerSubject = discardNewPerSubject;
        b.firstSeq = firstSeq;
        b.syncAlways = syncAlways;
        b.syncIntervalNanos = syncIntervalNanos;
        b.blockSize = blockSize;
        b.allowMsgTtl = allowMsgTtl;
        b.compression = compression;
        b.subjectDeleteMarkers = subjectDeleteMarkers;
        return b;
    }

    /** Builds a {@link StoreConfig}; unset fields keep upstream's defaults. */
    public static final class Builder {
        private final String name;
        private StorageType storage = StorageType.FILE;
        private long maxMsgs = -1;
        private long maxBytes = -1;
        private long maxAgeNanos;
        private long maxMsgsPerSubject = -1;
        private long maxMsgSize = -1;
        private boolean discardNew;
        private boolean discardNewPerSubject;
        private long firstSeq;
        private boolean syncAlways;
        private long syncIntervalNanos = DEFAULT_SYNC_INTERVAL_NANOS;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private boolean allowMsgTtl;
        private StoreCompression compression = StoreCompression.NONE;
        private boolean subjectDeleteMarkers;

        private Builder(String name) {
            this.name = name;
        }

        public Builder storage(StorageType v) {
            storage = v;
            return this;
        }

        public Builder maxMsgs(long v) {
            maxMsgs = v;
            return this;
        }

        public Builder maxBytes(long v) {
            maxBytes = v;
            return this;
        }

        public Builder maxAgeNanos(long v) {
            maxAgeNanos = v;
            return this;
        }

        public Builder maxMsgsPerSubject(long v) {
            maxMsgsPerSubject = v;
            return this;
        }

        public Builder maxMsgSize(long v) {
            maxMsgSize = v;
            return this;
        }

        public Builder discardNew(boolean v) {
            discardNew = v;
            return this;
        }

        public Builder discardNewPerSubject(boolean v) {
            discardNewPerSubject = v;
            return this;
        }

        public Builder firstSeq(long v) {
            firstSeq = v;
            return this;
        }

        public Builder syncAlways(boolean v) {
            syncAlways = v;
            return this;
        }

        public Builder syncIntervalNanos(long v) {
            syncIntervalNanos = v;
            return this;
        }

        public Builder blockSize(int v) {
            blockSize = v;
            return this;
        }

        public Builder allowMsgTtl(boolean v) {
            allowMsgTtl = v;
            return this;
        }

        public Builder compression(StoreCompression v) {
            compression = v;
            return this;
        }

        public Builder subjectDeleteMarkers(boolean v) {
            subjectDeleteMarkers = v;
            return this;
        }

        public StoreConfig build() {
            return new StoreConfig(name, storage, maxMsgs, maxBytes, maxAgeNanos, maxMsgsPerSubject, maxMsgSize,
                    discardNew, discardNewPerSubject, firstSeq, syncAlways, syncIntervalNanos, blockSize,
                    allowMsgTtl, compression, subjectDeleteMarkers);
        }
    }
}
