package io.jnatsd.server.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT 5 and NATS clients of one jnatsd: user properties as headers, request/response as request/reply. */
class Mqtt5NatsTest {
    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void userPropertiesAndHeadersBothWays() throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(Mqtt5Broker.Target.JNATSD, dir);
             Connection nc = Nats.connect(b.natsUrl());
             Mqtt5Broker.Client mqtt = b.client("headers")) {
            Subscription sub = nc.subscribe("sensors.temp");
            nc.flush(Duration.ofSeconds(2));
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("site", "north")));
            p.setContentType("text/plain");
            mqtt.publish("sensors/temp", new MqttMessage(utf8("21"), 0, false, p));
            Message m = sub.nextMessage(Duration.ofSeconds(5));
            assertNotNull(m);
            assertEquals("north", m.getHeaders().getFirst("site"));
            assertEquals("text/plain", m.getHeaders().getFirst("Content-Type"));

            mqtt.subscribe("alerts/#", 0);
            Headers h = new Headers().add("severity", "high");
            nc.publish("alerts.fire", h, utf8("smoke"));
            Mqtt5Broker.Received r = mqtt.next();
            assertNotNull(r);
            assertEquals(List.of(new UserProperty("severity", "high")), r.props().getUserProperties());
        }
    }

    @Test
    void anMqtt5RequesterIsAnsweredByANatsResponder() throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(Mqtt5Broker.Target.JNATSD, dir);
             Connection nc = Nats.connect(b.natsUrl());
             Mqtt5Broker.Client requester = b.client("requester")) {
            nc.createDispatcher(m -> nc.publish(m.getReplyTo(), utf8("pong:" + new String(m.getData(), StandardCharsets.UTF_8))))
                    .subscribe("svc.ping");
            nc.flush(Duration.ofSeconds(2));
            requester.subscribe("replies/requester", 1);
            MqttProperties p = new MqttProperties();
            p.setResponseTopic("replies/requester");
            p.setCorrelationData(utf8("c-1"));
            requester.publish("svc/ping", new MqttMessage(utf8("1"), 1, false, p));
            Mqtt5Broker.Received r = requester.next();
            assertNotNull(r);
            assertEquals("pong:1", r.text());
            assertArrayEquals(utf8("c-1"), r.props().getCorrelationData(), "the correlation data comes back");
        }
    }

    @Test
    void aNatsRequesterIsAnsweredByAnMqtt5Responder() throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(Mqtt5Broker.Target.JNATSD, dir);
             Connection nc = Nats.connect(b.natsUrl());
             Mqtt5Broker.Client responder = b.client("responder")) {
            responder.subscribe("svc/time", 0);
            CompletableFuture<Message> reply = nc.request("svc.time", utf8("now?"));
            Mqtt5Broker.Received req = responder.next();
            assertNotNull(req);
            assertNotNull(req.props().getResponseTopic(), "the NATS reply subject as a response topic");
            responder.publish(req.props().getResponseTopic(), new MqttMessage(utf8("noon"), 0, false, new MqttProperties()));
            assertEquals("noon", new String(reply.get(5, TimeUnit.SECONDS).getData(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aForgedBridgeSubjectIsNotPublishedOn() throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(Mqtt5Broker.Target.JNATSD, dir);
             Connection nc = Nats.connect(b.natsUrl());
             Mqtt5Broker.Client victim = b.client("victim")) {
            victim.subscribe("forged/target", 0);
            nc.publish(ResponseBridge.PREFIX + "AAAAAAAAAAAAAAAA.Yw.forged.target", utf8("injected"));
            nc.publish("forged.target", utf8("plain"));
            assertEquals("plain", victim.next().text());
            assertNull(victim.nextWithin(500), "the forged reply subject was not republished");
        }
    }

    @Test
    void mqtt5OverWebSocketMeetsMqtt5OverTcp() throws Exception {
        int ws = io.jnatsd.server.testing.TestServer.freePort();
        try (MqttFixture f = new MqttFixture(io.jnatsd.server.testing.Impl.JNATSD, dir,
                "websocket { listen: \"127.0.0.1:" + ws + "\", no_tls: true }", "")) {
            org.eclipse.paho.mqttv5.client.MqttClient overWs = new org.eclipse.paho.mqttv5.client.MqttClient(
                    "ws://127.0.0.1:" + ws + "/mqtt", "ws5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            overWs.connect();
            java.util.concurrent.BlockingQueue<MqttMessage> got = new java.util.concurrent.LinkedBlockingQueue<>();
            overWs.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                    new org.eclipse.paho.mqttv5.common.MqttSubscription("ws5/#", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(t, m) -> got.add(m)});
            org.eclipse.paho.mqttv5.client.MqttClient tcp = new org.eclipse.paho.mqttv5.client.MqttClient(
                    f.uri(), "tcp5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            tcp.connect();
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("via", "tcp")));
            tcp.publish("ws5/in", new MqttMessage(utf8("hello"), 1, false, p));
            MqttMessage m = got.poll(5, TimeUnit.SECONDS);
            assertNotNull(m);
            assertEquals("hello", new String(m.getPayload(), StandardCharsets.UTF_8));
            assertEquals(List.of(new UserProperty("via", "tcp")), m.getProperties().getUserProperties());
            tcp.disconnect();
            overWs.disconnect();
            tcp.close();
            overWs.close();
        }
    }
}
