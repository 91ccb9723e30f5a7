package io.jnatsd.server.mqtt;

import static io.jnatsd.server.mqtt.Mqtt5BadInputTest.connect5;
import static io.jnatsd.server.mqtt.MqttFixture.packet;
import static io.jnatsd.server.mqtt.MqttFixture.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MQTT 5 limits in both directions, in raw bytes: Receive Maximum, Maximum Packet Size, topic aliases and the
 * keep-alive; against jnatsd and Mosquitto where Mosquitto does the same, jnatsd alone where it does not.
 */
class Mqtt5LimitsTest {
    @TempDir
    Path dir;

    /** A raw MQTT 5 client with the given CONNECT properties; returns it and its CONNACK. */
    private static MqttFixture.Raw connect(Mqtt5Broker b, String id, int keepAlive, byte[] props, byte[][] connAck) throws IOException {
        MqttFixture.Raw r = new MqttFixture.Raw(b.port);
        r.send(packet(0x10, str("MQTT"), new byte[] {5, 0x02, 0, (byte) keepAlive}, props, str(id)));
        connAck[0] = r.read();
        assertEquals(0, connAck[0][3], "connected");
        return r;
    }

    private static MqttFixture.Raw connect(Mqtt5Broker b, String id, byte[] props) throws IOException {
        return connect(b, id, 60, props, new byte[1][]);
    }

    private static void subscribe(MqttFixture.Raw r, String filter, int qos) throws IOException {
        r.send(packet(0x82, new byte[] {0, 1, 0}, str(filter), new byte[] {(byte) qos}));
        byte[] ack = r.read();
        assertEquals(0x90, ack[0] & 0xFF);
        assertEquals(qos, ack[ack.length - 1]);
    }

    /** The value of a two-byte property in a CONNACK, or -1. */
    private static int twoByteProperty(byte[] connAck, int id) {
        int propsLen = connAck[4] & 0xFF; // short property lists: one length byte
        for (int i = 5; i < 5 + propsLen; ) {
            int pid = connAck[i] & 0xFF;
            if (pid == id) return (connAck[i + 1] & 0xFF) << 8 | (connAck[i + 2] & 0xFF);
            i += switch (pid) {
                case 0x21, 0x22, 0x13 -> 3;
                case 0x11, 0x27 -> 5;
                case 0x24, 0x25, 0x28, 0x29, 0x2A -> 2;
                default -> 3 + ((connAck[i + 1] & 0xFF) << 8 | (connAck[i + 2] & 0xFF));
            };
        }
        return -1;
    }

    private static void assertSilent(MqttFixture.Raw r, int millis) throws IOException {
        r.socket.setSoTimeout(millis);
        assertThrows(SocketTimeoutException.class, r::read);
        r.socket.setSoTimeout(5000);
    }

    private static MqttMessage text(String s, int qos) {
        return new MqttMessage(s.getBytes(StandardCharsets.UTF_8), qos, false, new MqttProperties());
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void receiveMaximumOfTheServerIsEnforced(Mqtt5Broker.Target target) throws Exception {
        // Mosquitto 2.0.11 states a Receive Maximum of 20 but lets a client past it (MQTT-3.3.4-9 says 0x93).
        org.junit.jupiter.api.Assumptions.assumeTrue(target == Mqtt5Broker.Target.JNATSD, "Mosquitto does not enforce it");
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir)) {
            byte[][] ack = new byte[1][];
            try (MqttFixture.Raw r = connect(b, "flood", 60, new byte[] {0}, ack)) {
                int max = twoByteProperty(ack[0], 0x21);
                assertTrue(max > 0, "the server states its Receive Maximum");
                // QoS 2 PUBLISHes without PUBREL stay in flight: one past the maximum is refused.
                for (int i = 1; i <= max + 1; i++) {
                    r.send(packet(0x34, str("rm/t"), new byte[] {(byte) (i >> 8), (byte) i, 0}, new byte[] {'x'}));
                }
                byte[] p;
                do {
                    p = r.read();
                } while (p != null && (p[0] & 0xFF) == 0x50); // the PUBRECs
                assertArrayEquals(new byte[] {(byte) 0xE0, 1, (byte) 0x93}, p, "Receive Maximum exceeded");
                assertTrue(r.closedByServer());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void receiveMaximumOfTheClientLimitsWhatIsInFlight(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             MqttFixture.Raw r = connect(b, "slow", new byte[] {3, 0x21, 0, 2});
             Mqtt5Broker.Client pub = b.client("rm-pub")) {
            subscribe(r, "rm/c", 1);
            for (int i = 0; i < 4; i++) pub.publish("rm/c", text("m" + i, 1));
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] p = r.read();
                assertEquals(0x32, p[0] & 0xF6, "QoS 1 PUBLISH");
                ids.add((p[8] & 0xFF) << 8 | (p[9] & 0xFF));
            }
            assertSilent(r, 500); // no third while two are unacknowledged
            for (int id : ids) r.send(new byte[] {0x40, 2, (byte) (id >> 8), (byte) id});
            for (int i = 0; i < 2; i++) {
                byte[] p = r.read(); // after ack_wait at most (jnatsd), at once (Mosquitto)
                assertEquals(0x32, p[0] & 0xF6, "the rest once acknowledged");
                r.send(new byte[] {0x40, 2, p[8], p[9]});
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void maximumPacketSizeOfTheClientDropsLargerMessages(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             MqttFixture.Raw r = connect(b, "tiny", new byte[] {5, 0x27, 0, 0, 0, 64});
             Mqtt5Broker.Client pub = b.client("mps-pub")) {
            subscribe(r, "mps/t", 0);
            pub.publish("mps/t", text("x".repeat(200), 0));
            pub.publish("mps/t", text("small", 0));
            byte[] p = r.read();
            assertEquals("small", new String(p, p.length - 5, 5, StandardCharsets.UTF_8), "the large one was not sent");
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void topicAliasesFromTheClient(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client sub = b.client("alias-sub");
             MqttFixture.Raw r = connect(b, "alias-pub", new byte[] {0})) {
            sub.subscribe("alias/#", 0);
            r.send(packet(0x30, str("alias/long/topic"), new byte[] {3, 0x23, 0, 3}, "one".getBytes()));
            r.send(packet(0x30, str(""), new byte[] {3, 0x23, 0, 3}, "two".getBytes()));
            Mqtt5Broker.Received first = sub.next();
            Mqtt5Broker.Received second = sub.next();
            assertEquals("alias/long/topic", first.topic());
            assertEquals("alias/long/topic", second.topic(), "the alias stands for the topic");
            assertEquals("two", second.text());
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void topicAliasesToTheClient(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             MqttFixture.Raw r = connect(b, "alias-in", new byte[] {3, 0x22, 0, 4});
             Mqtt5Broker.Client pub = b.client("alias-src")) {
            subscribe(r, "ta/t", 0);
            pub.publish("ta/t", text("a", 0));
            pub.publish("ta/t", text("b", 0));
            byte[] first = r.read();
            byte[] second = r.read();
            if (target == Mqtt5Broker.Target.MOSQUITTO) {
                // Mosquitto 2.0.11 sends no aliases (the specification lets a server choose).
                assertEquals(4, first[3]);
                return;
            }
            assertArrayEquals(new byte[] {0x30, 11, 0, 4, 't', 'a', '/', 't', 3, 0x23, 0, 1, 'a'}, first,
                    "the topic, setting alias 1");
            assertArrayEquals(new byte[] {0x30, 7, 0, 0, 3, 0x23, 0, 1, 'b'}, second, "then the alias alone");
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void aSilentClientIsToldItsKeepAliveRanOut(Mqtt5Broker.Target target) throws Exception {
        // Mosquitto 2.0.11 closes a silent client without a DISCONNECT (section 3.1.2.10 allows either), and later.
        org.junit.jupiter.api.Assumptions.assumeTrue(target == Mqtt5Broker.Target.JNATSD, "Mosquitto just closes");
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             MqttFixture.Raw r = connect(b, "quiet", 1, new byte[] {0}, new byte[1][])) {
            assertArrayEquals(new byte[] {(byte) 0xE0, 1, (byte) 0x8D}, r.read(), "Keep Alive timeout");
            assertTrue(r.closedByServer());
        }
    }
}
