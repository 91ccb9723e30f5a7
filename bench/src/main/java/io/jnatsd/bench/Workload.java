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
    REQREP;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Workload parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /** How many subscribers receive each published message. */
    public int receiversPerMessage(int subs) {
        return switch (this) {
            case PUB -> 0;
            case FANOUT -> subs;
            default -> 1;
        };
    }
}
