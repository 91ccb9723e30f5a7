package io.jnatsd.server.mqtt;

import static io.jnatsd.server.mqtt.MqttFixture.connect;
import static io.jnatsd.server.mqtt.MqttFixture.packet;
import static io.jnatsd.server.mqtt.MqttFixture.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jnatsd.server.testing.Impl;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QoS 2 to subscribers (beyond 2.9.10, which grants QoS 1; as upstream 2.10): PUBLISH, PUBREC, PUBREL, PUBCOMP,
 * and what is resent after a reconnect: the PUBLISH (with DUP, the same packet id) until PUBREC, then only the
 * PUBREL until PUBCOMP, then nothing.
 */
class MqttQos2Test {
    @TempDir
    Path dir;

    private static MqttFixture.Raw subscriber(MqttFixture f, boolean sessionPresent) throws Exception {
        MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort);
        r.send(connect("MQTT", 4, 0x00, 0, "q2-sub")); // clean session 0: the session outlives the socket
        assertArrayEquals(new byte[] {0x20, 2, (byte) (sessionPresent ? 1 : 0), 0}, r.read());
        return r;
    }

    private static int packetId(byte[] publish) {
        int topicLength = (publish[2] & 0xFF) << 8 | (publish[3] & 0xFF);
        return (publish[4 + topicLength] & 0xFF) << 8 | (publish[5 + topicLength] & 0xFF);
    }

    private static byte[] ack(int type, int pi) {
        return new byte[] {(byte) (type << 4 | (type == 6 ? 2 : 0)), 2, (byte) (pi >> 8), (byte) pi};
    }

    private static void assertSilent(MqttFixture.Raw r) throws Exception {
        r.socket.setSoTimeout(1500);
        assertThrows(SocketTimeoutException.class, r::read, "nothing more is sent");
    }

    @Test
    void qos2DeliveryAndWhatAReconnectResends() throws Exception {
        try (MqttFixture f = new MqttFixture(Impl.JNATSD, dir, ", ack_wait: \"1s\"")) {
            MqttFixture.Raw sub = subscriber(f, false);
            sub.send(packet(0x82, new byte[] {0, 1}, str("q2/t"), new byte[] {2}));
            assertArrayEquals(new byte[] {(byte) 0x90, 3, 0, 1, 2}, sub.read(), "granted QoS 2");
            MqttClient pub = f.client("q2-pub", true);
            MqttFixture.publish(pub, "q2/t", "once", 2, false);

            byte[] first = sub.read();
            assertEquals(0x34, first[0] & 0xFF, "a QoS 2 PUBLISH");
            int pi = packetId(first);
            sub.close(); // gone before PUBREC

            sub = subscriber(f, true);
            byte[] again = sub.read();
            assertEquals(0x3C, again[0] & 0xFF, "sent again, with DUP");
            assertEquals(pi, packetId(again), "under the same packet id");
            assertEquals("once", new String(Arrays.copyOfRange(again, again.length - 4, again.length)));
            sub.send(ack(5, pi)); // PUBREC
            assertArrayEquals(ack(6, pi), sub.read(), "PUBREL");
            sub.close(); // gone before PUBCOMP

            sub = subscriber(f, true);
            assertArrayEquals(ack(6, pi), sub.read(), "only the PUBREL is sent again, never the PUBLISH");
            sub.send(ack(7, pi)); // PUBCOMP
            assertSilent(sub);
            sub.close();

            sub = subscriber(f, true);
            assertSilent(sub);
            sub.close();
            pub.disconnect();
        }
    }

    @Test
    void aPubrecForNothingIsAnsweredWithPubrel() throws Exception {
        try (MqttFixture f = new MqttFixture(Impl.JNATSD, dir, "");
             MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
            r.send(connect("MQTT", 4, 0x02, 0, "stray"));
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
            r.send(ack(5, 9));
            assertArrayEquals(ack(6, 9), r.read());
        }
    }
}
