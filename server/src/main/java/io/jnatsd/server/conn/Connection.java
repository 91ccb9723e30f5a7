package io.jnatsd.server.conn;

import io.jnatsd.protocol.wire.FrameParser;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * What every connection kind (client, route; later leaf and gateway) gives the shared
 * plumbing: the Netty handler that frames its input ({@link ConnectionHandler}) and its
 * timers ({@link ConnectionTimers}). The protocol dialect lives behind it; the plumbing is
 * written once.
 */
public interface Connection {
    /** The socket is up: send the greeting (INFO), start timers. */
    void start();

    /** Parses what {@code in} holds; leaves a partial frame unread. */
    void read(ByteBuf in);

    /** The connection's parser (its dialect). */
    FrameParser parser();

    /** Parsing goes on: neither stopped (closing) nor paused. */
    default boolean parsing() {
        return parser().isParsing();
    }

    /** Parsing is paused (a slow check) and will resume; input meanwhile is kept. */
    default boolean parserPaused() {
        FrameParser p = parser();
        return p.isPaused() && !p.isStopped();
    }

    /** How many more bytes complete the partial frame in {@code partial}; -1 while in its control line. */
    default int bytesToCompleteFrame(ByteBuf partial) {
        return parser().bytesToCompleteFrame(partial);
    }

    /** End of one inbound read: count it, flush every receiver it filled. */
    void readComplete();

    /** Where the handler is told to parse what was kept while paused. */
    void onResumeReading(Runnable resume);

    ConnectionTimers timers();

    /** The TLS handshake ended; {@code failure} null on success. */
    void tlsHandshakeCompleted(Throwable failure);

    /** The socket is gone: release everything. */
    void channelClosed();

    /** The socket failed (reset, broken pipe). */
    void socketFailed(IOException e);

    void logUnexpected(Throwable cause);

    // ---- for the timers ----

    boolean isClosed();

    /** When the peer last sent something, as {@link System#nanoTime}. */
    long lastInboundNanos();

    /** When the connection was accepted, as {@link System#nanoTime}. */
    long startNanos();

    /** Sends a server PING now. */
    void sendPing();

    /** Too many PINGs unanswered. */
    void staleConnection();

    /** The socket refused bytes for longer than the write deadline. */
    void slowConsumerWriteDeadline();

    /** No CONNECT within the authentication timeout. */
    void authTimeout();

    /** The credentials' validity ended (a user JWT's expiry). */
    void authenticationExpired();
}
