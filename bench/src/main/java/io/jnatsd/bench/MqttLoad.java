package io.jnatsd.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MQTT publish → subscribe throughput, one publisher and one subscriber speaking MQTT 3.1.1 (which
 * jnatsd, upstream and Mosquitto all serve) over plain sockets: the publisher writes PUBLISH packets
 * back to back, keeping up to {@code window} QoS 1 PUBLISHes unacknowledged; the subscriber reads as
 * fast as the socket delivers and acknowledges QoS 1 deliveries in batches. The time runs from the
 * first PUBLISH to the last message received. QoS 1 must deliver every message; QoS 0 reports what
 * arrived. Prints one JSON line.
 *
 * <p>Why not a library client: Paho hands every message to one callback thread and acknowledges one
 * by one, which held all three servers to the same ~40,000 msgs/s and made a QoS 0 subscriber of
 * 1 KiB messages fall behind until the NATS servers cut it as a slow consumer; the figures were the
 * client's.
 *
 * <pre>java -cp jnatsd-bench.jar io.jnatsd.bench.MqttLoad URI QOS SIZE MSGS [WINDOW]</pre>
 */
public final class MqttLoad {
    private MqttLoad() {}

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int qos = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        long msgs = Long.parseLong(args[3]);
        int window = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        String topic = "bench/mqtt/" + Long.toHexString(System.nanoTime());

        AtomicLong received = new AtomicLong();
        AtomicLong lastNanos = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        try (Socket sub = connect(uri, "bench-sub-" + Long.toHexString(System.nanoTime()));
             Socket pub = connect(uri, "bench-pub-" + Long.toHexString(System.nanoTime()))) {
            subscribe(sub, topic, qos);
            Thread subscriber = new Thread(() -> receive(sub, msgs, received, lastNanos, all), "mqtt-sub");
            subscriber.setDaemon(true);
            subscriber.start();

            Semaphore slots = new Semaphore(window);
            if (qos > 0) {
                Thread acks = new Thread(() -> countAcks(pub, slots), "mqtt-puback");
                acks.setDaemon(true);
                acks.start();
            }
            byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[size];
            OutputStream out = new BufferedOutputStream(pub.getOutputStream(), 64 * 1024);
            long start = System.nanoTime();
            int packetId = 0;
            for (long i = 0; i < msgs; i++) {
                if (qos > 0) {
                    if (!slots.tryAcquire()) {
                        out.flush(); // the window is full: what is buffered must go for acks to come
                        slots.acquire();
                    }
                    packetId = packetId == 65_535 ? 1 : packetId + 1;
                }
                writePublish(out, topicBytes, payload, qos, packetId);
            }
            out.flush();
            if (qos > 0) slots.acquire(window); // every PUBLISH acknowledged
            long sentNanos = System.nanoTime();
            boolean complete = all.await(qos > 0 ? 120 : 10, TimeUnit.SECONDS);
            long end = complete ? lastNanos.get() : System.nanoTime();
            double secs = (end - start) / 1e9;
            System.out.printf("{\"qos\":%d,\"size\":%d,\"msgs\":%d,\"received\":%d,\"seconds\":%.3f,\"msgs_per_sec\":%.0f,"
                            + "\"publish_seconds\":%.3f}%n", qos, size, msgs, received.get(), secs, received.get() / secs,
                    (sentNanos - start) / 1e9);
            System.exit(qos > 0 && !complete ? 1 : 0);
        }
    }

    private static Socket connect(URI uri, String clientId) throws IOException {
        Socket s = new Socket(uri.getHost(), uri.getPort());
        s.setTcpNoDelay(true);
        s.setSoTimeout(120_000);
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        // CONNECT: "MQTT", level 4, clean session, keep-alive 60 s
        byte[] body = concat(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60}, string(id));
        s.getOutputStream().write(packet(0x10, body));
        DataInputStream in = new DataInputStream(s.getInputStream());
        int type = in.readUnsignedByte();
        int len = readLength(in);
        byte[] ack = in.readNBytes(len);
        if (type != 0x20 || len != 2 || ack[1] != 0) throw new IOException("CONNACK refused: " + (ack.length > 1 ? ack[1] : -1));
        return s;
    }

    private static void subscribe(Socket s, String topic, int qos) throws IOException {
        byte[] body = concat(new byte[] {0, 1}, concat(string(topic.getBytes(StandardCharsets.UTF_8)), new byte[] {(byte) qos}));
        s.getOutputStream().write(packet(0x82, body));
        DataInputStream in = new DataInputStream(s.getInputStream());
        int type = in.readUnsignedByte();
        byte[] suback = in.readNBytes(readLength(in));
        if (type != 0x90 || suback.length < 3 || (suback[2] & 0x80) != 0) throw new IOException("SUBSCRIBE refused");
    }

    /** Reads deliveries, acknowledging QoS 1 ones; the acks go out whenever no more input is waiting. */
    private static void receive(Socket s, long msgs, AtomicLong received, AtomicLong lastNanos, CountDownLatch all) {
        try {
            InputStream raw = new BufferedInputStream(s.getInputStream(), 256 * 1024);
            DataInputStream in = new DataInputStream(raw);
            OutputStream acks = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
            while (true) {
                int first = in.readUnsignedByte();
                int len = readLength(in);
                if ((first & 0xF0) != 0x30) {
                    in.skipNBytes(len);
                    continue;
                }
                int topicLen = in.readUnsignedShort();
                in.skipNBytes(topicLen);
                int rest = len - 2 - topicLen;
                if (((first >> 1) & 3) > 0) {
                    int id = in.readUnsignedShort();
                    rest -= 2;
                    acks.write(new byte[] {0x40, 2, (byte) (id >> 8), (byte) id});
                }
                in.skipNBytes(rest);
                if (received.incrementAndGet() == msgs) {
                    lastNanos.set(System.nanoTime());
                    all.countDown();
                }
                if (raw.available() == 0) acks.flush();
            }
        } catch (IOException e) {
            // closed at the end of the run, or cut by the server (QoS 0 then reports what arrived)
        }
    }

    /** Releases a window slot for every PUBACK the publisher gets. */
    private static void countAcks(Socket s, Semaphore slots) {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
            while (true) {
                int first = in.readUnsignedByte();
                int len = readLength(in);
                in.skipNBytes(len);
                if ((first & 0xF0) == 0x40) slots.release();
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }

    private static void writePublish(OutputStream out, byte[] topic, byte[] payload, int qos, int packetId) throws IOException {
        int len = 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length;
        out.write(0x30 | (qos << 1));
        writeLength(out, len);
        out.write(topic.length >> 8);
        out.write(topic.length);
        out.write(topic);
        if (qos > 0) {
            out.write(packetId >> 8);
            out.write(packetId);
        }
        out.write(payload);
    }

    private static int readLength(DataInputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int b = in.read();
            if (b < 0) throw new EOFException();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new IOException("malformed remaining length");
    }

    private static void writeLength(OutputStream out, int len) throws IOException {
        do {
            int b = len & 0x7F;
            len >>>= 7;
            out.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
    }

    private static byte[] packet(int first, byte[] body) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(first);
        writeLength(b, body.length);
        b.write(body);
        return b.toByteArray();
    }

    private static byte[] string(byte[] s) {
        return concat(new byte[] {(byte) (s.length >> 8), (byte) s.length}, s);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
