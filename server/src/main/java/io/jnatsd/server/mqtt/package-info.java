/**
 * MQTT 3.1.1 clients (and QoS 2 publishing, as upstream 2.10 receives it): a connection kind in front of the
 * routing core, with sessions, retained and QoS 1/2 messages kept in JetStream streams named as upstream names
 * them. May import {@code config}, {@code log}, {@code auth}, {@code net}, {@code core}, {@code conn} and
 * {@code client} (its permission guard); reaches JetStream only through its API subjects, never its classes. The
 * packet codec and the topic mapping are in the protocol module ({@code io.jnatsd.protocol.mqtt}).
 */
package io.jnatsd.server.mqtt;
