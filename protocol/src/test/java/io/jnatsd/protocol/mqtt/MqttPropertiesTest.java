package io.jnatsd.protocol.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MQTT 5 properties and packets: round trips, and each refusal with the reason code section 2.2.2 gives it. */
class MqttPropertiesTest {
    private static MqttProperties roundTrip(MqttProperties p, int where) throws MqttProtocolException {
        ByteBuf b = Unpooled.buffer();
        p.write(b);
        assertEquals(p.size(), b.readableBytes(), "size() matches what write() writes");
        return MqttProperties.read(b, where);
    }

    private static int refusal(byte[] props, int where) {
        return assertThrows(MqttProtocolException.class,
                () -> MqttProperties.read(Unpooled.wrappedBuffer(props), where)).reason();
    }

    @Test
    void everyKindRoundTrips() throws Exception {
        MqttProperties p = new MqttProperties()
                .put(MqttProperties.PAYLOAD_FORMAT, 1)
                .put(MqttProperties.MESSAGE_EXPIRY, 0xFFFFFFFF)
                .put(MqttProperties.CONTENT_TYPE, "text/plain; charset=ü")
                .put(MqttProperties.CORRELATION_DATA, new byte[] {0, 1, 2})
                .put(MqttProperties.TOPIC_ALIAS, 7)
                .put(MqttProperties.SUBSCRIPTION_ID, 268_435_455)
                .put(MqttProperties.SUBSCRIPTION_ID, 3)
                .addUser("k", "v1").addUser("k", "v2");
        MqttProperties back = roundTrip(p, MqttPacket.PUBLISH);
        assertEquals(1, back.number(MqttProperties.PAYLOAD_FORMAT, -1));
        assertEquals(0xFFFFFFFFL, back.number(MqttProperties.MESSAGE_EXPIRY, -1));
        assertEquals("text/plain; charset=ü", back.string(MqttProperties.CONTENT_TYPE));
        assertArrayEquals(new byte[] {0, 1, 2}, back.binary(MqttProperties.CORRELATION_DATA));
        assertEquals(7, back.number(MqttProperties.TOPIC_ALIAS, -1));
        assertEquals(List.of(268_435_455, 3), back.subscriptionIds(), "repeatable in PUBLISH");
        assertEquals(2, back.userProperties().size(), "user properties repeat, in order");
        assertEquals("v2", back.userProperties().get(1)[1]);
    }

    @Test
    void refusalsCarryTheirReasonCodes() {
        // Content type twice: a protocol error.
        assertEquals(0x82, refusal(new byte[] {8, 3, 0, 1, 'a', 3, 0, 1, 'b'}, MqttPacket.PUBLISH));
        // A CONNECT-only property in a PUBLISH, and an unknown identifier: malformed.
        assertEquals(0x81, refusal(new byte[] {2, 0x17, 1}, MqttPacket.PUBLISH));
        assertEquals(0x81, refusal(new byte[] {2, 0x7F, 1}, MqttPacket.PUBLISH));
        // A property length past the packet, and a value cut short: malformed.
        assertEquals(0x81, refusal(new byte[] {9, 3, 0, 1, 'a'}, MqttPacket.PUBLISH));
        assertEquals(0x81, refusal(new byte[] {3, 0x02, 0, 0}, MqttPacket.PUBLISH));
        // Values the specification rules out: protocol errors.
        assertEquals(0x82, refusal(new byte[] {2, 0x01, 2}, MqttPacket.PUBLISH));
        assertEquals(0x82, refusal(new byte[] {3, 0x21, 0, 0}, MqttPacket.CONNECT));
        assertEquals(0x82, refusal(new byte[] {5, 0x27, 0, 0, 0, 0}, MqttPacket.CONNECT));
        assertEquals(0x82, refusal(new byte[] {2, 0x0B, 0}, MqttPacket.SUBSCRIBE));
        // Invalid UTF-8 in a string property: malformed.
        assertEquals(0x81, refusal(new byte[] {4, 3, 0, 1, (byte) 0xFF}, MqttPacket.PUBLISH));
    }

    private static MqttPacket read5(byte[] bytes) throws MqttProtocolException {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        assertEquals(bytes.length, MqttPacketReader.frameLength(in));
        return MqttPacketReader.read(in.readSlice(bytes.length), MqttPacket.LEVEL_5);
    }

    @Test
    void mqtt5PacketsCarryOptionsAndReasons() throws Exception {
        MqttPacket.Subscribe s = assertInstanceOf(MqttPacket.Subscribe.class, read5(new byte[] {
                (byte) 0x82, 9, 0, 1, 2, 0x0B, 9, 0, 1, 'a', 0b0010_1110}));
        MqttPacket.Filter f = s.filters().get(0);
        assertEquals(new MqttPacket.Filter("a", 2, true, true, 2), f);
        assertEquals(List.of(9), s.props().subscriptionIds());
        assertEquals(0x81, assertThrows(MqttProtocolException.class,
                () -> read5(new byte[] {(byte) 0x82, 7, 0, 1, 0, 0, 1, 'a', (byte) 0xC0})).reason(), "reserved bits");
        assertEquals(0x82, assertThrows(MqttProtocolException.class,
                () -> read5(new byte[] {(byte) 0x82, 7, 0, 1, 0, 0, 1, 'a', 0x30})).reason(), "retain handling 3");
        MqttPacket.Ack a = assertInstanceOf(MqttPacket.Ack.class, read5(new byte[] {0x40, 3, 0, 5, (byte) 0x80}));
        assertEquals(0x80, a.reason());
        MqttPacket.Disconnect d = assertInstanceOf(MqttPacket.Disconnect.class,
                read5(new byte[] {(byte) 0xE0, 7, 4, 5, 0x11, 0, 0, 0, 10}));
        assertEquals(4, d.reason());
        assertEquals(10, d.props().number(MqttProperties.SESSION_EXPIRY, -1));
        MqttPacket.Publish p = assertInstanceOf(MqttPacket.Publish.class,
                read5(new byte[] {0x30, 7, 0, 0, 3, 0x23, 0, 1, 'x'}));
        assertTrue(p.topic().isEmpty(), "an empty topic with an alias");
        assertEquals(0x82, assertThrows(MqttProtocolException.class,
                () -> read5(new byte[] {0x30, 4, 0, 0, 0, 'x'})).reason(), "an empty topic without one");
    }

    @Test
    void writerFormsOmitWhatMayBeOmitted() {
        assertArrayEquals(new byte[] {0x40, 2, 0, 1}, MqttPacketWriter.ack(MqttPacket.PUBACK, 1, 0));
        assertArrayEquals(new byte[] {0x50, 3, 0, 1, (byte) 0x99}, MqttPacketWriter.ack(MqttPacket.PUBREC, 1, 0x99));
        assertArrayEquals(new byte[] {(byte) 0x90, 4, 0, 2, 0, 1}, MqttPacketWriter.subAck5(2, new byte[] {1}));
        assertArrayEquals(new byte[] {0x20, 3, 0, (byte) 0x87, 0}, MqttPacketWriter.connAck5(true, 0x87, new MqttProperties()),
                "no session present with a refusal");
    }
}
