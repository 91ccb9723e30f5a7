package io.jnatsd.server.mqtt;

import io.jnatsd.protocol.mqtt.MqttPacket;
import io.jnatsd.protocol.mqtt.MqttPacketReader;
import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into MQTT packets and decodes them: passes on an {@code MqttPacket}, or an
 * {@link MqttProtocolException} for a packet refused (after which nothing more is read).
 */
final class MqttFrameDecoder extends ByteToMessageDecoder {
    private final long maxRemaining;
    private boolean failed;
    private boolean first = true;
    /** The CONNECT's protocol level, which the packets after it are read by. */
    private int level = MqttPacket.LEVEL_3_1_1;

    MqttFrameDecoder(long maxRemaining) {
        this.maxRemaining = maxRemaining;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            try {
                if (first && in.readableBytes() >= 4 && in.getInt(in.readerIndex()) == 0x47455420) { // "GET "
                    throw new MqttProtocolException(
                            "MQTT clients over websocket must connect to the Websocket port, not the MQTT port");
                }
                if (first && (in.getUnsignedByte(in.readerIndex()) >> 4) != 1) {
                    throw new MqttProtocolException("the first packet should be a CONNECT (16), got "
                            + (in.getUnsignedByte(in.readerIndex()) & 0xF0));
                }
                long declared = MqttPacketReader.declaredLength(in);
                if (declared > maxRemaining) {
                    throw MqttProtocolException.withReason("packet of " + declared + " bytes is too large",
                            MqttReason.PACKET_TOO_LARGE);
                }
                int len = MqttPacketReader.frameLength(in);
                if (len < 0) return;
                ByteBuf frame = in.readSlice(len);
                first = false;
                MqttPacket p = MqttPacketReader.read(frame, level);
                if (p instanceof MqttPacket.Connect c) level = c.level();
                out.add(p);
            } catch (MqttProtocolException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                out.add(e);
            }
        }
        if (failed) in.skipBytes(in.readableBytes());
    }
}
