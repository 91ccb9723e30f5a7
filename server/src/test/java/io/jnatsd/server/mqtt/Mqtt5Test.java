package io.jnatsd.server.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MQTT 5 behaviour with the Paho v5 client, the same steps against jnatsd and against Mosquitto. */
class Mqtt5Test {
    @TempDir
    Path dir;

    private static MqttMessage message(String text, int qos, boolean retain, MqttProperties props) {
        MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8), qos, retain, props);
        return m;
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void propertiesTravelWithTheMessage(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client sub = b.client("props-sub");
             Mqtt5Broker.Client pub = b.client("props-pub")) {
            sub.subscribe("props/t", 1);
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("site", "north"), new UserProperty("unit", "C")));
            p.setContentType("text/plain");
            p.setPayloadFormat(true);
            p.setResponseTopic("props/reply");
            p.setCorrelationData(new byte[] {1, 2, 3});
            pub.publish("props/t", message("21.5", 1, false, p));
            Mqtt5Broker.Received r = sub.next();
            assertNotNull(r);
            assertEquals("21.5", r.text());
            assertEquals(List.of(new UserProperty("site", "north"), new UserProperty("unit", "C")), r.props().getUserProperties());
            assertEquals("text/plain", r.props().getContentType());
            assertTrue(r.props().getPayloadFormat());
            assertEquals("props/reply", r.props().getResponseTopic());
            assertArrayEquals(new byte[] {1, 2, 3}, r.props().getCorrelationData());
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void requesterAndResponderMeetByResponseTopicAndCorrelationData(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client responder = b.client("responder");
             Mqtt5Broker.Client requester = b.client("requester")) {
            responder.subscribe("svc/time", 1);
            requester.subscribe("svc/replies/requester", 1);
            MqttProperties p = new MqttProperties();
            p.setResponseTopic("svc/replies/requester");
            p.setCorrelationData("req-7".getBytes(StandardCharsets.UTF_8));
            requester.publish("svc/time", message("now?", 1, false, p));
            Mqtt5Broker.Received req = responder.next();
            assertNotNull(req);
            MqttProperties answer = new MqttProperties();
            answer.setCorrelationData(req.props().getCorrelationData());
            responder.publish(req.props().getResponseTopic(), message("noon", 1, false, answer));
            Mqtt5Broker.Received resp = requester.next();
            assertNotNull(resp);
            assertEquals("noon", resp.text());
            assertEquals("req-7", new String(resp.props().getCorrelationData(), StandardCharsets.UTF_8));
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> targetsAndQos() {
        return java.util.stream.Stream.of(Mqtt5Broker.Target.values()).flatMap(t -> java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(t, 0), org.junit.jupiter.params.provider.Arguments.of(t, 1)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("targetsAndQos")
    void sharedSubscriptionGivesEachMessageToOneMember(Mqtt5Broker.Target target, int qos) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client w1 = b.client("worker1");
             Mqtt5Broker.Client w2 = b.client("worker2");
             Mqtt5Broker.Client pub = b.client("jobs-pub")) {
            assertEquals(qos, w1.subscribe("$share/workers/jobs/#", qos)[0], "granted");
            assertEquals(qos, w2.subscribe("$share/workers/jobs/#", qos)[0], "granted");
            int n = 40;
            for (int i = 0; i < n; i++) pub.publish("jobs/" + i, message("job" + i, qos, false, new MqttProperties()));
            int got1 = 0;
            int got2 = 0;
            java.util.Set<String> seen = new java.util.HashSet<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got1 + got2 < n && System.nanoTime() < deadline) {
                Mqtt5Broker.Received r = w1.received.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (r != null) got1++;
                else if ((r = w2.received.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) got2++;
                else continue;
                assertTrue(seen.add(r.text()), "delivered twice: " + r.text());
            }
            assertEquals(n, got1 + got2, "each message once to the group");
            assertTrue(got1 > 0 && got2 > 0, "both members served: " + got1 + "/" + got2);
            assertNull(w1.nextWithin(200));
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void noLocalKeepsAClientsOwnMessagesFromIt(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client self = b.client("self");
             Mqtt5Broker.Client other = b.client("other")) {
            MqttSubscription s = new MqttSubscription("chat/room", 1);
            s.setNoLocal(true);
            self.subscribe(null, s);
            other.subscribe("chat/room", 1);
            self.publish("chat/room", message("from self", 1, false, new MqttProperties()));
            assertEquals("from self", other.next().text(), "others get it");
            other.publish("chat/room", message("from other", 1, false, new MqttProperties()));
            assertEquals("from other", self.next().text(), "its own message never came first");
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void retainHandlingAndRetainAsPublished(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client pub = b.client("rh-pub");
             Mqtt5Broker.Client sub = b.client("rh-sub")) {
            pub.publish("rh/t", message("kept", 1, true, new MqttProperties()));
            MqttSubscription never = new MqttSubscription("rh/t", 1);
            never.setRetainHandling(2);
            sub.subscribe(null, never);
            pub.publish("rh/t", message("live1", 1, false, new MqttProperties()));
            assertEquals("live1", sub.next().text(), "retain handling 2: no retained message");

            MqttSubscription ifNew = new MqttSubscription("rh/t", 1);
            ifNew.setRetainHandling(1);
            sub.subscribe(null, ifNew);
            pub.publish("rh/t", message("live2", 1, false, new MqttProperties()));
            assertEquals("live2", sub.next().text(), "retain handling 1 on an existing subscription: none");

            try (Mqtt5Broker.Client rap = b.client("rh-rap")) {
                MqttSubscription always = new MqttSubscription("rh/t", 1);
                always.setRetainAsPublished(true);
                rap.subscribe(null, always);
                Mqtt5Broker.Received r = rap.next();
                assertEquals("kept", r.text(), "retain handling 0: the retained message");
                assertTrue(r.message().isRetained());
                pub.publish("rh/t", message("kept2", 1, true, new MqttProperties()));
                Mqtt5Broker.Received live = rap.next();
                assertEquals("kept2", live.text());
                assertTrue(live.message().isRetained(), "retain as published keeps the flag on a live message");
                Mqtt5Broker.Received plain = sub.next();
                assertEquals("kept2", plain.text());
                assertFalse(plain.message().isRetained(), "without it a live message is not retained");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void subscriptionIdentifierComesWithEachMessage(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client sub = b.client("sid-sub");
             Mqtt5Broker.Client pub = b.client("sid-pub")) {
            MqttProperties p = new MqttProperties();
            p.setSubscriptionIdentifier(42);
            sub.subscribe(p, new MqttSubscription("sid/+", 1));
            pub.publish("sid/a", message("x", 1, false, new MqttProperties()));
            assertEquals(List.of(42), sub.next().props().getSubscriptionIdentifiers());
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void messageExpiryCountsDownAndDropsExpiredRetainedMessages(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client pub = b.client("exp-pub")) {
            MqttProperties longLived = new MqttProperties();
            longLived.setMessageExpiryInterval(600L);
            pub.publish("exp/long", message("long", 1, true, longLived));
            MqttProperties shortLived = new MqttProperties();
            shortLived.setMessageExpiryInterval(1L);
            pub.publish("exp/short", message("short", 1, true, shortLived));
            Thread.sleep(2100); // the feature is time itself: the short message's interval must pass
            try (Mqtt5Broker.Client sub = b.client("exp-sub")) {
                sub.subscribe("exp/#", 1);
                Mqtt5Broker.Received r = sub.next();
                assertEquals("long", r.text(), "the expired retained message is not sent");
                long left = r.props().getMessageExpiryInterval();
                assertTrue(left > 0 && left < 600, "interval counted down: " + left);
                assertNull(sub.nextWithin(300));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void sessionExpiryKeepsASessionOnlyWhenAsked(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client pub = b.client("se-pub")) {
            MqttConnectionOptions keep = new MqttConnectionOptions();
            keep.setCleanStart(false);
            keep.setSessionExpiryInterval(60L);
            Mqtt5Broker.Client c = b.client("se-dev", keep);
            assertFalse(c.connectToken.getSessionPresent());
            c.subscribe("se/t", 1);
            c.close();
            pub.publish("se/t", message("while away", 1, false, new MqttProperties()));
            try (Mqtt5Broker.Client again = b.client("se-dev", keep)) {
                assertTrue(again.connectToken.getSessionPresent(), "the session outlived the connection");
                assertEquals("while away", again.next().text());
            }
            MqttConnectionOptions endWithConnection = new MqttConnectionOptions();
            endWithConnection.setCleanStart(false);
            b.client("se-short", endWithConnection).close();
            try (Mqtt5Broker.Client again = b.client("se-short", endWithConnection)) {
                assertFalse(again.connectToken.getSessionPresent(), "expiry 0: the session ended with the connection");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void willDelayWaitsAndAReturnCancelsIt(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client watcher = b.client("will-watch")) {
            watcher.subscribe("wills/#", 1);
            Mqtt5Broker.Client dev = b.client("will-dev", willOptions("wills/dev", 1));
            dev.paho.disconnectForcibly(0, 0, false); // gone without DISCONNECT
            Mqtt5Broker.Received r = watcher.next();
            assertNotNull(r, "the will after its delay");
            assertEquals("wills/dev", r.topic());

            Mqtt5Broker.Client back = b.client("will-back", willOptions("wills/back", 3));
            back.paho.disconnectForcibly(0, 0, false);
            try (Mqtt5Broker.Client returned = b.client("will-back", willOptions("wills/back", 3))) {
                assertNull(watcher.nextWithin(4000), "returning within the delay cancels the will");
            }
        }
    }

    private static MqttConnectionOptions willOptions(String topic, long delaySeconds) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(30L);
        MqttProperties wp = new MqttProperties();
        wp.setWillDelayInterval(delaySeconds);
        o.setWillMessageProperties(wp);
        o.setWill(topic, new MqttMessage("gone".getBytes(StandardCharsets.UTF_8), 1, false, null));
        return o;
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void aTakenOverClientIsToldWhy(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir)) {
            Mqtt5Broker.Client first = b.client("twin");
            try (Mqtt5Broker.Client second = b.client("twin")) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (first.disconnected == null && System.nanoTime() < deadline) Thread.onSpinWait();
                assertNotNull(first.disconnected);
                // Mosquitto 2.0.11 just closes the old connection; the specification sends 0x8E (MQTT-3.1.4-3).
                if (target == Mqtt5Broker.Target.JNATSD) {
                    assertEquals(0x8E, first.disconnected.getReturnCode(), "session taken over");
                }
            }
            first.paho.close(true);
        }
    }

    @ParameterizedTest
    @EnumSource(Mqtt5Broker.Target.class)
    void qos2BothWays(Mqtt5Broker.Target target) throws Exception {
        try (Mqtt5Broker b = Mqtt5Broker.start(target, dir);
             Mqtt5Broker.Client sub = b.client("q2-sub");
             Mqtt5Broker.Client pub = b.client("q2-pub")) {
            assertEquals(2, sub.subscribe("q2/#", 2)[0], "granted QoS 2");
            pub.publish("q2/a", message("exactly once", 2, false, new MqttProperties()));
            Mqtt5Broker.Received r = sub.next();
            assertEquals("exactly once", r.text());
            assertEquals(2, r.message().getQos());
            assertNull(sub.nextWithin(300));
        }
    }
}
