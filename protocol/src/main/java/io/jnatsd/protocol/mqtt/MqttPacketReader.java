package io.jnatsd.protocol.mqtt;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes MQTT 3.1.1 control packets from their bytes, refusing what upstream refuses and with the same outcome
 * (a CONNACK return code or a plain close, {@link MqttProtocolException}). Strings are checked as strict UTF-8
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

    /** Decodes one complete frame (as {@link #frameLength} measured it); {@code frame} is consumed. */
    public static MqttPacket read(ByteBuf frame) throws MqttProtocolException {
        int first = frame.readUnsignedByte();
        while ((frame.readUnsignedByte() & 0x80) != 0) {
            // the remaining length, already measured
        }
        int type = first >> 4;
        int flags = first & 0x0F;
        return switch (type) {
            case MqttPacket.CONNECT -> connect(frame);
            case MqttPacket.PUBLISH -> publish(flags, frame);
            case MqttPacket.PUBACK, MqttPacket.PUBREC, MqttPacket.PUBREL, MqttPacket.PUBCOMP -> ack(type, frame);
            case MqttPacket.SUBSCRIBE -> subscribe(flags, frame);
            case MqttPacket.UNSUBSCRIBE -> unsubscribe(flags, frame);
            case MqttPacket.PINGREQ, MqttPacket.DISCONNECT -> new MqttPacket.Bare(type);
            default -> throw new MqttProtocolException("received unknown packet type " + type);
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
        if (level != 4) {
            throw new MqttProtocolException("unacceptable protocol version of " + level,
                    MqttProtocolException.UNACCEPTABLE_PROTOCOL_VERSION);
        }
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
        if (!hasUser && hasPassword) throw new MqttProtocolException("password flag set but username flag is not");
        boolean clean = (flags & 0x02) != 0;
        int keepAlive = u16(in, "keep alive");
        String clientId = string(in, "client ID", MqttProtocolException.IDENTIFIER_REJECTED);
        if (clientId.isEmpty() && !clean) {
            throw new MqttProtocolException("when client ID is empty, clean session flag must be set to 1",
                    MqttProtocolException.IDENTIFIER_REJECTED);
        }
        MqttPacket.Will will = null;
        if (willFlag) {
            String topic = string(in, "Will topic", 0);
            if (topic.isEmpty()) throw new MqttProtocolException("empty Will topic not allowed");
            will = new MqttPacket.Will(topic, bytes(in, "Will message"), willQos, willRetain);
        }
        String user = null;
        if (hasUser) {
            user = string(in, "user name", MqttProtocolException.BAD_USER_NAME_OR_PASSWORD);
            if (user.isEmpty()) {
                throw new MqttProtocolException("empty user name not allowed", MqttProtocolException.BAD_USER_NAME_OR_PASSWORD);
            }
        }
        byte[] password = hasPassword ? bytes(in, "password") : null;
        return new MqttPacket.Connect(level, clean, keepAlive, clientId, will, user, password);
    }

    private static MqttPacket.Publish publish(int flags, ByteBuf in) throws MqttProtocolException {
        int qos = (flags & 0x06) >> 1;
        if (qos == 3) throw new MqttProtocolException("publish QoS=3 not allowed");
        String topic = string(in, "topic", 0);
        if (topic.isEmpty()) throw new MqttProtocolException("topic cannot be empty");
        int pi = 0;
        if (qos > 0) {
            pi = u16(in, "packet identifier");
            if (pi == 0) throw new MqttProtocolException("with QoS=" + qos + ", packet identifier cannot be 0");
        }
        byte[] payload = new byte[in.readableBytes()];
        in.readBytes(payload);
        return new MqttPacket.Publish(qos, (flags & 0x08) != 0, (flags & 0x01) != 0, topic, pi, payload);
    }

    private static MqttPacket.Ack ack(int type, ByteBuf in) throws MqttProtocolException {
        int pi = u16(in, "packet identifier");
        if (pi == 0) throw new MqttProtocolException("packet identifier cannot be 0");
        return new MqttPacket.Ack(type, pi);
    }

    private static MqttPacket.Subscribe subscribe(int flags, ByteBuf in) throws MqttProtocolException {
        if (flags != 0x2) throw new MqttProtocolException("wrong subscribe reserved flags: " + Integer.toHexString(flags));
        int pi = u16(in, "packet identifier");
        List<MqttPacket.Filter> filters = new ArrayList<>();
        while (in.isReadable()) {
            String f = string(in, "topic filter", 0);
            if (f.isEmpty()) throw new MqttProtocolException("topic filter cannot be empty");
            int qos = u8(in, "QoS");
            if (qos > 2) throw new MqttProtocolException("subscribe QoS value must be 0, 1 or 2, got " + qos);
            filters.add(new MqttPacket.Filter(f, qos));
        }
        if (filters.isEmpty()) throw new MqttProtocolException("subscribe protocol must contain at least 1 topic filter");
        return new MqttPacket.Subscribe(pi, filters);
    }

    private static MqttPacket.Unsubscribe unsubscribe(int flags, ByteBuf in) throws MqttProtocolException {
        if (flags != 0x2) throw new MqttProtocolException("wrong unsubscribe reserved flags: " + Integer.toHexString(flags));
        int pi = u16(in, "packet identifier");
        List<String> filters = new ArrayList<>();
        while (in.isReadable()) {
            String f = string(in, "topic filter", 0);
            if (f.isEmpty()) throw new MqttProtocolException("topic filter cannot be empty");
            filters.add(f);
        }
        if (filters.isEmpty()) throw new MqttProtocolException("unsubscribe protocol must contain at least 1 topic filter");
        return new MqttPacket.Unsubscribe(pi, filters);
    }

    private static int u8(ByteBuf in, String field) throws MqttProtocolException {
        if (!in.isReadable()) throw new MqttProtocolException("error reading " + field + ": EOF");
        return in.readUnsignedByte();
    }

    private static int u16(ByteBuf in, String field) throws MqttProtocolException {
        if (in.readableBytes() < 2) throw new MqttProtocolException("error reading " + field + ": unexpected EOF");
        return in.readUnsignedShort();
    }

    private static byte[] bytes(ByteBuf in, String field) throws MqttProtocolException {
        int len = u16(in, field);
        if (in.readableBytes() < len) throw new MqttProtocolException("error reading " + field + ": unexpected EOF");
        byte[] b = new byte[len];
        in.readBytes(b);
        return b;
    }

    /** A UTF-8 string field; invalid text is refused with {@code connAckCode} (0: close only). */
    private static String string(ByteBuf in, String field, int connAckCode) throws MqttProtocolException {
        byte[] b = bytes(in, field);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
            if (s.indexOf('\0') >= 0) throw new MqttProtocolException("invalid null character in " + field, connAckCode);
            return s;
        } catch (CharacterCodingException e) {
            throw new MqttProtocolException("invalid utf8 for " + field, connAckCode);
        }
    }
}
