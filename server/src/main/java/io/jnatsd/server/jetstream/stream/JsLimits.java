package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JetStream resource limits, as upstream enforces them on a single server:
 * <ul>
 *   <li>the server's {@code jetstream { max_memory_store, max_file_store }}: when a stream is
 *       created or updated, the {@code max_bytes} of all streams of that storage type (1 byte
 *       for a stream without max_bytes) must fit ({@code 10028}/{@code 10047});</li>
 *   <li>an account's {@code jetstream { max_memory, max_store, max_streams, max_consumers,
 *       max_bytes_required, memory_max_stream_bytes, store_max_stream_bytes, max_ack_pending }}:
 *       the same reservation check against the account's limit, the stream count
 *       ({@code 10027}), and, on every append, the bytes the account stores plus the new message
 *       ({@code 10002}, as upstream's {@code wouldExceedLimits}).</li>
 * </ul>
 * Usage is the sum of the streams' byte counts, cached for a short while and kept current by
 * counting appends; it is recounted whenever an append would cross a limit, so a full account
 * refuses only what really does not fit.
 */
public final class JsLimits {
    /** An account's limits; -1 (or false) is unlimited. */
    record AccountLimits(long maxMemory, long maxStore, int maxStreams, int maxConsumers, int maxAckPending,
                         long memoryMaxStreamBytes, long storeMaxStreamBytes, boolean maxBytesRequired) {
        static final AccountLimits UNLIMITED = new AccountLimits(-1, -1, -1, -1, -1, -1, -1, false);

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max_memory", maxMemory);
            m.put("max_storage", maxStore);
            m.put("max_streams", maxStreams);
            m.put("max_consumers", maxConsumers);
            m.put("max_ack_pending", maxAckPending);
            m.put("memory_max_stream_bytes", memoryMaxStreamBytes);
            m.put("storage_max_stream_bytes", storeMaxStreamBytes);
            m.put("max_bytes_required", maxBytesRequired);
            return m;
        }
    }

    /** Bytes in use (memory, file), recounted at most every {@link #FRESH_NANOS} unless near a limit. */
    static final class Usage {
        private long memory;
        private long store;
        private long countedAt = Long.MIN_VALUE / 2;

        synchronized void add(boolean mem, long bytes) {
            if (mem) memory += bytes;
            else store += bytes;
        }
    }

    private static final long FRESH_NANOS = 250_000_000L;
    private static final long TB = 1L << 40;

    private JsLimits() {}

    /** Parses an account's {@code jetstream} block (a map; {@code enabled}/true mean no limits). */
    public static AccountLimits parse(Object block) {
        if (!(block instanceof Map<?, ?> m)) return AccountLimits.UNLIMITED;
        long maxMemory = -1;
        long maxStore = -1;
        int maxStreams = -1;
        int maxConsumers = -1;
        int maxAckPending = -1;
        long memStream = -1;
        long storeStream = -1;
        boolean required = false;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            switch (String.valueOf(e.getKey()).toLowerCase()) {
                case "max_memory", "max_mem", "mem", "memory" -> maxMemory = size(v);
                case "max_store", "max_file", "max_disk", "store", "disk" -> maxStore = size(v);
                case "max_streams", "streams" -> maxStreams = (int) size(v);
                case "max_consumers", "consumers" -> maxConsumers = (int) size(v);
                case "max_ack_pending" -> maxAckPending = (int) size(v);
                case "mem_max_stream_bytes", "memory_max_stream_bytes" -> memStream = size(v);
                case "disk_max_stream_bytes", "store_max_stream_bytes" -> storeStream = size(v);
                case "max_bytes_required", "max_stream_bytes", "max_bytes" -> required = Boolean.TRUE.equals(v)
                        || "true".equalsIgnoreCase(String.valueOf(v));
                default -> { } // cluster_traffic and the like: nothing to do on one server
            }
        }
        return new AccountLimits(maxMemory, maxStore, maxStreams, maxConsumers, maxAckPending, memStream, storeStream, required);
    }

    private static long size(Object v) {
        if (v instanceof Number n) return n.longValue();
        String s = String.valueOf(v).trim().toUpperCase();
        long mult = 1;
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        if (s.endsWith("I")) s = s.substring(0, s.length() - 1);
        char c = s.isEmpty() ? '0' : s.charAt(s.length() - 1);
        switch (c) {
            case 'K' -> mult = 1024;
            case 'M' -> mult = 1024 * 1024;
            case 'G' -> mult = 1024L * 1024 * 1024;
            case 'T' -> mult = TB;
            default -> { }
        }
        if (mult > 1) s = s.substring(0, s.length() - 1);
        return Long.parseLong(s.trim()) * mult;
    }

    // ---- server limits ----

    /** The server's memory limit: configured, or 75% of the machine's memory as upstream defaults it. */
    public static long serverMaxMemory(JsServer js) {
        long configured = js.options().jetstreamMaxMemory;
        if (configured >= 0) return configured;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / 4 * 3;
        }
        return Runtime.getRuntime().maxMemory() / 4 * 3;
    }

    /** The server's file store limit: configured, or 75% of the free space under the store directory, at most 1 TB. */
    public static long serverMaxStore(JsServer js) {
        long configured = js.options().jetstreamMaxStore;
        if (configured >= 0) return configured;
        File dir = js.root().toFile();
        while (dir != null && !dir.exists()) dir = dir.getParentFile();
        long free = dir == null ? TB : dir.getUsableSpace() / 4 * 3;
        return free <= 0 ? TB : Math.min(free, TB);
    }

    // ---- create and update ----

    /**
     * Checks a stream config being created ({@code existing} null) or updated against the
     * account's and the server's limits; null when it fits. Caller holds the account lock.
     */
    public static ApiError checkStream(JsServer js, JsAccount ja, StreamConfig c, Stream existing) {
        AccountLimits l = ja.limits;
        boolean mem = c.isMemory();
        long perStream = mem ? l.memoryMaxStreamBytes() : l.storeMaxStreamBytes();
        if (l.maxBytesRequired() && c.maxBytes <= 0) return ApiErrors.of("JSStreamMaxBytesRequired");
        if (perStream > 0 && c.maxBytes > perStream) return ApiErrors.of("JSStreamMaxStreamBytesExceeded");
        if (existing == null && l.maxStreams() > 0 && ja.streams.size() >= l.maxStreams()) {
            return ApiErrors.of("JSMaximumStreamsLimitErr");
        }
        if (c.maxConsumers > 0 && l.maxConsumers() > 0 && c.maxConsumers > l.maxConsumers()) {
            return ApiErrors.of("JSMaximumConsumersLimitErr");
        }
        long add = c.maxBytes <= 0 ? 1 : c.maxBytes;
        ApiError exceeded = ApiErrors.of(mem ? "JSMemoryResourcesExceededErr" : "JSStorageResourcesExceededErr");
        long accountLimit = mem ? l.maxMemory() : l.maxStore();
        long reserved = reserved(List.of(ja), mem, c.name, ja);
        if (accountLimit >= 0 && (reserved > accountLimit || add > accountLimit - reserved)) return exceeded;
        long serverLimit = mem ? serverMaxMemory(js) : serverMaxStore(js);
        long serverReserved = reserved(js.jsAccounts(), mem, c.name, ja);
        if (serverReserved > serverLimit || add > serverLimit - serverReserved) return exceeded;
        return null;
    }

    /** max_bytes of the streams of one storage type, except stream {@code name} of {@code self}. */
    private static long reserved(List<JsAccount> accounts, boolean mem, String name, JsAccount self) {
        long total = 0;
        for (JsAccount a : accounts) {
            List<Stream> streams;
            if (a == self) {
                streams = new ArrayList<>(a.streams.values()); // the caller holds this lock already
            } else {
                synchronized (a) {
                    streams = new ArrayList<>(a.streams.values());
                }
            }
            for (Stream s : streams) {
                StreamConfig c = s.config();
                if (a == self && c.name.equals(name)) continue;
                if (c.isMemory() == mem && c.maxBytes > 0) total += c.maxBytes;
            }
        }
        return total;
    }

    /** Reserved bytes of an account's (or, with every account, the server's) max_bytes streams: {memory, file}. */
    public static long[] reservedBytes(List<JsAccount> accounts) {
        long[] r = new long[2];
        for (JsAccount a : accounts) {
            for (Stream s : streamsOf(a)) {
                StreamConfig c = s.config();
                if (c.maxBytes > 0) r[c.isMemory() ? 0 : 1] += c.maxBytes;
            }
        }
        return r;
    }

    public static List<Stream> streamsOf(JsAccount a) {
        synchronized (a) {
            return new ArrayList<>(a.streams.values());
        }
    }

    /** Bytes in use by an account: {memory, file}, counted now. */
    public static long[] usedBytes(JsAccount a) {
        long[] r = new long[2];
        for (Stream s : streamsOf(a)) r[s.config().isMemory() ? 0 : 1] += s.store().state().bytes();
        return r;
    }

    // ---- appends ----

    /** The bytes a message takes in a store, as upstream counts them. */
    static long messageBytes(boolean memory, String subject, byte[] headers, byte[] payload) {
        int h = headers == null ? 0 : headers.length;
        if (memory) return subject.length() + h + payload.length + 16L;
        return 30L + subject.length() + h + payload.length + (h > 0 ? 4 : 0);
    }

    /** Null when the account (and server) can take one more message for {@code s}; else the error. */
    static ApiError checkAppend(Stream s, String subject, byte[] headers, byte[] payload) {
        JsServer js = s.jetStream();
        JsAccount ja = js.account(s.account());
        if (ja == null) return null;
        boolean mem = s.config().isMemory();
        long accountLimit = mem ? ja.limits.maxMemory() : ja.limits.maxStore();
        long serverLimit = mem ? js.options().jetstreamMaxMemory : js.options().jetstreamMaxStore;
        if (accountLimit < 0 && serverLimit < 0) return null; // nothing configured: nothing to count
        long size = messageBytes(mem, subject, headers, payload);
        if (accountLimit >= 0 && wouldExceed(ja.usage, List.of(ja), mem, size, accountLimit)) {
            return ApiErrors.of("JSAccountResourcesExceededErr");
        }
        if (serverLimit >= 0 && wouldExceed(js.serverUsage(), js.jsAccounts(), mem, size, serverLimit)) {
            return ApiErrors.of(mem ? "JSMemoryResourcesExceededErr" : "JSStorageResourcesExceededErr");
        }
        return null;
    }

    private static boolean wouldExceed(Usage u, List<JsAccount> accounts, boolean mem, long size, long limit) {
        synchronized (u) {
            long now = System.nanoTime();
            if (now - u.countedAt > FRESH_NANOS || (mem ? u.memory : u.store) + size > limit) {
                long m = 0;
                long f = 0;
                for (JsAccount a : accounts) {
                    long[] used = usedBytes(a);
                    m += used[0];
                    f += used[1];
                }
                u.memory = m;
                u.store = f;
                u.countedAt = now;
            }
            return (mem ? u.memory : u.store) + size > limit;
        }
    }

    /** Counts a stored message into the cached usage (until the next recount). */
    static void appended(Stream s, String subject, byte[] headers, byte[] payload) {
        JsServer js = s.jetStream();
        JsAccount ja = js.account(s.account());
        if (ja == null) return;
        boolean mem = s.config().isMemory();
        if ((mem ? ja.limits.maxMemory() : ja.limits.maxStore()) < 0
                && (mem ? js.options().jetstreamMaxMemory : js.options().jetstreamMaxStore) < 0) {
            return;
        }
        long size = messageBytes(mem, subject, headers, payload);
        ja.usage.add(mem, size);
        js.serverUsage().add(mem, size);
    }

    // ---- reporting ----

    /** {@code $JS.API.INFO}: usage, reservations, counts, limits, domain and API counters. */
    public static void accountInfo(JsServer js, JsAccount ja, int consumers, Map<String, Object> resp) {
        long[] used = usedBytes(ja);
        long[] reserved = reservedBytes(List.of(ja));
        resp.put("memory", used[0]);
        resp.put("storage", used[1]);
        resp.put("reserved_memory", reserved[0]);
        resp.put("reserved_storage", reserved[1]);
        resp.put("streams", streamsOf(ja).size());
        resp.put("consumers", consumers);
        resp.put("limits", ja.limits.toJson());
        if (js.domain() != null && !js.domain().isEmpty()) resp.put("domain", js.domain());
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("total", ja.apiTotal.get());
        api.put("errors", ja.apiErrors.get());
        resp.put("api", api);
    }
}
