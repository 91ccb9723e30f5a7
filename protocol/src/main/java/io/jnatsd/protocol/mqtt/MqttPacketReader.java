package io.jnatsd.protocol.mqtt;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes MQTT 3.1.1 and 5 control packets from their bytes, refusing what upstream refuses (3.1.1) with the same
 * outcome (a CONNACK return code or a plain close) and what MQTT 5 refuses with its reason code
 * ({@link MqttProtocolException}). Strings are checked as strict UTF-8
 * without U+0000 (as upstream since 2.10 checks them; 2.9.10 passed a PUBLISH topic on unchecked).
 */
public final class MqttPacketReader {
    /** Four bytes of remaining length at most (MQTT 3.1.1 section 2.2.3). */
    public static final int MAX_REMAINING_LENGTH = 0xFFFFFFF;

    private MqttPacketReader() {}

    /**
     * The length of the packet starting at {@code in}'s reader index (fixed header included), or -1 when more
     * bytes are needed to know it or to hold it all. Does not move the reader index.
     */
    public static int frameLength(ByteBuf in) throws MqttProtocolException {
        int start = in.readerIndex();
        int avail = in.readableBytes();
        int value = 0;
        for (int i = 1; i <= 4; i++) {
            if (avail <= i) return -1;
            int b = in.getUnsignedByte(start + i);
            value |= (b & 0x7F) << (7 * (i - 1));
            if ((b & 0x80) == 0) {
                long total = 1L + i + value;
                return total <= avail ? (int) total : -1;
            }
        }
        throw new MqttProtocolException("malformed variable int");
    }

    /** The remaining length a complete frame declares (for the size limit), given {@link #frameLength} said it is complete or not. */
    public static long declaredLength(ByteBuf in) {
        int start = in.readerIndex();
        long value = 0;
        for (int i = 1; i <= 4 && i < in.readableBytes(); i++) {
            int b = in.getUnsignedByte(start + i);
            value |= (long) (b & 0x7F) << (7 * (i - 1));
            if ((b & 0x80) == 0) return value;
        }
        return -1;
    }

    /** Decodes one complete 3.1.1 frame (as {@link #frameLength} measured it); {@code frame} is consumed. */
    public static MqttPacket read(ByteBuf frame) throws MqttProtocolException {
        return read(frame, MqttPacket.LEVEL_3_1_1);
    }

    /**
     * Decodes one complete frame of a connection at protocol {@code level} (the CONNECT's, read whatever the
     * level given); {@code frame} is consumed.
     */
    public static MqttPacket read(ByteBuf frame, int level) throws MqttProtocolException {
        int first = frame.readUnsignedByte();
        while ((frame.readUnsignedByte() & 0x80) != 0) {
            // the remaining length, already measured
        }
        int type = first >> 4;
        int flags = first & 0x0F;
        boolean v5 = level == MqttPacket.LEVEL_5;
        return switch (type) {
            case MqttPacket.CONNECT -> connect(frame);
            case MqttPacket.PUBLISH -> publish(flags, frame, v5);
            case MqttPacket.PUBACK, MqttPacket.PUBREC, MqttPacket.PUBREL, MqttPacket.PUBCOMP -> ack(type, frame, v5);
            case MqttPacket.SUBSCRIBE -> subscribe(flags, frame, v5);
            case MqttPacket.UNSUBSCRIBE -> unsubscribe(flags, frame, v5);
            case MqttPacket.PINGREQ -> new MqttPacket.Bare(type);
            case MqttPacket.DISCONNECT -> disconnect(frame, v5);
            case MqttPacket.AUTH -> {
                if (!v5) throw new MqttProtocolException("received unknown packet type " + type);
                yield new MqttPacket.Bare(type);
            }
            default -> {
                if (v5) throw MqttProtocolException.protocolError("received packet type " + type);
                throw new MqttProtocolException("received unknown packet type " + type);
            }
        };
    }

    private static MqttPacket.Connect connect(ByteBuf in) throws MqttProtocolException {
        byte[] proto = bytes(in, "protocol name");
        String name = new String(proto, StandardCharsets.ISO_8859_1);
        if (!name.equals("MQTT")) {
            if (name.equals("MQIsdp")) throw new MqttProtocolException("older protocol \"MQIsdp\" not supported");
            throw new MqttProtocolException("expected connect packet with protocol name \"MQTT\", got \"" + name + "\"");
        }
        int level = u8(in, "protocol level");
        if (level != MqttPacket.LEVEL_3_1_1 && level != MqttPacket.LEVEL_5) {
            throw new MqttProtocolException("unacceptable protocol version of " + level,
                    MqttProtocolException.UNACCEPTABLE_PROTOCOL_VERSION);
        }
        try {
            return connect(in, level);
        } catch (MqttProtocolException e) {
            throw e.atLevel(level);
        }
    }

    private static MqttPacket.Connect connect(ByteBuf in, int level) throws MqttProtocolException {
        boolean v5 = level == MqttPacket.LEVEL_5;
        int flags = u8(in, "flags");
        if ((flags & 0x01) != 0) throw new MqttProtocolException("connect flags reserved bit not set to 0");
        boolean willFlag = (flags & 0x04) != 0;
        int willQos = (flags & 0x18) >> 3;
        boolean willRetain = (flags & 0x20) != 0;
        if (!willFlag) {
            if (willQos != 0) throw new MqttProtocolException("if Will flag is set to 0, Will QoS must be 0 too, got " + willQos);
            if (willRetain) throw new MqttProtocolException("if Will flag is set to 0, Will Retain flag must be 0 too");
        } else if (willQos == 3) {
            throw new MqttProtocolException("if Will flag is set to 1, Will QoS can be 0, 1 or 2, got 3");
        }
        boolean hasUser = (flags & 0x80) != 0;
        boolean hasPassword = (flags & 0x40) != 0;
        // MQTT 5 allows a password without a user name (section 3.1.2.9).
        if (!v5 && !hasUser && hasPassword) throw new MqttProtocolException("password flag set but username flag is not");
        boolean clean = (flags & 0x02) != 0;
        int keepAlive = u16(in, "keep alive");
        MqttProperties props = v5 ? MqttProperties.read(in, MqttPacket.CONNECT) : new MqttProperties();
        String clientId = string(in, "client ID", MqttProtocolException.IDENTIFIER_REJECTED);
        if (!v5 && clientId.isEmpty() && !clean) {
            throw new MqttProtocolException("when client ID is empty, clean session flag must be set to 1",
                    MqttProtocolException.IDENTIFIER_REJECTED);
        }
        MqttPacket.Will will = null;
        if (willFlag) {
            MqttProperties willProps = v5 ? MqttProperties.read(in, MqttProperties.WILL) : new MqttProperties();
            String topic = string(in, "Will topic", 0);
            if (topic.isEmpty()) throw new MqttProtocolException("empty Will topic not allowed");
            if (v5) checkTopicName(topic);
            will = new MqttPacket.Will(topic, bytes(in, "Will message"), willQos, willRetain, willProps);
        }
        String user = null;
        if (hasUser) {
            user = string(in, "user name", MqttProtocolException.BAD_USER_NAME_OR_PASSWORD);
            if (!v5 && user.isEmpty()) {
                throw new MqttProtocolException("empty user name not allowed", MqttProtocolException.BAD_USER_NAME_OR_PASSWORD);
            }
        }
        byte[] password = hasPassword ? bytes(in, "password") : null;
        if (v5 && in.isReadable()) throw MqttProtocolException.malformed("bytes after the CONNECT payload");
        return new MqttPacket.Connect(level, clean, keepAlive, clientId, will, user, password, props);
    }

    private static MqttPacket.Publish publish(int flags, ByteBuf in, boolean v5) throws MqttProtocolException {
        int qos = (flags & 0x06) >> 1;
        if (qos == 3) throw new MqttProtocolException("publish QoS=3 not allowed");
        if (qos == 0 && (flags & 0x08) != 0 && v5) throw MqttProtocolException.malformed("DUP set on a QoS 0 PUBLISH");
        String topic = string(in, "topic", 0);
        if (topic.isEmpty() && !v5) throw new MqttProtocolException("topic cannot be empty");
        if (v5) checkTopicName(topic);
        int pi = 0;
        if (qos > 0) {
            pi = u16(in, "packet identifier");
            if (pi == 0) throw new MqttProtocolException("with QoS=" + qos + ", packet identifier cannot be 0");
        }
        MqttProperties props = v5 ? MqttProperties.read(in, MqttPacket.PUBLISH) : new MqttProperties();
        if (topic.isEmpty() && !props.has(MqttProperties.TOPIC_ALIAS)) {
            throw MqttProtocolException.protocolError("empty topic without a topic alias");
        }
        byte[] payload = new byte[in.readableBytes()];
        in.readBytes(payload);
        return new MqttPacket.Publish(qos, (flags & 0x08) != 0, (flags & 0x01) != 0, topic, pi, payload, props);
    }

    /**
     * A PUBLISH topic with a wildcard breaks MQTT-3.3.2-2, which names no reason code: a protocol error, as
     * Mosquitto answers it.
     */
    private static void checkTopicName(String topic) throws MqttProtocolException {
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw MqttProtocolException.protocolError("wildcards not allowed in a topic name");
        }
    }

    private static MqttPacket.Ack ack(int type, ByteBuf in, boolean v5) throws MqttProtocolException {
        int pi = u16(in, "packet identifier");
        if (pi == 0) throw new MqttProtocolException("packet identifier cannot be 0");
        int reason = 0;
        if (v5 && in.isReadable()) {
            reason = in.readUnsignedByte();
            if (in.isReadable()) MqttProperties.read(in, type);
        }
        return new MqttPacket.Ack(type, pi, reason);
    }

    private static MqttPacket.Subscribe subscribe(int flags, ByteBuf in, boolean v5) throws MqttProtocolException {
        if (flags != 0x2) throw new MqttProtocolException("wrong subscribe reserved flags: " + Integer.toHexString(flags));
        int pi = u16(in, "packet identifier");
        MqttProperties props = v5 ? MqttProperties.read(in, MqttPacket.SUBSCRIBE) : new MqttProperties();
        List<MqttPacket.Filter> filters = new ArrayList<>();
        while (in.isReadable()) {
            String f = string(in, "topic filter", 0);
            if (f.isEmpty()) throw new MqttProtocolException("topic filter cannot be empty");
            int options = u8(in, "QoS");
            int qos = options & 0x03;
            if (qos > 2 || (!v5 && options > 2)) throw new MqttProtocolException("subscribe QoS value must be 0, 1 or 2, got " + qos);
            if ((options & 0xC0) != 0) throw MqttProtocolException.malformed("subscription options reserved bits set");
            int retainHandling = (options >> 4) & 0x03;
            if (retainHandling == 3) throw MqttProtocolException.protocolError("retain handling 3");
            filters.add(new MqttPacket.Filter(f, qos, (options & 0x04) != 0, (options & 0x08) != 0, retainHandling));
        }
        if (filters.isEmpty()) throw MqttProtocolException.protocolError("subscribe protocol must contain at least 1 topic filter");
        return new MqttPacket.Subscribe(pi, filters, props);
    }

    private static MqttPacket.Unsubscribe unsubscribe(int flags, ByteBuf in, boolean v5) throws MqttProtocolException {
        if (flags != 0x2) throw new MqttProtocolException("wrong unsubscribe reserved flags: " + Integer.toHexString(flags));
        int pi = u16(in, "packet identifier");
        if (v5) MqttProperties.read(in, MqttPacket.UNSUBSCRIBE);
        List<String> filters = new ArrayList<>();
        while (in.isReadable()) {
            String f = string(in, "topic filter", 0);
            if (f.isEmpty()) throw new MqttProtocolException("topic filter cannot be empty");
            filters.add(f);
        }
        if (filters.isEmpty()) throw MqttProtocolException.protocolError("unsubscribe protocol must contain at least 1 topic filter");
        return new MqttPacket.Unsubscribe(pi, filters);
    }

    private static MqttPacket.Disconnect disconnect(ByteBuf in, boolean v5) throws MqttProtocolException {
        if (!v5 || !in.isReadable()) return new MqttPacket.Disconnect(0, new MqttProperties());
        int reason = in.readUnsignedByte();
        MqttProperties props = in.isReadable() ? MqttProperties.read(in, MqttPacket.DISCONNECT) : new MqttProperties();
        return new MqttPacket.Disconnect(reason, props);
    }

    /** A variable byte integer (section 1.5.5), at most four bytes. */
    static int varInt(ByteBuf in, String field) throws MqttProtocolException {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (!in.isReadable()) throw MqttProtocolException.malformed("error reading " + field + ": EOF");
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        throw MqttProtocolException.malformed("malformed variable int in " + field);
    }

    static int u8(ByteBuf in, String field) throws MqttProtocolException {
        if (!in.isReadable()) throw new MqttProtocolException("error reading " + field + ": EOF");
        return in.readUnsignedByte();
    }

    static int u16(ByteBuf in, String field) throws MqttProtocolException {
        if (in.readableBytes() < 2) throw new MqttProtocolException("error reading " + field + ": unexpected EOF");
        return in.readUnsignedShort();
    }

    static byte[] bytes(ByteBuf in, String field) throws MqttProtocolException {
        int len = u16(in, field);
        if (in.readableBytes() < len) throw new MqttProtocolException("error reading " + field + ": unexpected EOF");
        byte[] b = new byte[len];
        in.readBytes(b);
        return b;
    }

    /** A UTF-8 string field; invalid text is refused with {@code connAckCode} (0: close only). */
    static String string(ByteBuf in, String field, int connAckCode) throws MqttProtocolException {
        byte[] b = bytes(in, field);
        String s = decodeUtf8(b);
        if (s == null) throw new MqttProtocolException("invalid utf8 for " + field, connAckCode);
        if (s.indexOf('\0') >= 0) throw new MqttProtocolException("invalid null character in " + field, connAckCode);
        return s;
    }

    /** Whether {@code b} is well-formed UTF-8 (a payload marked so by MQTT 5's payload format indicator). */
    public static boolean isUtf8(byte[] b) {
        return decodeUtf8(b) != null;
    }

    private static String decodeUtf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
