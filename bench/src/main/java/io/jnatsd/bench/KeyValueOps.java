package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;

/**
 * {@code kv-put} and {@code kv-get}: one operation at a time on a fresh file bucket (history 1,
 * {@code --replicas} replicas),
 * operation {@code i} on key {@code k<i mod --keys>}, latency per operation. The bucket is
 * written only by this run, so revisions are predictable and checked: put {@code i} must get
 * revision {@code i + 1}; kv-get first puts key {@code k} once (untimed, revision
 * {@code k + 1}, value carrying {@code k}) and every get must return exactly that. After
 * kv-put, the bucket must hold one value per key, the last one put.
 */
final class KeyValueOps {
    private final BenchConfig cfg;
    private final Connection conn;
    private final String bucket;

    KeyValueOps(BenchConfig cfg, Connection conn, String subject) {
        this.cfg = cfg;
        this.conn = conn;
        this.bucket = subject.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
    }

    Result run() throws Exception {
        KeyValueManagement kvm = conn.keyValueManagement();
        kvm.create(KeyValueConfiguration.builder().name(bucket).storageType(StorageType.File).maxHistoryPerKey(1)
                .replicas(cfg.replicas()).build());
        try {
            KeyValue kv = conn.keyValue(bucket);
            String version = conn.getServerInfo().getVersion();
            if (cfg.workload() == Workload.KV_PUT) {
                Result r = LatencyLoop.run(cfg, version, i -> put(kv, i));
                verifyLatestValues(kv, kvm);
                return r;
            }
            for (long k = 0; k < cfg.keys(); k++) put(kv, k);
            return LatencyLoop.run(cfg, version, i -> get(kv, i % cfg.keys()));
        } finally {
            try {
                kvm.delete(bucket);
            } catch (JetStreamApiException ignored) {
                // already gone
            }
        }
    }

    private static String key(long k) {
        return "k" + k;
    }

    private void put(KeyValue kv, long i) throws Exception {
        long rev = kv.put(key(i % cfg.keys()), Payloads.make(cfg.size(), i));
        if (rev != i + 1) throw new VerificationException("put " + i + " got revision " + rev + ", expected " + (i + 1));
    }

    /** Key {@code k} must hold the value put with number {@code expected}, at revision expected + 1. */
    private void get(KeyValue kv, long k, long expected) throws Exception {
        KeyValueEntry e = kv.get(key(k));
        if (e == null) throw new VerificationException("get " + key(k) + ": no value");
        byte[] v = e.getValue();
        long seq = Payloads.seq(v);
        if (seq != expected || v.length != cfg.size() || e.getRevision() != expected + 1) {
            throw new VerificationException("get " + key(k) + ": value " + seq + " of " + v.length + " bytes at revision "
                    + e.getRevision() + ", expected value " + expected + " of " + cfg.size() + " bytes at revision " + (expected + 1));
        }
    }

    private void get(KeyValue kv, long k) throws Exception {
        get(kv, k, k);
    }

    private void verifyLatestValues(KeyValue kv, KeyValueManagement kvm) throws Exception {
        long total = cfg.warmup() + cfg.msgs();
        long keys = Math.min(cfg.keys(), total);
        long entries = kvm.getStatus(bucket).getEntryCount();
        if (entries != keys) throw new VerificationException("bucket holds " + entries + " values, expected " + keys);
        for (long k = 0; k < keys; k++) {
            get(kv, k, k + (total - 1 - k) / cfg.keys() * cfg.keys()); // the last i with i mod keys == k
        }
    }
}
