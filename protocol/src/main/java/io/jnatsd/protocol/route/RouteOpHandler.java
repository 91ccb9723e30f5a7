package io.jnatsd.protocol.route;

import io.jnatsd.protocol.client.ProtocolViolation;
import io.netty.buffer.ByteBuf;

/**
 * Receives the operations the {@link RouteParser} decodes from one route or leaf node
 * connection. Every buffer and message handed over is only valid during the call. In the leaf
 * dialect ({@link RouteParser#forLeaf}) every account and origin is null: the account is the
 * connection's.
 */
public interface RouteOpHandler {
    /** INFO with its JSON argument (possibly empty or malformed: the handler decides). */
    void onInfo(ByteBuf json);

    /** CONNECT with its JSON argument (possibly empty or malformed: the handler decides). */
    void onConnect(ByteBuf json);

    void onPing();

    void onPong();

    void onOk();

    /**
     * The peer sent {@code -ERR}: {@code text} is the rest of the line with the single quotes
     * upstream puts around it removed ({@code -ERR 'Unknown Protocol Operation'} gives
     * {@code Unknown Protocol Operation}, comparable with {@link ProtocolViolation#errText()});
     * a text without the surrounding quotes is given as sent. The parser goes on reading;
     * upstream logs the text and closes the route, which is the handler's decision.
     */
    void onErr(String text);

    /**
     * RS+ ({@code origin} null) or LS+ ({@code origin} the cluster the leaf interest came
     * from). {@code queue} is null for a plain subscription, and {@code weight} then 0; for a
     * queue subscription the weight is the peer's count of members, at least 1, replacing any
     * weight it sent before for the same account, subject and queue.
     */
    void onRemoteSubscribe(String account, String subject, String queue, int weight, String origin);

    /** RS- ({@code leafOrigin} false) or LS- (true); {@code queue} null for a plain subscription. */
    void onRemoteUnsubscribe(String account, String subject, String queue, boolean leafOrigin);

    /**
     * A+ ({@code interested}) or A- (not): the gateway peer's interest in a whole account. Only
     * the gateway dialect has these.
     */
    default void onAccountInterest(String account, boolean interested) {
    }

    /** RMSG, HMSG or LMSG; {@code msg} is reused by the parser for the next message. */
    void onRoutedMessage(RoutedMessage msg);

    /** The parser has stopped; the handler sends the -ERR text if any and closes. */
    void onViolation(ProtocolViolation violation);
}
