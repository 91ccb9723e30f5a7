/**
 * Gateways: the connections between the clusters of a super-cluster, in upstream's gateway
 * protocol (nats-server 2.9.10, gateway.go). Each server dials every other cluster (outbound:
 * it sends its own clients' messages there) and accepts the other clusters' servers (inbound:
 * it tells them this whole cluster's interest and takes their messages). Sits above {@code leaf}
 * (it uses {@code conn}, {@code core}, {@code account} and {@code cluster}'s facts through
 * {@link io.jnatsd.server.gateway.GatewayServices}) and below {@code jetstream}.
 */
package io.jnatsd.server.gateway;
