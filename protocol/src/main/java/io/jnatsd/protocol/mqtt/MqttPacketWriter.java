package io.jnatsd.protocol.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Encodes the packets an MQTT server sends, 3.1.1 or 5: the MQTT 5 forms add a reason code and properties, and
 * where the specification lets them be left out (reason 0, no properties) the bytes are 3.1.1's.
 */
public final class MqttPacketWriter {
    public static final byte[] PINGRESP = {(byte) 0xD0, 0};

    private MqttPacketWriter() {}

    public static byte[] connAck(boolean sessionPresent, int returnCode) {
        // A refused connection never reports a session (MQTT-3.2.2-4).
        return new byte[] {0x20, 2, (byte) (returnCode == 0 && sessionPresent ? 1 : 0), (byte) returnCode};
    }

    /** An MQTT 5 CONNACK: session present, reason code, properties. */
    public static byte[] connAck5(boolean sessionPresent, int reason, MqttProperties props) {
        int flags = reason == 0 && sessionPresent ? 1 : 0;
        return withProperties(0x20, new byte[] {(byte) flags, (byte) reason}, props, null);
    }

    /** PUBACK, PUBREC, PUBREL (flags 0x2) and PUBCOMP. */
    public static byte[] ack(int type, int packetId) {
        return ack(type, packetId, 0);
    }

    /** The same with an MQTT 5 reason code (left out when 0, as section 3.4.2.1 allows). */
    public static byte[] ack(int type, int packetId, int reason) {
        int first = type << 4 | (type == MqttPacket.PUBREL ? 0x2 : 0);
        if (reason == 0) return new byte[] {(byte) first, 2, (byte) (packetId >> 8), (byte) packetId};
        return new byte[] {(byte) first, 3, (byte) (packetId >> 8), (byte) packetId, (byte) reason};
    }

    public static byte[] subAck(int packetId, byte[] codes) {
        return withProperties(0x90, new byte[] {(byte) (packetId >> 8), (byte) packetId}, null, codes);
    }

    /** An MQTT 5 SUBACK: no properties, a reason code per filter. */
    public static byte[] subAck5(int packetId, byte[] reasons) {
        return withProperties(0x90, new byte[] {(byte) (packetId >> 8), (byte) packetId}, new MqttProperties(), reasons);
    }

    public static byte[] unsubAck(int packetId) {
        return new byte[] {(byte) 0xB0, 2, (byte) (packetId >> 8), (byte) packetId};
    }

    /** An MQTT 5 UNSUBACK: no properties, a reason code per filter. */
    public static byte[] unsubAck5(int packetId, byte[] reasons) {
        return withProperties(0xB0, new byte[] {(byte) (packetId >> 8), (byte) packetId}, new MqttProperties(), reasons);
    }

    /** An MQTT 5 DISCONNECT from the server (section 3.14). */
    public static byte[] disconnect(int reason) {
        return new byte[] {(byte) 0xE0, 1, (byte) reason};
    }

    /** First byte, remaining length, {@code head}, the properties (none in 3.1.1: null), {@code tail}. */
    private static byte[] withProperties(int first, byte[] head, MqttProperties props, byte[] tail) {
        int remaining = head.length + (props == null ? 0 : props.size()) + (tail == null ? 0 : tail.length);
        ByteBuf b = Unpooled.buffer(1 + varIntSize(remaining) + remaining);
        b.writeByte(first);
        writeVarInt(b, remaining);
        b.writeBytes(head);
        if (props != null) props.write(b);
        if (tail != null) b.writeBytes(tail);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /** How many bytes {@link #publish} writes; {@code props} null for 3.1.1. */
    public static int publishSize(int topicLength, int payloadLength, int qos, MqttProperties props) {
        int remaining = 2 + topicLength + payloadLength + (qos > 0 ? 2 : 0) + (props == null ? 0 : props.size());
        return 1 + varIntSize(remaining) + remaining;
    }

    /**
     * A PUBLISH of {@code payloadLength} bytes of {@code payload} from its reader index (not consumed);
     * {@code props} null for 3.1.1.
     */
    public static void publish(ByteBuf out, int qos, boolean dup, boolean retain, byte[] topic, int packetId,
                               MqttProperties props, ByteBuf payload, int payloadLength) {
        int flags = qos << 1 | (dup ? 0x08 : 0) | (retain ? 0x01 : 0);
        out.writeByte(0x30 | flags);
        writeVarInt(out, 2 + topic.length + payloadLength + (qos > 0 ? 2 : 0) + (props == null ? 0 : props.size()));
        out.writeShort(topic.length);
        out.writeBytes(topic);
        if (qos > 0) out.writeShort(packetId);
        if (props != null) props.write(out);
        if (payloadLength > 0) out.writeBytes(payload, payload.readerIndex(), payloadLength);
    }

    static int varIntSize(int v) {
        int n = 1;
        while (v > 0x7F) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static void writeVarInt(ByteBuf out, int v) {
        do {
            int b = v & 0x7F;
            v >>>= 7;
            out.writeByte(v > 0 ? b | 0x80 : b);
        } while (v > 0);
    }
}
