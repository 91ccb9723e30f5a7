package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;

/**
 * Receives the operations the {@link ClientParser} decodes from one client connection.
 * Every buffer handed over is only valid during the call.
 */
public interface ClientOpHandler {
    /** CONNECT with its JSON argument (possibly empty or malformed: the handler decides). */
    void onConnect(ByteBuf json);

    /** PUB or HPUB; {@code msg} is reused by the parser for the next message. */
    void onPublish(InboundMessage msg);

    void onSubscribe(String subject, String queue, String sid);

    /** UNSUB; {@code max} is -1 when absent or not a number (upstream then removes at once). */
    void onUnsubscribe(String sid, long max);

    void onPing();

    void onPong();

    /** INFO with its JSON argument: clients have no reason to send one, but it must be valid. */
    default void onInfo(ByteBuf json) {
    }

    /**
     * The first operation of a connection is not CONNECT: whether it may go on (no auth is
     * required, or a {@code no_auth_user} takes the client). When not, the handler has refused
     * the client (upstream's Authorization Violation) and the parser stops.
     */
    default boolean beforeConnect() {
        return true;
    }

    /** The parser has stopped; the handler sends the -ERR text if any and closes. */
    void onViolation(ProtocolViolation violation);
}
