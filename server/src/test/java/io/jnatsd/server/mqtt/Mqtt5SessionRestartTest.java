package io.jnatsd.server.mqtt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import java.nio.file.Path;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MQTT 5 session's expiry interval holds across a server restart (the record keeps it and when the client left). */
class Mqtt5SessionRestartTest {
    @TempDir
    Path dir;

    private static boolean connectAndLeave(MqttFixture f, String id, long expirySeconds, boolean subscribe) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(f.uri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(expirySeconds);
        IMqttToken t = c.connect(o);
        t.waitForCompletion(5000);
        boolean present = t.getSessionPresent();
        if (subscribe) c.subscribe("restart/t", 1).waitForCompletion(5000);
        c.disconnect().waitForCompletion(5000);
        c.close();
        return present;
    }

    @Test
    void sessionExpiryHoldsAcrossARestart() throws Exception {
        try (MqttFixture f = new MqttFixture(Impl.JNATSD, dir, "")) {
            assertFalse(connectAndLeave(f, "short-lived", 1, true));
            assertFalse(connectAndLeave(f, "long-lived", 600, true));
            f.restart();
            Thread.sleep(1500); // the feature is time itself: the short session's interval must pass
            assertFalse(connectAndLeave(f, "short-lived", 1, false), "expired while the server was down");
            assertTrue(connectAndLeave(f, "long-lived", 600, false), "still within its interval");
        }
    }
}
