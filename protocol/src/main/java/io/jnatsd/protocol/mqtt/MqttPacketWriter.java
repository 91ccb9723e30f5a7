package io.jnatsd.protocol.mqtt;

import io.netty.buffer.ByteBuf;

/** Encodes the packets an MQTT 3.1.1 server sends. */
public final class MqttPacketWriter {
    public static final byte[] PINGRESP = {(byte) 0xD0, 0};

    private MqttPacketWriter() {}

    public static byte[] connAck(boolean sessionPresent, int returnCode) {
        // A refused connection never reports a session (MQTT-3.2.2-4).
        return new byte[] {0x20, 2, (byte) (returnCode == 0 && sessionPresent ? 1 : 0), (byte) returnCode};
    }

    /** PUBACK, PUBREC, PUBREL (flags 0x2) and PUBCOMP. */
    public static byte[] ack(int type, int packetId) {
        int flags = type == MqttPacket.PUBREL ? 0x2 : 0;
        return new byte[] {(byte) (type << 4 | flags), 2, (byte) (packetId >> 8), (byte) packetId};
    }

    public static byte[] subAck(int packetId, byte[] codes) {
        byte[] b = new byte[4 + codes.length];
        b[0] = (byte) 0x90;
        b[1] = (byte) (2 + codes.length); // SUBSCRIBE packets that large are refused before
        b[2] = (byte) (packetId >> 8);
        b[3] = (byte) packetId;
        System.arraycopy(codes, 0, b, 4, codes.length);
        return b;
    }

    public static byte[] unsubAck(int packetId) {
        return new byte[] {(byte) 0xB0, 2, (byte) (packetId >> 8), (byte) packetId};
    }

    /** How many bytes {@link #publish} writes. */
    public static int publishSize(int topicLength, int payloadLength, int qos) {
        int remaining = 2 + topicLength + payloadLength + (qos > 0 ? 2 : 0);
        return 1 + varIntSize(remaining) + remaining;
    }

    /** A PUBLISH of {@code payloadLength} bytes of {@code payload} from its reader index (not consumed). */
    public static void publish(ByteBuf out, int qos, boolean dup, boolean retain, byte[] topic, int packetId,
                               ByteBuf payload, int payloadLength) {
        int flags = qos << 1 | (dup ? 0x08 : 0) | (retain ? 0x01 : 0);
        out.writeByte(0x30 | flags);
        writeVarInt(out, 2 + topic.length + payloadLength + (qos > 0 ? 2 : 0));
        out.writeShort(topic.length);
        out.writeBytes(topic);
        if (qos > 0) out.writeShort(packetId);
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
