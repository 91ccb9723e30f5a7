package io.jnatsd.protocol.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One published message as the parser saw it: the subject (as an interned String for
 * matching), the reply and the bytes of headers plus payload, all still inside the read
 * buffer. The parser reuses one instance per connection, so nothing here survives the
 * {@link ClientOpHandler#onPublish} call unless copied. A message arriving from a route
 * (RMSG, HMSG, LMSG) is one of these too, so local delivery encodes both alike.
 */
public final class InboundMessage {
    String subject;
    ByteBuf buffer;
    int subjectStart;
    int subjectLength;
    int replyStart;
    int replyLength;
    String reply;
    int headerLength = -1;
    int totalLength;
    int dataStart;
    /** Set on a rewritten copy (imports, mappings): these bytes replace the original subject/reply. */
    private byte[] subjectOverride;
    private byte[] replyOverride;
    /** Set when receivers are shown another subject than the one the message is matched on. */
    private byte[] routingSubject;
    private FrameParts frameParts;

    /** The subject, interned: repeated subjects cost no allocation. */
    public String subject() {
        return subject;
    }

    /** The subject receivers are shown: {@link #subject()} but for a JetStream delivery ({@link #shownAs}). */
    public String shownSubject() {
        return routingSubject == null || subjectOverride == null ? subject : new String(subjectOverride, StandardCharsets.UTF_8);
    }

    public boolean hasReply() {
        return replyLength > 0;
    }

    /** The reply subject, or null; built lazily since delivery copies its bytes instead. */
    public String reply() {
        if (replyLength <= 0) return null;
        if (reply == null) reply = buffer.toString(replyStart, replyLength, StandardCharsets.UTF_8);
        return reply;
    }

    /** Header bytes count, or -1 for a PUB without headers. */
    public int headerLength() {
        return headerLength;
    }

    public boolean hasHeaders() {
        return headerLength >= 0;
    }

    /** Headers plus payload, as counted by max_payload. */
    public int totalLength() {
        return totalLength;
    }

    public int payloadLength() {
        return headerLength < 0 ? totalLength : totalLength - headerLength;
    }

    public void writeSubject(ByteBuf out) {
        if (subjectOverride != null) out.writeBytes(subjectOverride);
        else out.writeBytes(buffer, subjectStart, subjectLength);
    }

    /**
     * Writes the subject the message is matched on, for a peer server that matches it against
     * its own subscriptions. The same as {@link #writeSubject} except for
     * {@link #internalDelivery}, whose shown subject is for the last hop to a client only (as
     * upstream routes a JetStream delivery on its deliver subject).
     */
    public void writeRoutingSubject(ByteBuf out) {
        if (routingSubject != null) out.writeBytes(routingSubject);
        else writeSubject(out);
    }

    public void writeReply(ByteBuf out) {
        if (replyOverride != null) out.writeBytes(replyOverride);
        else out.writeBytes(buffer, replyStart, replyLength);
    }

    /**
     * A message made by the server itself (JetStream replies, system events): headers (a
     * complete NATS/1.0 block, or null) and payload are copied into a buffer of its own.
     */
    public static InboundMessage internal(String subject, String reply, byte[] headers, byte[] payload) {
        int h = headers == null ? 0 : headers.length;
        byte[] data = new byte[h + payload.length];
        if (h > 0) System.arraycopy(headers, 0, data, 0, h);
        System.arraycopy(payload, 0, data, h, payload.length);
        InboundMessage m = new InboundMessage();
        m.buffer = io.netty.buffer.Unpooled.wrappedBuffer(data);
        m.dataStart = 0;
        m.totalLength = data.length;
        m.headerLength = headers == null ? -1 : h;
        return m.addressedTo(subject, reply);
    }

    /**
     * A server-made message routed on {@code routeSubject} but shown to receivers under
     * {@code shownSubject}: how JetStream delivers a stored message to a consumer's deliver
     * subject (or a pull request's inbox) with the subject it was published on.
     */
    public static InboundMessage internalDelivery(String routeSubject, String shownSubject, String reply,
                                                  byte[] headers, byte[] payload) {
        InboundMessage m = internal(routeSubject, reply, headers, payload);
        m.routingSubject = m.subjectOverride;
        m.subjectOverride = shownSubject.getBytes(StandardCharsets.UTF_8);
        return m;
    }

    /**
     * This message, still routed on its subject, but shown to receivers under {@code shownSubject}
     * with {@code newReply}: a JetStream delivery that arrived over a route (upstream carries the
     * shown subject after an {@code @} in the ack reply). Shares this one's data.
     */
    public InboundMessage shownAs(String shownSubject, String newReply) {
        InboundMessage m = rewritten(subject, newReply);
        m.routingSubject = m.subjectOverride;
        m.subjectOverride = shownSubject.getBytes(StandardCharsets.UTF_8);
        return m;
    }

    /** Whether receivers are shown another subject than the one it is routed on (a JetStream delivery). */
    public boolean shownUnderAnotherSubject() {
        return routingSubject != null;
    }

    /** Whether the reply subject starts with {@code prefix} (ASCII), without building it as a String. */
    public boolean replyStartsWith(byte[] prefix) {
        if (replyOverride != null) {
            return replyOverride.length >= prefix.length
                    && java.util.Arrays.equals(replyOverride, 0, prefix.length, prefix, 0, prefix.length);
        }
        if (replyLength < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (buffer.getByte(replyStart + i) != prefix[i]) return false;
        }
        return true;
    }

    /**
     * The same message under another subject and reply (null for none), sharing this one's
     * data; valid as long as this one is. Used where a message crosses into another account or
     * is mapped. For a JetStream delivery only the subject it is routed on changes: receivers
     * are still shown the subject it was stored under, as upstream keeps {@code pa.deliver}
     * through imports and mappings.
     */
    public InboundMessage rewritten(String newSubject, String newReply) {
        InboundMessage m = new InboundMessage();
        m.buffer = buffer;
        m.headerLength = headerLength;
        m.totalLength = totalLength;
        m.dataStart = dataStart;
        m.addressedTo(newSubject, newReply);
        if (routingSubject != null) {
            m.routingSubject = m.subjectOverride;
            m.subjectOverride = subjectOverride;
        }
        return m;
    }

    /** Sets subject and reply from Strings, for messages not addressed by a read buffer. */
    private InboundMessage addressedTo(String newSubject, String newReply) {
        subject = newSubject;
        subjectOverride = newSubject.getBytes(StandardCharsets.UTF_8);
        if (newReply != null && !newReply.isEmpty()) {
            reply = newReply;
            replyOverride = newReply.getBytes(StandardCharsets.UTF_8);
            replyLength = replyOverride.length;
        }
        return this;
    }

    /** Writes headers and payload (the HMSG body). */
    public void writeAll(ByteBuf out) {
        out.writeBytes(buffer, dataStart, totalLength);
    }

    /** Writes only the payload (what a subscriber without header support gets). */
    public void writePayload(ByteBuf out) {
        int h = Math.max(headerLength, 0);
        out.writeBytes(buffer, dataStart + h, totalLength - h);
    }

    /** A read-only view of headers plus payload, valid during the callback. */
    public ByteBuf data() {
        return buffer.slice(dataStart, totalLength);
    }

    /** A read-only view of the payload, valid during the callback. */
    public ByteBuf payload() {
        int h = Math.max(headerLength, 0);
        return buffer.slice(dataStart + h, totalLength - h);
    }

    /** The header block bytes, or an empty buffer. */
    public ByteBuf headers() {
        return buffer.slice(dataStart, Math.max(headerLength, 0));
    }

    byte[] subjectBytesOrNull() {
        return subjectOverride;
    }

    byte[] replyBytesOrNull() {
        return replyOverride;
    }

    /** The receiver-independent parts of this message's MSG/HMSG line, built on first use. */
    FrameParts frameParts() {
        FrameParts p = frameParts;
        if (p == null) {
            p = new FrameParts();
            frameParts = p;
        }
        if (!p.built) p.build(this);
        return p;
    }

    /**
     * Points this message at a frame a parser found in its read buffer: the subject (already
     * interned by the parser), the reply ({@code replyLength} 0 for none), the header length
     * (-1 for none) and headers plus payload from {@code dataStart}. For the parsers, which
     * reuse one instance per connection; anything a previous frame left is cleared.
     */
    public void setFrame(ByteBuf buffer, String subject, int subjectStart, int subjectLength,
                         int replyStart, int replyLength, int headerLength, int totalLength, int dataStart) {
        reset();
        this.buffer = buffer;
        this.subject = subject;
        this.subjectStart = subjectStart;
        this.subjectLength = subjectLength;
        this.replyStart = replyStart;
        this.replyLength = replyLength;
        this.headerLength = headerLength;
        this.totalLength = totalLength;
        this.dataStart = dataStart;
    }

    /** Lets go of the read buffer once the parser's callback has returned. */
    public void clearFrame() {
        buffer = null;
    }

    void reset() {
        if (frameParts != null) frameParts.built = false;
        subjectOverride = null;
        replyOverride = null;
        routingSubject = null;
        subject = null;
        reply = null;
        replyLength = 0;
        headerLength = -1;
        buffer = null;
    }
}
