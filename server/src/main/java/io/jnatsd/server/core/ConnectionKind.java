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
    /**
     * A server of another cluster (upstream's GATEWAY): its subscriptions are that cluster's
     * interest; it is told of this whole cluster's interest and takes only messages published
     * here, never one that came over a route or another gateway.
     */
    GATEWAY,
    /**
     * A leaf node connected to this server, which is its hub (upstream's hub leaf node): its
     * subscriptions are the leaf's interest, passed on to routes and other leaf nodes as a
     * client's would be.
     */
    LEAF,
    /**
     * This server's connection to its hub, as a leaf node (upstream's spoke leaf node): the
     * hub's interest stays on this server (and its own leaf nodes); routes never hear of it,
     * since every server of a leaf cluster has its own connection to the hub.
     */
    HUB,
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
        return this == ROUTE || this == GATEWAY || this == LEAF || this == HUB;
    }

    /** A leaf node connection, in either role. */
    public boolean isLeaf() {
        return this == LEAF || this == HUB;
    }

    /**
     * Whether routes are told of subscriptions of this kind (RS+/RS-): local interest and the
     * interest of this server's leaf nodes. Remote interest is never passed on to routes (full
     * mesh: one hop), the hub's stays here, and import plumbing is local by design.
     */
    public boolean propagatesInterest() {
        return interestReaches(ROUTE);
    }

    /**
     * Whether a connection of kind {@code audience} is told of a subscription of this kind, as
     * upstream passes interest on: a route hears local and leaf interest; a leaf node (this
     * server its hub) hears everything the account has, the other servers' included; the hub
     * (this server its leaf) hears only what lives here: local interest, import plumbing and
     * this server's own leaf nodes; a gateway hears everything this cluster has but other
     * gateways' interest and import plumbing. Nobody hears of a connection's own interest back; that is
     * the connection's rule, not the kind's.
     */
    public boolean interestReaches(ConnectionKind audience) {
        return switch (audience) {
            case ROUTE -> this == CLIENT || this == SYSTEM || this == JETSTREAM || this == LEAF;
            case LEAF -> this != GATEWAY;
            case HUB -> !isRemote() || this == LEAF;
            case GATEWAY -> this != GATEWAY && this != ACCOUNT;
            default -> false;
        };
    }

    /**
     * Whether a message published by a connection of {@code origin}'s kind may be delivered to
     * a subscriber of this kind, as upstream routes it: a message from a route goes to local
     * subscribers and this server's leaf nodes, never to another route (one hop), the hub or a
     * gateway (the publishing server sent it there itself) or import plumbing (its twin over
     * there acted); a message from the hub goes everywhere but to routes (to gateways too, as
     * upstream sends every leaf message on to other clusters); a message from a leaf node goes
     * everywhere; a message from a gateway goes everywhere but to gateways (each server sends
     * what is published on it to every other cluster itself, so a message crosses one gateway
     * at most). A message never goes back to the connection it came from (the router's
     * no-echo rule for the publisher).
     */
    public boolean receivesFrom(ConnectionKind origin) {
        return switch (origin) {
            case ROUTE -> this == LEAF || (!isRemote() && this != ACCOUNT);
            case HUB -> this != ROUTE;
            case GATEWAY -> this != GATEWAY;
            default -> true;
        };
    }
}
