package io.jnatsd.bench;

import java.time.Duration;

/**
 * What one load-tool run does.
 *
 * @param url      server URL
 * @param workload the workload
 * @param size     payload bytes (at least {@link Payloads#SEQ_BYTES} for every workload but pub)
 * @param msgs     measured messages (requests for reqrep)
 * @param subs     subscribers (fanout) or queue members (queue)
 * @param warmup   messages sent and verified before the measured phase
 * @param stall    how long no progress may last before the run is declared failed
 * @param subMode  how subscribers take messages from the client
 * @param bufferSize the client's socket buffer ({@code Options.Builder.bufferSize}), bytes
 */
public record BenchConfig(String url, Workload workload, int size, long msgs, int subs, long warmup,
                          Duration stall, SubMode subMode, int bufferSize) {

    /** How subscribers consume: a Dispatcher (one thread per connection) or nextMessage on a thread of ours. */
    public enum SubMode { DISPATCHER, SYNC }

    public BenchConfig {
        if (msgs <= 0) throw new IllegalArgumentException("--msgs must be positive");
        if (warmup < 0) throw new IllegalArgumentException("--warmup must not be negative");
        if (subs <= 0) throw new IllegalArgumentException("--subs must be positive");
        if (size < 0) throw new IllegalArgumentException("--size must not be negative");
        if (workload != Workload.PUB && size < Payloads.SEQ_BYTES) {
            throw new IllegalArgumentException(
                    "--size must be at least " + Payloads.SEQ_BYTES + " for " + workload.id()
                            + ": each message carries its sequence number");
        }
    }

    /** Subscriber connections this run opens. */
    public int subscriberCount() {
        return switch (workload) {
            case PUB, JS_PUB, JS_PUB_ASYNC -> 0;
            case PUBSUB, REQREP -> 1;
            case FANOUT, QUEUE -> subs;
        };
    }
}
