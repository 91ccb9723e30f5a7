package io.jnatsd.protocol.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MqttPacketReaderTest {
    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + b.length];
        out[0] = (byte) (b.length >> 8);
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }

    private static byte[] packet(int first, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) body.writeBytes(p);
        ByteBuf out = Unpooled.buffer();
        out.writeByte(first);
        MqttPacketWriter.writeVarInt(out, body.size());
        out.writeBytes(body.toByteArray());
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    private static MqttPacket read(byte[] bytes) throws MqttProtocolException {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        assertEquals(bytes.length, MqttPacketReader.frameLength(in));
        return MqttPacketReader.read(in.readSlice(bytes.length));
    }

    private static byte[] connect(int level, int flags, String id, byte[]... rest) {
        byte[][] parts = new byte[3 + rest.length][];
        parts[0] = str("MQTT");
        parts[1] = new byte[] {(byte) level, (byte) flags, 0, 60};
        parts[2] = str(id);
        System.arraycopy(rest, 0, parts, 3, rest.length);
        return packet(0x10, parts);
    }

    private static int refusal(byte[] bytes) {
        return assertThrows(MqttProtocolException.class, () -> read(bytes)).connAckCode();
    }

    @Test
    void aFrameIsCompleteOnlyWithItsLastByte() throws Exception {
        byte[] p = packet(0x30, str("a/b"), new byte[300]); // a two-byte remaining length
        for (int i = 0; i < p.length; i++) {
            ByteBuf part = Unpooled.wrappedBuffer(p, 0, i);
            assertEquals(-1, MqttPacketReader.frameLength(part), "with " + i + " bytes");
        }
        MqttPacket.Publish pub = assertInstanceOf(MqttPacket.Publish.class, read(p));
        assertEquals("a/b", pub.topic());
        assertEquals(300, pub.payload().length);
    }

    @Test
    void aFiveByteLengthIsMalformed() {
        ByteBuf in = Unpooled.wrappedBuffer(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1});
        assertThrows(MqttProtocolException.class, () -> MqttPacketReader.frameLength(in));
    }

    @Test
    void connectRefusalsCarryUpstreamsReturnCodes() {
        assertEquals(1, refusal(connect(3, 0x02, "c")), "protocol level");
        assertEquals(1, refusal(connect(6, 0x02, "c")), "no level 6");
        assertEquals(2, refusal(connect(4, 0x00, "")), "empty id without clean session");
        assertEquals(2, refusal(connect(4, 0x02, "\u0000x")), "a null character in the id");
        assertEquals(4, refusal(connect(4, 0x82, "c", str(""))), "empty user name");
        assertEquals(0, refusal(connect(4, 0x03, "c")), "reserved flag: close only");
        assertEquals(0, refusal(connect(4, 0x42, "c", str("pw"))), "password without user: close only");
        assertEquals(0, refusal(connect(4, 0x0A, "c")), "will QoS without will flag");
        assertEquals(0, refusal(packet(0x10, str("MQIsdp"), new byte[] {3, 2, 0, 0}, str("c"))), "MQTT 3.1");
    }

    @Test
    void connectFields() throws Exception {
        MqttPacket.Connect c = assertInstanceOf(MqttPacket.Connect.class,
                read(connect(4, 0xC0 | 0x20 | 0x08 | 0x04 | 0x02, "id", str("w/t"), str("bye"), str("u"), str("p"))));
        assertTrue(c.cleanSession());
        assertEquals(60, c.keepAliveSeconds());
        assertEquals("id", c.clientId());
        assertEquals(new MqttPacket.Will("w/t", "bye".getBytes(), 1, true).topic(), c.will().topic());
        assertEquals(1, c.will().qos());
        assertTrue(c.will().retain());
        assertEquals("u", c.username());
        assertArrayEquals("p".getBytes(), c.password());
    }

    @Test
    void publishAndSubscribeChecks() throws Exception {
        assertThrows(MqttProtocolException.class, () -> read(packet(0x32, str("a"), new byte[] {0, 0})), "QoS 1 needs an id");
        assertThrows(MqttProtocolException.class, () -> read(packet(0x30, str(""))), "empty topic");
        assertThrows(MqttProtocolException.class, () -> read(packet(0x30, new byte[] {0, 1, (byte) 0xFF})), "invalid UTF-8");
        assertThrows(MqttProtocolException.class, () -> read(packet(0x80, new byte[] {0, 1}, str("a"), new byte[] {0})),
                "SUBSCRIBE reserved flags must be 0010");
        assertThrows(MqttProtocolException.class, () -> read(packet(0x82, new byte[] {0, 1}, str("a"), new byte[] {3})),
                "QoS 3");
        assertThrows(MqttProtocolException.class, () -> read(packet(0x82, new byte[] {0, 1})), "no filter");
        MqttPacket.Subscribe s = assertInstanceOf(MqttPacket.Subscribe.class,
                read(packet(0x82, new byte[] {0, 7}, str("a/#"), new byte[] {2}, str("b"), new byte[] {0})));
        assertEquals(7, s.packetId());
        assertEquals(2, s.filters().size());
        assertEquals(new MqttPacket.Filter("a/#", 2), s.filters().get(0));
        assertFalse(s.filters().isEmpty());
    }
}
