package io.jnatsd.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT publish → subscribe throughput, one publisher and one subscriber (Paho, MQTT 3.1.1, which jnatsd, upstream
 * and Mosquitto all speak): the publisher keeps up to {@code window} QoS 1 PUBLISHes unacknowledged; the time runs
 * from the first PUBLISH to the last message received. QoS 1 must deliver every message; QoS 0 reports what
 * arrived. Prints one JSON line.
 *
 * <pre>java -cp jnatsd-bench.jar io.jnatsd.bench.MqttLoad URI QOS SIZE MSGS [WINDOW]</pre>
 */
public final class MqttLoad {
    private MqttLoad() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int qos = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        long msgs = Long.parseLong(args[3]);
        int window = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        String topic = "bench/mqtt/" + Long.toHexString(System.nanoTime());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setMaxInflight(window);
        o.setKeepAliveInterval(60);

        MqttAsyncClient sub = new MqttAsyncClient(uri, "bench-sub-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        AtomicLong received = new AtomicLong();
        AtomicLong lastNanos = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        sub.connect(o).waitForCompletion(10_000);
        sub.subscribe(topic, qos, (t, m) -> {
            if (received.incrementAndGet() == msgs) {
                lastNanos.set(System.nanoTime());
                all.countDown();
            }
        }).waitForCompletion(10_000);

        MqttAsyncClient pub = new MqttAsyncClient(uri, "bench-pub-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
        pub.connect(o).waitForCompletion(10_000);
        byte[] payload = new byte[size];
        Semaphore slots = new Semaphore(window);
        IMqttActionListener release = new IMqttActionListener() {
            public void onSuccess(IMqttToken t) {
                slots.release();
            }

            public void onFailure(IMqttToken t, Throwable e) {
                slots.release();
            }
        };
        long start = System.nanoTime();
        for (long i = 0; i < msgs; i++) {
            slots.acquire();
            pub.publish(topic, payload, qos, false, null, release);
        }
        slots.acquire(window); // every PUBLISH sent (QoS 0) or acknowledged (QoS 1)
        long sentNanos = System.nanoTime();
        boolean complete = all.await(qos > 0 ? 120 : 5, TimeUnit.SECONDS);
        long end = complete ? lastNanos.get() : System.nanoTime();
        double secs = (end - start) / 1e9;
        System.out.printf("{\"qos\":%d,\"size\":%d,\"msgs\":%d,\"received\":%d,\"seconds\":%.3f,\"msgs_per_sec\":%.0f,"
                        + "\"publish_seconds\":%.3f}%n", qos, size, msgs, received.get(), secs, received.get() / secs,
                (sentNanos - start) / 1e9);
        pub.disconnect().waitForCompletion(5000);
        sub.disconnect().waitForCompletion(5000);
        pub.close();
        sub.close();
        System.exit(qos > 0 && !complete ? 1 : 0);
    }
}
