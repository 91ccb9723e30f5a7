package io.jnatsd.server.mqtt;

import static io.jnatsd.server.mqtt.MqttFixture.connect;
import static io.jnatsd.server.mqtt.MqttFixture.packet;
import static io.jnatsd.server.mqtt.MqttFixture.publish;
import static io.jnatsd.server.mqtt.MqttFixture.str;
import static io.jnatsd.server.mqtt.MqttFixture.subscribe;
import static io.jnatsd.server.mqtt.MqttFixture.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MQTT 3.1.1 behaviour, the same steps against jnatsd and upstream 2.9.10. */
class MqttTest {
    @TempDir
    Path dir;

    private static MqttMessage next(BlockingQueue<MqttMessage> q) throws InterruptedException {
        MqttMessage m = q.poll(5, TimeUnit.SECONDS);
        assertNotNull(m, "no message arrived");
        return m;
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connectAnswersReturnCodes(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQTT", 3, 0x02, 0, "c1"));
                assertArrayEquals(new byte[] {0x20, 2, 0, 1}, r.read(), "unacceptable protocol version");
                assertTrue(r.closedByServer());
            }
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQTT", 4, 0x00, 0, ""));
                assertArrayEquals(new byte[] {0x20, 2, 0, 2}, r.read(), "identifier rejected: empty id needs clean session");
                assertTrue(r.closedByServer());
            }
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQTT", 4, 0x02, 0, "ok"));
                assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read(), "accepted");
                r.send(new byte[] {(byte) 0xC0, 0});
                assertArrayEquals(new byte[] {(byte) 0xD0, 0}, r.read(), "PINGRESP");
            }
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQIsdp", 3, 0x02, 0, "old"));
                assertTrue(r.closedByServer(), "MQTT 3.1 is closed without CONNACK");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void badCredentialsAreNotAuthorized(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, ", authorization { user: mq, password: pw }")) {
            MqttException e = assertThrows(MqttException.class, () -> f.client("bad", true, "mq", "wrong"));
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode(), "CONNACK return code 5");
            MqttClient ok = f.client("good", true, "mq", "pw");
            assertTrue(ok.isConnected());
            ok.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void qos0And1BetweenMqttClients(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            MqttClient sub = f.client("sub", true);
            BlockingQueue<MqttMessage> q0 = subscribe(sub, "a/+/c", 0);
            BlockingQueue<MqttMessage> q1 = subscribe(sub, "x/#", 1);
            MqttClient pub = f.client("pub", true);
            publish(pub, "a/b/c", "zero", 0, false);
            publish(pub, "x/y", "one", 1, false);
            publish(pub, "x", "parent level", 1, false);
            MqttMessage m = next(q0);
            assertEquals("zero", text(m));
            assertEquals(0, m.getQos());
            MqttMessage m1 = next(q1);
            assertEquals("one", text(m1));
            assertEquals(1, m1.getQos());
            assertEquals("parent level", text(next(q1)), "x/# matches x too");
            assertNull(q1.poll(200, TimeUnit.MILLISECONDS), "a QoS 1 message is delivered once");
            pub.disconnect();
            sub.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mqttAndNatsSeeEachOther(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "");
             Connection nc = Nats.connect(f.server.url())) {
            Subscription ns = nc.subscribe("from.mqtt.>");
            nc.flush(Duration.ofSeconds(2));
            MqttClient m = f.client("interop", true);
            BlockingQueue<MqttMessage> q = subscribe(m, "from/nats/#", 1);
            publish(m, "from/mqtt/a", "hello nats", 1, false);
            Message got = ns.nextMessage(Duration.ofSeconds(5));
            assertNotNull(got);
            assertEquals("from.mqtt.a", got.getSubject());
            assertEquals("hello nats", new String(got.getData(), StandardCharsets.UTF_8));
            assertEquals("1", got.getHeaders().getFirst("Nmqtt-Pub"));
            nc.publish("from.nats.b", "hello mqtt".getBytes(StandardCharsets.UTF_8));
            MqttMessage mm = next(q);
            assertEquals("hello mqtt", text(mm));
            assertEquals(0, mm.getQos(), "a NATS message reaches a QoS 1 subscription as QoS 0");
            m.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mqttPublishesGoToOneMemberOfANatsQueueGroup(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "");
             Connection nc = Nats.connect(f.server.url())) {
            Subscription q1 = nc.subscribe("work", "g");
            Subscription q2 = nc.subscribe("work", "g");
            nc.flush(Duration.ofSeconds(2));
            MqttClient m = f.client("worker", true);
            for (int i = 0; i < 20; i++) publish(m, "work", "job" + i, 0, false);
            int got = 0;
            while (q1.nextMessage(Duration.ofMillis(300)) != null) got++;
            while (q2.nextMessage(Duration.ofMillis(300)) != null) got++;
            assertEquals(20, got, "each message to exactly one queue member");
            m.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void topicMappingEdgeCases(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "");
             Connection nc = Nats.connect(f.server.url())) {
            Subscription all = nc.subscribe(">");
            nc.flush(Duration.ofSeconds(2));
            MqttClient m = f.client("topics", true);
            BlockingQueue<MqttMessage> q = subscribe(m, "#", 0);
            String[][] cases = {{"/a", "/.a"}, {"a/", "a./"}, {"a//b", "a./.b"}, {"a/b/c", "a.b.c"}};
            for (String[] c : cases) {
                publish(m, c[0], c[0], 0, false);
                Message n = nextUserMessage(all);
                assertEquals(c[1], n.getSubject(), "topic " + c[0]);
                assertEquals(c[0], text(next(q)), "round trip of " + c[0]);
            }
            nc.publish("n./.x", "back".getBytes(StandardCharsets.UTF_8));
            MqttMessage back = next(q);
            assertEquals("back", text(back));
            m.disconnect();
        }
    }

    /** The next message whose subject is not JetStream or MQTT plumbing. */
    private static Message nextUserMessage(Subscription s) throws InterruptedException {
        while (true) {
            Message m = s.nextMessage(Duration.ofSeconds(5));
            assertNotNull(m);
            if (!m.getSubject().startsWith("$")) return m;
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void retainedSetReplacedClearedAndDeliveredOnSubscribe(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            MqttClient pub = f.client("rpub", true);
            publish(pub, "state/door", "open", 1, true);
            publish(pub, "state/door", "closed", 1, true);
            publish(pub, "state/window", "open", 1, true);
            publish(pub, "state/window", "", 1, true);
            MqttClient sub = f.client("rsub", true);
            BlockingQueue<MqttMessage> q = subscribe(sub, "state/+", 1);
            MqttMessage m = next(q);
            assertEquals("closed", text(m), "the newest retained message replaces the older");
            assertTrue(m.isRetained());
            assertNull(q.poll(300, TimeUnit.MILLISECONDS), "an empty retained payload clears it");
            publish(pub, "state/door", "live", 0, true);
            MqttMessage live = next(q);
            assertEquals("live", text(live));
            assertFalse(live.isRetained(), "a live message is not flagged retained");
            pub.disconnect();
            sub.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void persistentSessionGetsQos1MessagesSentWhileAway(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            MqttClient away = f.client("durable", false);
            subscribe(away, "news/#", 1);
            away.disconnect();
            away.close();
            MqttClient pub = f.client("npub", true);
            publish(pub, "news/today", "while away", 1, false);
            pub.disconnect();
            MqttClient back = new MqttClient(f.uri(), "durable", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            BlockingQueue<MqttMessage> q = new java.util.concurrent.LinkedBlockingQueue<>();
            back.setCallback(new Collect(q));
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setCleanSession(false);
            back.connect(o);
            MqttMessage m = next(q);
            assertEquals("while away", text(m));
            assertEquals(1, m.getQos());
            back.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void willIsPublishedOnAbruptClose(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            MqttClient watcher = f.client("watcher", true);
            BlockingQueue<MqttMessage> q = subscribe(watcher, "status/+", 0);
            MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort);
            // flags: clean session, will flag
            r.send(packet(0x10, str("MQTT"), new byte[] {4, 0x06, 0, 0}, str("dev1"), str("status/dev1"), str("gone")));
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
            r.close();
            assertEquals("gone", text(next(q)));
            MqttFixture.Raw polite = new MqttFixture.Raw(f.mqttPort);
            polite.send(packet(0x10, str("MQTT"), new byte[] {4, 0x06, 0, 0}, str("dev2"), str("status/dev2"), str("gone2")));
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, polite.read());
            polite.send(new byte[] {(byte) 0xE0, 0});
            assertTrue(polite.closedByServer());
            polite.close();
            assertNull(q.poll(500, TimeUnit.MILLISECONDS), "DISCONNECT discards the will");
            watcher.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void keepAliveExpiryClosesASilentClient(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "");
             MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
            r.send(connect("MQTT", 4, 0x02, 1, "sleepy"));
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
            for (int i = 0; i < 5; i++) { // pings every half second keep it alive past its 1 s keep-alive
                Thread.sleep(500);
                r.send(new byte[] {(byte) 0xC0, 0});
                assertArrayEquals(new byte[] {(byte) 0xD0, 0}, r.read(), "PINGRESP " + i);
            }
            long t0 = System.nanoTime();
            assertTrue(r.closedByServer());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 700 && ms < 4000, "closed after " + ms + " ms");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void sameClientIdTakesOver(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            MqttClient watcher = f.client("twin-watcher", true);
            BlockingQueue<MqttMessage> wills = subscribe(watcher, "twin/will", 0);
            MqttFixture.Raw first = new MqttFixture.Raw(f.mqttPort);
            first.send(packet(0x10, str("MQTT"), new byte[] {4, 0x06, 0, 0}, str("twin"), str("twin/will"), str("gone")));
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, first.read());
            MqttClient second = f.client("twin", true);
            assertTrue(first.closedByServer(), "the older connection is closed");
            assertTrue(second.isConnected());
            assertNull(wills.poll(500, TimeUnit.MILLISECONDS), "a connection taken over does not send its will");
            second.disconnect();
            first.close();
            watcher.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void malformedPacketsCloseOnlyTheirConnection(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            MqttClient bystander = f.client("bystander", true);
            BlockingQueue<MqttMessage> q = subscribe(bystander, "ok", 0);
            byte[][] bad = {
                    packet(0x30, str("a/+"), "x".getBytes()), // wildcard in a PUBLISH topic
                    packet(0x30, str("a.b"), "x".getBytes()), // a '.' cannot be carried
                    connect("MQTT", 4, 0x02, 0, "again"), // a second CONNECT
                    {(byte) 0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1}, // a five-byte length
            };
            for (int i = 0; i < bad.length; i++) {
                try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                    r.send(connect("MQTT", 4, 0x02, 0, "bad" + i));
                    assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
                    r.send(bad[i]);
                    assertTrue(r.closedByServer(), "case " + i);
                }
            }
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(packet(0x30, str("ok"), "x".getBytes()));
                assertTrue(r.closedByServer(), "the first packet must be a CONNECT");
            }
            if (impl == Impl.JNATSD) { // as upstream since 2.10; 2.9.10 passes an invalid UTF-8 topic on
                try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                    r.send(connect("MQTT", 4, 0x02, 0, "utf8"));
                    assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
                    r.send(packet(0x30, new byte[] {0, 2, (byte) 0xC3, 0x28}, "x".getBytes()));
                    assertTrue(r.closedByServer(), "invalid UTF-8 in a PUBLISH topic");
                }
            }
            MqttClient pub = f.client("pub", true);
            publish(pub, "ok", "still fine", 0, false);
            assertEquals("still fine", text(next(q)));
            pub.disconnect();
            bystander.disconnect();
        }
    }

    /**
     * jnatsd only: upstream 2.9.10 sends a wildcard subscription the retained messages of subjects its deny list
     * names (it filters live messages only).
     */
    @org.junit.jupiter.api.Test
    void permissionsApplyToRetainedMessages() throws Exception {
        Impl impl = Impl.JNATSD;
        String users = """
                authorization { users: [
                  {user: writer, password: w}
                  {user: reader, password: r, permissions: {subscribe: {allow: [">"], deny: ["secret.>"]}}}
                ] }
                """;
        try (MqttFixture f = new MqttFixture(impl, dir, users, "")) {
            MqttClient w = f.client("w", true, "writer", "w");
            publish(w, "secret/plan", "hidden", 1, true);
            publish(w, "public/news", "shown", 1, true);
            MqttClient r = f.client("r", true, "reader", "r");
            BlockingQueue<MqttMessage> q = subscribe(r, "#", 1);
            assertEquals("shown", text(next(q)));
            assertNull(q.poll(500, TimeUnit.MILLISECONDS), "a denied subject's retained message is not delivered");
            publish(w, "secret/plan", "live secret", 1, false);
            assertNull(q.poll(500, TimeUnit.MILLISECONDS), "nor its live messages");
            r.disconnect();
            w.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void persistentSessionSurvivesARestart(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, ", ack_wait: \"1s\"")) {
            MqttClient away = f.client("survivor", false);
            subscribe(away, "alerts/+", 1);
            away.disconnect();
            away.close();
            MqttClient pub = f.client("apub", true);
            publish(pub, "alerts/fire", "stored", 1, false);
            pub.disconnect();
            f.restart();
            MqttClient back = new MqttClient(f.uri(), "survivor", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            BlockingQueue<MqttMessage> q = new java.util.concurrent.LinkedBlockingQueue<>();
            back.setCallback(new Collect(q));
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setCleanSession(false);
            back.connect(o);
            assertTrue(back.isConnected());
            assertEquals("stored", text(next(q)), "the QoS 1 message stored before the restart");
            MqttClient pub2 = f.client("apub2", true);
            publish(pub2, "alerts/flood", "after restart", 1, false);
            assertEquals("after restart", text(next(q)), "the subscription itself survived");
            pub2.disconnect();
            back.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void varzShowsTheMqttBlockAndConnzTheClientIds(Impl impl) throws Exception {
        int http = TestServer.freePort();
        try (MqttFixture f = new MqttFixture(impl, dir, "http: \"127.0.0.1:" + http + "\"",
                ", ack_wait: \"5s\", max_ack_pending: 100")) {
            var client = java.net.http.HttpClient.newHttpClient();
            String body = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + http + "/varz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            var mqtt = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("mqtt");
            assertEquals("127.0.0.1", mqtt.path("host").asText());
            assertEquals(f.mqttPort, mqtt.path("port").asInt());
            assertEquals(5_000_000_000L, mqtt.path("ack_wait").asLong());
            assertEquals(100, mqtt.path("max_ack_pending").asInt());
            MqttClient c = f.client("watch-me", true);
            String connz = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + http + "/connz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            var conns = new com.fasterxml.jackson.databind.ObjectMapper().readTree(connz).path("connections");
            assertEquals(1, conns.size(), connz);
            assertEquals("watch-me", conns.get(0).path("mqtt_client").asText(), connz);
            assertEquals("Client", conns.get(0).path("kind").asText());
            c.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mqttOverWebSocket(Impl impl) throws Exception {
        int ws = TestServer.freePort();
        try (MqttFixture f = new MqttFixture(impl, dir, "websocket { listen: \"127.0.0.1:" + ws + "\", no_tls: true }", "")) {
            MqttClient overWs = new MqttClient("ws://127.0.0.1:" + ws + "/mqtt", "ws-client",
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
            overWs.connect(o);
            BlockingQueue<MqttMessage> q = subscribe(overWs, "ws/+", 1);
            MqttClient tcp = f.client("tcp-client", true);
            publish(tcp, "ws/in", "to websocket", 1, false);
            MqttMessage m = next(q);
            assertEquals("to websocket", text(m));
            assertEquals(1, m.getQos());
            BlockingQueue<MqttMessage> back = subscribe(tcp, "tcp/+", 0);
            publish(overWs, "tcp/in", "from websocket", 0, false);
            assertEquals("from websocket", text(next(back)));
            overWs.disconnect();
            tcp.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aFloodingDeviceLosesNothingAcknowledgedAndOthersGoOn(Impl impl) throws Exception {
        int n = 1000;
        try (MqttFixture f = new MqttFixture(impl, dir, "");
             Connection nc = Nats.connect(f.server.url())) {
            Subscription ns = nc.subscribe("flood.x");
            nc.flush(Duration.ofSeconds(2));
            MqttClient durable = f.client("flood-reader", true);
            BlockingQueue<MqttMessage> q1 = subscribe(durable, "flood/x", 1);
            MqttClient bystander = f.client("bystander", true);
            BlockingQueue<MqttMessage> qb = subscribe(bystander, "calm", 0);
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQTT", 4, 0x02, 0, "flooder"));
                assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (int i = 1; i <= n; i++) {
                    all.writeBytes(packet(0x32, str("flood/x"), new byte[] {(byte) (i >> 8), (byte) i}, ("m" + i).getBytes()));
                }
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        r.send(all.toByteArray());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                publish(bystander, "calm", "still served", 0, false);
                assertEquals("still served", text(next(qb)));
                java.util.BitSet acked = new java.util.BitSet();
                for (int i = 0; i < n; i++) {
                    byte[] ack = r.read();
                    assertEquals(0x40, ack[0] & 0xFF, "PUBACK");
                    int pi = (ack[2] & 0xFF) << 8 | (ack[3] & 0xFF);
                    assertFalse(acked.get(pi), "one PUBACK per packet");
                    acked.set(pi);
                }
                writer.join();
                assertEquals(n, acked.cardinality());
            }
            int nats = 0;
            while (ns.nextMessage(Duration.ofSeconds(2)) != null) if (++nats == n) break;
            assertEquals(n, nats, "every acknowledged message reached the NATS subscriber");
            int mqtt = 0;
            while (q1.poll(2, TimeUnit.SECONDS) != null) if (++mqtt == n) break;
            assertEquals(n, mqtt, "and the QoS 1 MQTT subscriber");
            durable.disconnect();
            bystander.disconnect();
        }
    }

    /** What starting with {@code config} says: jnatsd's construction error, or upstream's output as it exits. */
    private String startError(Impl impl, String config) throws Exception {
        Path conf = dir.resolve("bad-" + impl + ".conf");
        java.nio.file.Files.writeString(conf, "listen: \"127.0.0.1:" + TestServer.freePort() + "\"\n" + config);
        if (impl == Impl.JNATSD) {
            var e = assertThrows(IllegalArgumentException.class, () -> new io.jnatsd.server.NatsServer(
                    io.jnatsd.server.config.ConfigLoader.load(conf), io.jnatsd.server.log.ServerLog.silent()));
            return e.getMessage();
        }
        String bin = TestServer.upstreamBinary();
        org.junit.jupiter.api.Assumptions.assumeTrue(bin != null, "upstream nats-server is not installed");
        Process p = new ProcessBuilder(bin, "-c", conf.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "upstream did not exit");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mqttNeedsAServerNameAndJetStream(Impl impl) throws Exception {
        int port = TestServer.freePort();
        String store = dir.resolve("js-" + impl).toString();
        assertTrue(startError(impl, "jetstream { store_dir: \"" + store + "\" }\nmqtt { port: " + port + " }\n")
                .contains("mqtt requires server name to be explicitly set"));
        assertTrue(startError(impl, "server_name: s\nmqtt { port: " + port + " }\n")
                .contains("mqtt requires JetStream to be enabled if running in standalone mode"));
    }

    /**
     * QoS 2 publishing as upstream 2.10 receives it (2.9.10 closes the connection instead): held until PUBREL,
     * a resent PUBLISH with the same id is not delivered twice; a QoS 2 subscriber gets it at QoS 2.
     */
    @org.junit.jupiter.api.Test
    void qos2PublishIsDeliveredOnceAtPubrel() throws Exception {
        try (MqttFixture f = new MqttFixture(Impl.JNATSD, dir, "");
             Connection nc = Nats.connect(f.server.url())) {
            Subscription ns = nc.subscribe("q2.>");
            nc.flush(Duration.ofSeconds(2));
            MqttClient sub = f.client("q2-sub", true);
            BlockingQueue<MqttMessage> q = subscribe(sub, "q2/#", 2);
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQTT", 4, 0x02, 0, "q2-raw"));
                assertArrayEquals(new byte[] {0x20, 2, 0, 0}, r.read());
                byte[] pub = packet(0x34, str("q2/raw"), new byte[] {0, 5}, "exactly once".getBytes());
                r.send(pub);
                assertArrayEquals(new byte[] {0x50, 2, 0, 5}, r.read(), "PUBREC");
                assertNull(ns.nextMessage(Duration.ofMillis(300)), "nothing goes out before PUBREL");
                r.send(pub); // resent, e.g. after a lost PUBREC
                assertArrayEquals(new byte[] {0x50, 2, 0, 5}, r.read(), "PUBREC again");
                r.send(new byte[] {0x62, 2, 0, 5});
                assertArrayEquals(new byte[] {0x70, 2, 0, 5}, r.read(), "PUBCOMP");
                Message m = ns.nextMessage(Duration.ofSeconds(5));
                assertNotNull(m);
                assertEquals("exactly once", new String(m.getData(), StandardCharsets.UTF_8));
                assertEquals("2", m.getHeaders().getFirst("Nmqtt-Pub"));
                assertNull(ns.nextMessage(Duration.ofMillis(300)), "once only");
                r.send(new byte[] {0x62, 2, 0, 5});
                assertArrayEquals(new byte[] {0x70, 2, 0, 5}, r.read(), "a PUBREL for nothing still gets PUBCOMP");
            }
            MqttMessage got = next(q);
            assertEquals("exactly once", text(got));
            assertEquals(2, got.getQos(), "sent on at QoS 2, as upstream 2.10");
            MqttClient paho = f.client("q2-paho", true);
            publish(paho, "q2/paho", "via paho", 2, false);
            assertEquals("via paho", text(next(q)));
            assertNull(q.poll(300, TimeUnit.MILLISECONDS));
            paho.disconnect();
            sub.disconnect();
        }
    }

    /** The fixture's readiness probes are connections too, gone a moment after they close. */
    private static Connection connectWhenFree(String url) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return Nats.connect(new io.nats.client.Options.Builder().server(url).maxReconnects(0).build());
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void mqttClientsCountAgainstMaxConnections(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "max_connections: 1", "");
             Connection nc = connectWhenFree(f.server.url())) {
            try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                r.send(connect("MQTT", 4, 0x02, 0, "one-too-many"));
                assertTrue(r.closedByServer(), "closed: the NATS client holds the only connection");
            }
            nc.close();
            // the server frees the slot once it has seen the close, a moment after close() returns
            MqttClient m = null;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (m == null) {
                try {
                    m = f.client("now-fits", true);
                } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(50);
                }
            }
            assertTrue(m.isConnected());
            m.disconnect();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void connackSaysWhetherTheSessionWasPresent(Impl impl) throws Exception {
        try (MqttFixture f = new MqttFixture(impl, dir, "")) {
            byte[][] expected = {{0x20, 2, 0, 0}, {0x20, 2, 1, 0}, {0x20, 2, 0, 0}, {0x20, 2, 0, 0}};
            int[] flags = {0x00, 0x00, 0x02, 0x00}; // clean session 0, 0, then 1 (discards it), then 0 again
            for (int i = 0; i < flags.length; i++) {
                try (MqttFixture.Raw r = new MqttFixture.Raw(f.mqttPort)) {
                    r.send(connect("MQTT", 4, flags[i], 0, "present"));
                    assertArrayEquals(expected[i], r.read(), "connect " + i);
                    r.send(new byte[] {(byte) 0xE0, 0});
                    assertTrue(r.closedByServer());
                }
            }
        }
    }

    /** Paho callback that collects messages. */
    record Collect(BlockingQueue<MqttMessage> q) implements org.eclipse.paho.client.mqttv3.MqttCallback {
        public void connectionLost(Throwable cause) {}

        public void messageArrived(String topic, MqttMessage message) {
            q.add(message);
        }

        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
    }
}
