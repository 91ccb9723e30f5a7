package io.jnatsd.server.mqtt;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A server with MQTT on (a server name, JetStream in its own directory, the mqtt listener on a free port), the same
 * config text for jnatsd and upstream; restartable on the same store and ports.
 */
public final class MqttFixture implements AutoCloseable {
    final Impl impl;
    private final Path store;
    private final String extra;
    private final String top;
    final int mqttPort;
    public TestServer server;

    MqttFixture(Impl impl, Path dir, String extra) throws Exception {
        this(impl, dir, "", extra);
    }

    /** {@code top}: more server config; {@code extra}: more of the mqtt block (after its listen). */
    public MqttFixture(Impl impl, Path dir, String top, String extra) throws Exception {
        this.impl = impl;
        this.top = top;
        this.store = Files.createDirectories(dir.resolve(impl.name().toLowerCase()));
        this.extra = extra;
        this.mqttPort = TestServer.freePort();
        start();
    }

    private void start() throws Exception {
        server = TestServer.start(impl, top + "\nserver_name: mqtt_test\njetstream { store_dir: \"" + store + "\" }\n"
                + "mqtt { listen: \"127.0.0.1:" + mqttPort + "\"" + extra + " }\n");
        awaitMqttListening();
    }

    private void awaitMqttListening() throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", mqttPort)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(20);
            }
        }
    }

    /** Stops the server and starts it again on the same store (persistent sessions must survive). */
    void restart() throws Exception {
        server.close();
        start();
    }

    String uri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    MqttClient client(String id, boolean clean) throws MqttException {
        return client(id, clean, null, null);
    }

    public MqttClient client(String id, boolean clean, String user, String password) throws MqttException {
        MqttClient c = new MqttClient(uri(), id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        if (user != null) o.setUserName(user);
        if (password != null) o.setPassword(password.toCharArray());
        c.connect(o);
        return c;
    }

    /**
     * Subscribes and collects what arrives, but for topics under {@code $} ({@code #} matches the JetStream and
     * MQTT plumbing subjects too, on both servers).
     */
    static BlockingQueue<MqttMessage> subscribe(MqttClient c, String filter, int qos) throws MqttException {
        BlockingQueue<MqttMessage> q = new LinkedBlockingQueue<>();
        c.subscribe(filter, qos, (topic, m) -> {
            if (!topic.startsWith("$")) q.add(m);
        });
        return q;
    }

    static void publish(MqttClient c, String topic, String payload, int qos, boolean retained) throws MqttException {
        c.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
    }

    static String text(MqttMessage m) {
        return new String(m.getPayload(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }

    // ---- raw MQTT over a socket, for exact bytes ----

    static final class Raw implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        Raw(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }

        void send(byte[]... parts) throws IOException {
            for (byte[] p : parts) out.write(p);
            out.flush();
        }

        /** Reads one packet, all its bytes. */
        byte[] read() throws IOException {
            int first = in.read();
            if (first < 0) return null;
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.write(first);
            int len = 0;
            int shift = 0;
            int b;
            do {
                b = in.readUnsignedByte();
                all.write(b);
                len |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            byte[] body = new byte[len];
            in.readFully(body);
            all.writeBytes(body);
            return all.toByteArray();
        }

        /** Whether the server closed the connection (EOF within the socket timeout). */
        boolean closedByServer() {
            try {
                while (true) {
                    if (in.read() < 0) return true;
                }
            } catch (IOException e) {
                return e instanceof java.net.SocketException;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + b.length];
        out[0] = (byte) (b.length >> 8);
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }

    /** A packet: first byte, remaining length, the parts. */
    static byte[] packet(int first, byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) len += p.length;
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.write(first);
        int v = len;
        do {
            int b = v & 0x7F;
            v >>>= 7;
            o.write(v > 0 ? b | 0x80 : b);
        } while (v > 0);
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** CONNECT with protocol name, level, flags, keep-alive and client id. */
    static byte[] connect(String name, int level, int flags, int keepAlive, String clientId) {
        return packet(0x10, str(name), new byte[] {(byte) level, (byte) flags, (byte) (keepAlive >> 8), (byte) keepAlive},
                str(clientId));
    }
}
