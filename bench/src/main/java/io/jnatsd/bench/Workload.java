package io.jnatsd.bench;

import java.util.Locale;

/** The end-to-end workloads of the load tool, modelled on {@code nats bench}. */
public enum Workload {
    /** One publisher, no subscriber: publish then flush. */
    PUB,
    /** One publisher, one subscriber. */
    PUBSUB,
    /** One publisher, N subscribers each receiving every message. */
    FANOUT,
    /** One publisher, one queue group of N members sharing the messages. */
    QUEUE,
    /** Request/reply round trips, one at a time, with one responder. */
    REQREP,
    /** JetStream publish to a file stream, each waiting for its PubAck. */
    JS_PUB,
    /** JetStream publish to a file stream, asynchronously with a window of outstanding acks. */
    JS_PUB_ASYNC,
    /** A durable pull consumer with explicit acks, fetching in batches from a pre-filled file stream. */
    JS_PULL,
    /** A durable push consumer (ack none, flow control) on a pre-filled file stream. */
    JS_PUSH,
    /** KeyValue.put on a file bucket, one at a time, latency per put. */
    KV_PUT,
    /** KeyValue.get on a pre-filled file bucket, one at a time, latency per get. */
    KV_GET;

    /** The name on the command line and in results: {@code pubsub}, {@code js-pub}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Workload parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Whether the server needs JetStream for it. */
    public boolean isJetStream() {
        return switch (this) {
            case PUB, PUBSUB, FANOUT, QUEUE, REQREP -> false;
            default -> true;
        };
    }

    /** Whether it times each operation (one at a time) rather than a stream of messages. */
    public boolean measuresLatency() {
        return this == REQREP || this == KV_PUT || this == KV_GET;
    }

    /** What one measured unit is called in reports. */
    public String unit() {
        return switch (this) {
            case REQREP -> "requests";
            case KV_PUT -> "puts";
            case KV_GET -> "gets";
            default -> "msgs";
        };
    }

    /** How many subscribers receive each published message (0: nothing is delivered). */
    public int receiversPerMessage(int subs) {
        return switch (this) {
            case PUB, JS_PUB, JS_PUB_ASYNC, KV_PUT, KV_GET -> 0;
            case FANOUT -> subs;
            default -> 1;
        };
    }

    /** {@code --size} when not given: small messages where the per-message cost is the point. */
    public int defaultSize() {
        return this == JS_PULL || this == JS_PUSH ? 16 : 128;
    }

    /** {@code --msgs} when not given. */
    public long defaultMsgs() {
        return this == KV_PUT || this == KV_GET ? 20_000 : 1_000_000;
    }

    /** {@code --warmup} when not given: 2,000 operations for latency, else a tenth up to 100,000. */
    public long defaultWarmup(long msgs) {
        return measuresLatency() ? Math.min(msgs, 2_000) : Math.min(msgs / 10, 100_000);
    }
}
