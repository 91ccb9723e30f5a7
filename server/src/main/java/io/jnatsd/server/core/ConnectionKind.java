package io.jnatsd.server.core;

/**
 * What kind of connection (or internal service) a publisher or a subscriber is. The routing
 * core serves every kind the same way; the few rules that differ by kind are the methods
 * here, so that clustering, leaf nodes and gateways never become branches inside a
 * connection class. The names are upstream's (client.go: CLIENT, ROUTER, GATEWAY, LEAF,
 * SYSTEM, JETSTREAM, ACCOUNT).
 */
public enum ConnectionKind {
    /** A NATS client. */
    CLIENT,
    /** Another server of this cluster: its subscriptions stand for the interest of that server. */
    ROUTE,
    /** A server of another cluster. */
    GATEWAY,
    /** A leaf node connection. */
    LEAF,
    /** The server's own services that are visible cluster-wide: system events and requests, service replies. */
    SYSTEM,
    /** JetStream's API, streams and consumers. */
    JETSTREAM,
    /**
     * The plumbing of account imports (service and stream import forwarders). An import is
     * carried out on the server where the message was published, so this kind neither tells
     * other servers about its interest nor acts on a message that arrived from one (which its
     * twin on the publishing server has already forwarded).
     */
    ACCOUNT;

    /** Subscriptions of this kind stand for interest on another server (one copy per connection). */
    public boolean isRemote() {
        return this == ROUTE || this == GATEWAY;
    }

    /**
     * Whether the first and last subscription of this kind on a subject are reported as
     * interest events (so routes send RS+/RS-). Remote interest is never passed on (full mesh:
     * one hop), and import plumbing is local by design.
     */
    public boolean propagatesInterest() {
        return !isRemote() && this != ACCOUNT;
    }

    /**
     * Whether a message published by a connection of {@code origin}'s kind may be delivered to
     * a subscriber of this kind. A message that came over a route goes only to local
     * subscribers, never on to another route (one hop), nor to import plumbing.
     */
    public boolean receivesFrom(ConnectionKind origin) {
        if (origin == ROUTE) return !isRemote() && this != ACCOUNT;
        return true;
    }
}
