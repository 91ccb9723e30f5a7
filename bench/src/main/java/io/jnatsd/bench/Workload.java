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
    JS_PUB_ASYNC;

    /** The name on the command line and in results: {@code pubsub}, {@code js-pub}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Workload parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public boolean isJetStream() {
        return this == JS_PUB || this == JS_PUB_ASYNC;
    }

    /** How many subscribers receive each published message. */
    public int receiversPerMessage(int subs) {
        return switch (this) {
            case PUB, JS_PUB, JS_PUB_ASYNC -> 0;
            case FANOUT -> subs;
            default -> 1;
        };
    }
}
