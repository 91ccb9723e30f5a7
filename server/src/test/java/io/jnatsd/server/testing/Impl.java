package io.jnatsd.server.testing;

/** Which server a behavioural test runs against: ours, or upstream nats-server as the oracle. */
public enum Impl {
    JNATSD,
    UPSTREAM
}
