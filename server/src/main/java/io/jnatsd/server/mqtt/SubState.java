package io.jnatsd.server.mqtt;

import io.jnatsd.server.core.Subscription;

/** A NATS subscription of an MQTT client: a filter's (live deliveries), or a consumer's deliver subject (QoS 1). */
final class SubState {
    final Subscription sub;
    volatile int qos;
    /** The durable consumer this deliver subject belongs to; null for a filter's subscription. */
    final String durable;
    /** The subscription's NATS filter (for a consumer's deliver subject, the filter it serves). */
    final String filter;
    /** MQTT 5's subscription options (3.1.1: {@link SubOptions#NONE}). */
    volatile SubOptions options;

    SubState(Subscription sub, int qos, String durable, String filter, SubOptions options) {
        this.sub = sub;
        this.qos = qos;
        this.durable = durable;
        this.filter = filter;
        this.options = options;
    }
}
