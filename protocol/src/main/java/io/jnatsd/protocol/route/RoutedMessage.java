package io.jnatsd.protocol.route;

import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.protocol.wire.Args;
import io.jnatsd.protocol.wire.SubjectInterner;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * One message a route delivered (RMSG, HMSG or LMSG): the account it belongs to, the leaf
 * origin cluster for LMSG, the queue groups the sending server picked this server for, and the
 * message itself as an {@link InboundMessage}, so that local delivery encodes it exactly as a
 * client's publication. The parser reuses one instance per connection and its data stays in
 * the read buffer, so nothing here survives the {@link RouteOpHandler#onRoutedMessage} call
 * unless copied.
 */
public final class RoutedMessage {
    private final InboundMessage message = new InboundMessage();
    private final Args args;
    private final SubjectInterner queueNames;

    String account;
    String origin;
    /** Queue names stay bytes in the buffer until asked for: most messages have none. */
    private ByteBuf buffer;
    private int firstQueueArg;
    private int queueCount;
    private int shift;

    RoutedMessage(Args args, SubjectInterner queueNames) {
        this.args = args;
        this.queueNames = queueNames;
    }

    /** The account name, interned: repeated accounts cost no allocation. */
    public String account() {
        return account;
    }

    /** The origin cluster of an LMSG (a message that entered the cluster from a leaf), else null. */
    public String origin() {
        return origin;
    }

    /**
     * How many queue groups the sender chose this server to deliver to (one member each); 0
     * for a message that goes to plain subscriptions only.
     */
    public int queueCount() {
        return queueCount;
    }

    /** Queue group {@code i}, interned: repeated group names cost no allocation. */
    public String queue(int i) {
        Objects.checkIndex(i, queueCount);
        int arg = firstQueueArg + i;
        return queueNames.intern(buffer, args.start(arg) + shift, args.length(arg));
    }

    /** Subject, reply, headers and payload, as {@code MessageWriter} delivers them. */
    public InboundMessage message() {
        return message;
    }

    /**
     * Sets the queue groups as arguments {@code [firstQueueArg, firstQueueArg + queueCount)} of
     * the parser's {@link Args}, whose positions are {@code shift} bytes behind the buffer's
     * current layout.
     */
    void setQueues(ByteBuf buffer, int firstQueueArg, int queueCount, int shift) {
        this.buffer = buffer;
        this.firstQueueArg = firstQueueArg;
        this.queueCount = queueCount;
        this.shift = shift;
    }

    void clear() {
        message.clearFrame();
        buffer = null;
        queueCount = 0;
    }
}
