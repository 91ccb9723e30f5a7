package io.jnatsd.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What one load-tool run does.
 *
 * @param url      server URL: the publisher's (pub, pubsub, fanout, queue), the requester's (reqrep),
 *                 every connection's (JetStream, KV)
 * @param workload the workload
 * @param size     payload bytes (at least {@link Payloads#SEQ_BYTES} for every workload but pub)
 * @param msgs     measured messages (requests for reqrep, operations for kv-put and kv-get)
 * @param subs     subscribers (fanout) or queue members (queue)
 * @param warmup   messages sent and verified before the measured phase
 * @param stall    how long no progress may last before the run is declared failed
 * @param subMode  how subscribers take messages from the client
 * @param bufferSize the client's socket buffer ({@code Options.Builder.bufferSize}), bytes
 * @param batch    messages per fetch (js-pull)
 * @param keys     distinct keys the operations cycle over (kv-put, kv-get)
 * @param subUrl   the subscriber's server (pubsub) and the responder's (reqrep); null: {@code url}
 * @param memberUrls the servers of the subscribers (fanout) or queue members (queue), member
 *                 {@code i} on {@code memberUrls[i % size]}; empty: all on {@code subUrl}
 * @param replicas the replicas of the stream or bucket a JetStream or KV workload creates
 */
public record BenchConfig(String url, Workload workload, int size, long msgs, int subs, long warmup,
                          Duration stall, SubMode subMode, int bufferSize, int batch, int keys,
                          String subUrl, List<String> memberUrls, int replicas) {

    /** How subscribers consume: a Dispatcher (one thread per connection) or nextMessage on a thread of ours. */
    public enum SubMode { DISPATCHER, SYNC }

    /** Defaults for the options only some workloads use. */
    public static final int DEFAULT_BATCH = 500;
    public static final int DEFAULT_KEYS = 1_000;

    public BenchConfig {
        if (msgs <= 0) throw new IllegalArgumentException("--msgs must be positive");
        if (warmup < 0) throw new IllegalArgumentException("--warmup must not be negative");
        if (subs <= 0) throw new IllegalArgumentException("--subs must be positive");
        if (batch <= 0) throw new IllegalArgumentException("--batch must be positive");
        if (keys <= 0) throw new IllegalArgumentException("--keys must be positive");
        if (size < 0) throw new IllegalArgumentException("--size must not be negative");
        if (replicas <= 0) throw new IllegalArgumentException("--replicas must be positive");
        if (subUrl == null || subUrl.isBlank()) subUrl = url;
        memberUrls = memberUrls == null ? List.of() : List.copyOf(memberUrls);
        if (workload != Workload.PUB && size < Payloads.SEQ_BYTES) {
            throw new IllegalArgumentException(
                    "--size must be at least " + Payloads.SEQ_BYTES + " for " + workload.id()
                            + ": each message carries its sequence number");
        }
    }

    /** Streams and buckets of one replica. */
    public BenchConfig(String url, Workload workload, int size, long msgs, int subs, long warmup,
                       Duration stall, SubMode subMode, int bufferSize, int batch, int keys,
                       String subUrl, List<String> memberUrls) {
        this(url, workload, size, msgs, subs, warmup, stall, subMode, bufferSize, batch, keys, subUrl, memberUrls, 1);
    }

    /** Every connection on {@code url}. */
    public BenchConfig(String url, Workload workload, int size, long msgs, int subs, long warmup,
                       Duration stall, SubMode subMode, int bufferSize, int batch, int keys) {
        this(url, workload, size, msgs, subs, warmup, stall, subMode, bufferSize, batch, keys, null, List.of());
    }

    /** A run with the defaults for batch and keys. */
    public BenchConfig(String url, Workload workload, int size, long msgs, int subs, long warmup,
                       Duration stall, SubMode subMode, int bufferSize) {
        this(url, workload, size, msgs, subs, warmup, stall, subMode, bufferSize, DEFAULT_BATCH, DEFAULT_KEYS);
    }

    /** Subscriber connections (or consumers) this run receives on. */
    public int subscriberCount() {
        return switch (workload) {
            case PUB, JS_PUB, JS_PUB_ASYNC, KV_PUT, KV_GET -> 0;
            case PUBSUB, REQREP, JS_PULL, JS_PUSH -> 1;
            case FANOUT, QUEUE -> subs;
        };
    }

    /**
     * The server subscriber (or queue member, or responder, or JetStream consumer) {@code i}
     * connects to; the publish and KV workloads have all their connections on {@code url}.
     */
    public String subscriberUrl(int i) {
        return switch (workload) {
            case FANOUT, QUEUE -> memberUrls.isEmpty() ? subUrl : memberUrls.get(i % memberUrls.size());
            case PUBSUB, REQREP, JS_PULL, JS_PUSH -> subUrl;
            default -> url;
        };
    }

    /** The distinct servers the subscribers of this run are on, in the order of their first member. */
    public List<String> subscriberServers() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        for (int i = 0, n = subscriberCount(); i < n; i++) s.add(subscriberUrl(i));
        return new ArrayList<>(s);
    }

    /**
     * Whether some subscriber is on another server than the publisher: then its interest has to
     * cross the cluster before the publisher starts (see {@code LoadRun}'s interest probe).
     */
    public boolean acrossServers() {
        for (int i = 0, n = subscriberCount(); i < n; i++) {
            if (!subscriberUrl(i).equals(url)) return true;
        }
        return false;
    }
}
