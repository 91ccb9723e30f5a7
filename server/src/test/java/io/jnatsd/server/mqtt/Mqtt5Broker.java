package io.jnatsd.server.mqtt;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Assumptions;

/**
 * An MQTT 5 broker for a test: jnatsd (with JetStream, as {@link MqttFixture}) or the Mosquitto broker on a free
 * port, the reference for what MQTT 5 leaves open (skipped when {@code /usr/sbin/mosquitto} is absent).
 */
final class Mqtt5Broker implements AutoCloseable {
    enum Target { JNATSD, MOSQUITTO }

    private static final String MOSQUITTO = "/usr/sbin/mosquitto";

    final Target target;
    final int port;
    private final MqttFixture fixture;
    private final Process mosquitto;

    private Mqtt5Broker(Target target, int port, MqttFixture fixture, Process mosquitto) {
        this.target = target;
        this.port = port;
        this.fixture = fixture;
        this.mosquitto = mosquitto;
    }

    static Mqtt5Broker start(Target target, Path dir) throws Exception {
        if (target == Target.JNATSD) {
            MqttFixture f = new MqttFixture(Impl.JNATSD, dir, "");
            return new Mqtt5Broker(target, f.mqttPort, f, null);
        }
        Assumptions.assumeTrue(new File(MOSQUITTO).canExecute(), "mosquitto is not installed");
        int port = TestServer.freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n",
                StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(MOSQUITTO, "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    p.destroy();
                    throw e;
                }
                Thread.sleep(20);
            }
        }
        return new Mqtt5Broker(target, port, null, p);
    }

    /** For jnatsd only: the NATS URL of the same server. */
    String natsUrl() {
        return fixture.server.url();
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** A connected Paho MQTT 5 client collecting what arrives (topics under {@code $} left out). */
    Client client(String id, MqttConnectionOptions o) throws MqttException {
        Client c = new Client(new MqttAsyncClient(uri(), id, new MemoryPersistence()));
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        c.paho.setCallback(c);
        c.connectToken = c.paho.connect(o);
        c.connectToken.waitForCompletion(5000);
        return c;
    }

    Client client(String id) throws MqttException {
        return client(id, new MqttConnectionOptions());
    }

    @Override
    public void close() throws Exception {
        if (fixture != null) fixture.close();
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor(5, TimeUnit.SECONDS);
        }
    }

    record Received(String topic, MqttMessage message) {
        String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }

        MqttProperties props() {
            return message.getProperties();
        }
    }

    static final class Client implements MqttCallback, AutoCloseable {
        final MqttAsyncClient paho;
        IMqttToken connectToken;
        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        volatile MqttDisconnectResponse disconnected;

        Client(MqttAsyncClient paho) {
            this.paho = paho;
        }

        void publish(String topic, MqttMessage m) throws MqttException {
            paho.publish(topic, m).waitForCompletion(5000);
        }

        /** Subscribes; returns the SUBACK's reason codes. */
        int[] subscribe(MqttProperties props, org.eclipse.paho.mqttv5.common.MqttSubscription... subs) throws MqttException {
            IMqttToken t = paho.subscribe(subs, null, null, props == null ? new MqttProperties() : props);
            t.waitForCompletion(5000);
            return t.getReasonCodes();
        }

        int[] subscribe(String filter, int qos) throws MqttException {
            return subscribe(null, new org.eclipse.paho.mqttv5.common.MqttSubscription(filter, qos));
        }

        Received next() throws InterruptedException {
            return received.poll(5, TimeUnit.SECONDS);
        }

        /** Nothing more arrives within {@code millis} (asserting an absence needs a bound). */
        Received nextWithin(long millis) throws InterruptedException {
            return received.poll(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (!topic.startsWith("$")) received.add(new Received(topic, message));
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
            disconnected = r;
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {}

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}

        @Override
        public void close() throws MqttException {
            if (paho.isConnected()) paho.disconnect().waitForCompletion(5000);
            paho.close(true);
        }
    }
}
