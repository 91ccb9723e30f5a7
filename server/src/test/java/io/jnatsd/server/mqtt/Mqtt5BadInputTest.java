package io.jnatsd.server.mqtt;

import static io.jnatsd.server.mqtt.MqttFixture.packet;
import static io.jnatsd.server.mqtt.MqttFixture.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MQTT 5 bad input in raw bytes: the reason code the specification gives, then the close; a bystander connected
 * all along still works. Each case also runs against Mosquitto, whose answer is recorded beside ours (null: it
 * closes without a DISCONNECT, which the specification allows).
 */
class Mqtt5BadInputTest {
    @TempDir
    Path dir;

    static byte[] connect5(String clientId, byte[] props) {
        return packet(0x10, str("MQTT"), new byte[] {5, 0x02, 0, 60}, props, str(clientId));
    }

    private static MqttFixture.Raw connected(int port, String id) throws IOException {
        MqttFixture.Raw r = new MqttFixture.Raw(port);
        r.send(connect5(id, new byte[] {0}));
        byte[] ack = r.read();
        assertEquals(0x20, ack[0] & 0xFF, "CONNACK");
        assertEquals(0, ack[3], "success");
        return r;
    }

    private static byte[] disconnect(int reason) {
        return new byte[] {(byte) 0xE0, 1, (byte) reason};
    }

    /** A QoS 0 PUBLISH of topic {@code t} with the given property bytes (length included). */
    private static byte[] publish(byte[] topic, byte[] props) {
        return packet(0x30, topic, props, new byte[] {'x'});
    }

    /** Client ids of their own per case: one reused at once would be a takeover (and a flapper, held back). */
    private int cases;

    private void refused(Mqtt5Broker b, byte[] bad, byte[] jnatsd, byte[] mosquitto) throws Exception {
        cases++;
        try (MqttFixture.Raw bystander = connected(b.port, "bystander" + cases);
             MqttFixture.Raw r = connected(b.port, "bad" + cases)) {
            r.send(bad);
            byte[] expected = b.target == Mqtt5Broker.Target.JNATSD ? jnatsd : mosquitto;
            byte[] got = r.read();
            if (expected == null) assertNull(got);
            else assertArrayEquals(expected, got);
            assertTrue(r.closedByServer(), "closed after the refusal");
            bystander.send(new byte[] {(byte) 0xC0, 0});
            assertArrayEquals(new byte[] {(byte) 0xD0, 0}, bystander.read(), "others unaffected");
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void badPacketsGetTheirReasonCodesThenAClose(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir)) {
            byte[] topic = str("d/t");
            refused(b, publish(topic, new byte[] {8, 3, 0, 1, 'a', 3, 0, 1, 'b'}), disconnect(0x82), null);
            refused(b, publish(topic, new byte[] {9, 3, 0, 1, 'a'}), disconnect(0x81), disconnect(0x81));
            refused(b, publish(topic, new byte[] {3, 0x23, 0, 0}), disconnect(0x94), disconnect(0x81));
            refused(b, publish(topic, new byte[] {3, 0x23, 0, 11}), disconnect(0x94), disconnect(0x94));
            refused(b, publish(str(""), new byte[] {3, 0x23, 0, 2}), disconnect(0x82), disconnect(0x82));
            refused(b, publish(str("d/+"), new byte[] {0}), disconnect(0x82), disconnect(0x82));
            refused(b, publish(new byte[] {0, 3, 'd', '/', (byte) 0xFF}, new byte[] {0}), disconnect(0x81), disconnect(0x81));
            refused(b, connect5("again", new byte[] {0}), disconnect(0x82), null);
            refused(b, new byte[] {(byte) 0xF0, 0}, disconnect(0x82), null);
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void connectRefusalsAndAssignedIds(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir)) {
            try (MqttFixture.Raw r = new MqttFixture.Raw(b.port)) {
                r.send(connect5("am", new byte[] {5, 0x15, 0, 2, 'x', 'x'}));
                assertArrayEquals(new byte[] {0x20, 3, 0, (byte) 0x8C, 0}, r.read(), "bad authentication method");
                assertTrue(r.closedByServer());
            }
            try (MqttFixture.Raw r = new MqttFixture.Raw(b.port)) {
                r.send(connect5("", new byte[] {0}));
                byte[] ack = r.read();
                assertEquals(0, ack[3], "an empty id is accepted in MQTT 5");
                assertTrue(new String(ack, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\u0012\u0000"),
                        "with an Assigned Client Identifier");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void invalidUtf8WithPayloadFormatIndicator(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             MqttFixture.Raw r = connected(b.port, "pfi")) {
            r.send(packet(0x32, str("d/t"), new byte[] {0, 1}, new byte[] {2, 1, 1}, new byte[] {(byte) 0xFF, (byte) 0xFE}));
            // Mosquitto 2.0.11 does not check the payload (and says no one subscribed); section 3.3.2.3.2 lets a
            // server refuse it with 0x99.
            int reason = target == Mqtt5Broker.Target.JNATSD ? 0x99 : 0x10;
            assertArrayEquals(new byte[] {0x40, 3, 0, 1, (byte) reason}, r.read());
        }
    }

    @Test
    void anOversizePacketIsRefusedWithPacketTooLarge() throws Exception {
        try (MqttFixture f = new MqttFixture(Impl.JNATSD, dir, "max_payload: 1024", "");
             MqttFixture.Raw bystander = connected(f.mqttPort, "bystander");
             MqttFixture.Raw r = connected(f.mqttPort, "big")) {
            byte[] ack = new byte[0];
            // A PUBLISH declaring 200,000 bytes; the server refuses it from its header.
            r.send(new byte[] {0x30, (byte) 0xC0, (byte) 0x9A, 0x0C, 0, 3, 'd', '/', 't'});
            assertArrayEquals(disconnect(0x95), r.read());
            assertTrue(r.closedByServer());
            bystander.send(new byte[] {(byte) 0xC0, 0});
            assertArrayEquals(new byte[] {(byte) 0xD0, 0}, bystander.read());
            assertEquals(0, ack.length);
        }
    }
}
