package io.jnatsd.server;

import static io.jnatsd.server.testing.TestServer.bytes;
import static io.jnatsd.server.testing.TestServer.startJetStream;
import static io.jnatsd.server.testing.TestServer.await;
import static io.jnatsd.server.testing.TestServer.consumerInfo;
import static io.jnatsd.server.testing.TestServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.Subscription;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Consumers through the official client's JetStream APIs, against jnatsd and upstream alike. */
class JetStreamConsumerTest {
    @TempDir
    Path dir;

    private static void stream(Connection c, String name, String subject, RetentionPolicy retention) throws Exception {
        c.jetStreamManagement().addStream(StreamConfiguration.builder().name(name).subjects(subject)
                .retentionPolicy(retention).storageType(StorageType.File).build());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void createInfoListDelete(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(c, "ORDERS", "orders.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 0; i < 5; i++) js.publish("orders." + (i % 2 == 0 ? "new" : "paid"), bytes("m" + i));

            ConsumerInfo durable = jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("dur")
                    .ackPolicy(AckPolicy.Explicit).filterSubject("orders.new").build());
            assertEquals("dur", durable.getName());
            assertEquals("ORDERS", durable.getStreamName());
            assertEquals(3, durable.getNumPending());
            assertEquals(Duration.ofSeconds(30), durable.getConsumerConfiguration().getAckWait());
            assertEquals(1000, durable.getConsumerConfiguration().getMaxAckPending());
            assertEquals(512, durable.getConsumerConfiguration().getMaxPullWaiting());

            ConsumerInfo eph = jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().name("eph").build());
            assertEquals("eph", eph.getName());
            assertEquals(Duration.ofSeconds(5), eph.getConsumerConfiguration().getInactiveThreshold());
            assertEquals(5, eph.getNumPending());

            assertEquals(List.of("dur", "eph"), jsm.getConsumerNames("ORDERS"));
            assertEquals(2, jsm.getConsumers("ORDERS").size());
            assertEquals(2, jsm.getStreamInfo("ORDERS").getStreamState().getConsumerCount());
            assertEquals(3, jsm.getConsumerInfo("ORDERS", "dur").getNumPending());

            // the same config again is fine; a change of deliver policy is not
            assertEquals("dur", jsm.addOrUpdateConsumer("ORDERS", ConsumerConfiguration.builder().durable("dur")
                    .ackPolicy(AckPolicy.Explicit).filterSubject("orders.new").build()).getName());
            JetStreamApiException policy = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("ORDERS",
                    ConsumerConfiguration.builder().durable("dur").ackPolicy(AckPolicy.Explicit)
                            .filterSubject("orders.new").deliverPolicy(DeliverPolicy.New).build()));
            assertEquals(10012, policy.getApiErrorCode());
            JetStreamApiException filter = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("ORDERS",
                    ConsumerConfiguration.builder().durable("bad").filterSubject("other.>").build()));
            assertEquals(10093, filter.getApiErrorCode());

            assertTrue(jsm.deleteConsumer("ORDERS", "eph"));
            JetStreamApiException gone = assertThrows(JetStreamApiException.class, () -> jsm.getConsumerInfo("ORDERS", "eph"));
            assertEquals(10014, gone.getApiErrorCode());
            assertEquals(404, gone.getErrorCode());
            JetStreamApiException noStream = assertThrows(JetStreamApiException.class, () -> jsm.getConsumerInfo("NOPE", "x"));
            assertEquals(10059, noStream.getApiErrorCode());
            assertEquals(List.of("dur"), jsm.getConsumerNames("ORDERS"));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pullFetchBatchExpiresAndNoWait(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "P", "p.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 0; i < 7; i++) js.publish("p.x", bytes("m" + i));
            c.jetStreamManagement().addOrUpdateConsumer("P", ConsumerConfiguration.builder().durable("pull")
                    .ackPolicy(AckPolicy.Explicit).build());
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("P", "pull"));

            List<Message> first = sub.fetch(5, Duration.ofSeconds(2));
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), first.stream().map(TestServer::text).toList());
            first.forEach(Message::ack);
            assertEquals(1, first.get(0).metaData().consumerSequence());
            assertEquals(6, first.get(0).metaData().pendingCount());

            long t0 = System.nanoTime();
            List<Message> rest = sub.fetch(5, Duration.ofMillis(500)); // only 2 left: returns when the request expires
            assertEquals(List.of("m5", "m6"), rest.stream().map(TestServer::text).toList());
            rest.forEach(Message::ack);
            assertTrue(System.nanoTime() - t0 < 3_000_000_000L);

            sub.pullNoWait(3);
            long noWaitStart = System.nanoTime();
            // the 404 status ends the wait as soon as it arrives; the long timeout only keeps a late
            // status (a loaded machine) from ending the next pull instead
            assertNull(sub.nextMessage(Duration.ofSeconds(5)), "no messages: a 404 status, not a message");
            assertTrue(System.nanoTime() - noWaitStart < 4_000_000_000L, "the 404 status ended the wait");

            js.publish("p.x", bytes("late"));
            sub.pull(1);
            Message late = sub.nextMessage(Duration.ofSeconds(5));
            assertNotNull(late);
            assertEquals("late", text(late));
            late.ackSync(Duration.ofSeconds(2));
            await(2000, () -> consumerInfo(c, "P", "pull").getAckFloor().getStreamSequence() == 8);
            ConsumerInfo info = consumerInfo(c, "P", "pull");
            assertEquals(0, info.getNumAckPending());
            assertEquals(0, info.getNumPending());
            assertEquals(8, info.getDelivered().getConsumerSequence());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void simplifiedConsumeAndIterate(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "SC", "sc.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 0; i < 300; i++) js.publish("sc.x", bytes("m" + i));
            var ctx = c.getStreamContext("SC").createOrUpdateConsumer(ConsumerConfiguration.builder().durable("simple")
                    .ackPolicy(AckPolicy.Explicit).build());
            Set<String> got = ConcurrentHashMap.newKeySet();
            var options = io.nats.client.ConsumeOptions.builder().batchSize(50).expiresIn(1000).build();
            try (var consumer = ctx.consume(options, m -> {
                got.add(text(m));
                m.ack();
            })) {
                await(5000, () -> got.size() == 300);
            }
            for (int i = 0; i < 20; i++) js.publish("sc.x", bytes("late" + i));
            List<String> iterated = new ArrayList<>();
            try (var it = ctx.iterate(io.nats.client.ConsumeOptions.builder().batchSize(8).expiresIn(1000).build())) {
                for (int i = 0; i < 20; i++) {
                    Message m = it.nextMessage(Duration.ofSeconds(2));
                    assertNotNull(m, "message " + i);
                    iterated.add(text(m));
                    m.ack();
                }
            }
            assertEquals("late0", iterated.get(0));
            assertEquals("late19", iterated.get(19));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void redeliveryAfterAckWaitNakTermAndMaxDeliver(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "R", "r.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 1; i <= 4; i++) js.publish("r.x", bytes("m" + i));
            c.jetStreamManagement().addOrUpdateConsumer("R", ConsumerConfiguration.builder().durable("rd")
                    .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofMillis(500)).maxDeliver(2).build());
            List<String> maxDeliveries = new CopyOnWriteArrayList<>();
            Dispatcher d = c.createDispatcher(m -> maxDeliveries.add(m.getSubject()));
            d.subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>");
            c.flush(Duration.ofSeconds(1));
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("R", "rd"));

            List<Message> got = sub.fetch(4, Duration.ofSeconds(2));
            assertEquals(4, got.size());
            got.get(0).ack();                               // m1 done
            got.get(1).nak();                               // m2 again at once
            got.get(2).term();                              // m3 never again
            got.get(3).nakWithDelay(Duration.ofMillis(300)); // m4 again after 300 ms
            c.flush(Duration.ofSeconds(1));

            List<Message> again = new ArrayList<>();
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (again.size() < 2 && System.nanoTime() < deadline) again.addAll(sub.fetch(2, Duration.ofMillis(400)));
            assertEquals(List.of("m2", "m4"), again.stream().map(TestServer::text).toList());
            assertEquals(2, again.get(0).metaData().deliveredCount());
            // not acked: after ack_wait they would come a third time, but max_deliver is 2
            assertTrue(sub.fetch(2, Duration.ofMillis(1200)).isEmpty());
            await(2000, () -> maxDeliveries.size() >= 2);
            assertTrue(maxDeliveries.contains("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.R.rd"));
            ConsumerInfo info = consumerInfo(c, "R", "rd");
            assertEquals(0, info.getNumAckPending());
            assertEquals(6, info.getDelivered().getConsumerSequence());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void redeliveryOfUnackedPushMessages(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "W", "w.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            List<Message> received = new CopyOnWriteArrayList<>();
            Dispatcher d = c.createDispatcher();
            js.subscribe("w.x", d, received::add, false, PushSubscribeOptions.builder()
                    .configuration(ConsumerConfiguration.builder().ackWait(Duration.ofMillis(500)).build()).build());
            js.publish("w.x", bytes("one"));
            await(3000, () -> received.size() >= 2);
            assertEquals("one", text(received.get(1)));
            assertEquals(2, received.get(1).metaData().deliveredCount());
            received.get(1).ack();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pushQueueGroupSharesMessages(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url()); Connection c2 = Nats.connect(s.url())) {
            stream(c, "Q", "q.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<String> a = new CopyOnWriteArrayList<>();
            List<String> b = new CopyOnWriteArrayList<>();
            PushSubscribeOptions opts = PushSubscribeOptions.builder().durable("workers").deliverGroup("g").build();
            js.subscribe("q.>", "g", c.createDispatcher(), m -> {
                a.add(text(m));
                seen.add(text(m));
                m.ack();
            }, false, opts);
            c2.jetStream().subscribe("q.>", "g", c2.createDispatcher(), m -> {
                b.add(text(m));
                seen.add(text(m));
                m.ack();
            }, false, opts);
            for (int i = 0; i < 40; i++) js.publish("q.x", bytes("m" + i));
            await(5000, () -> seen.size() == 40);
            assertEquals(40, a.size() + b.size(), "each message once");
            ConsumerInfo info = consumerInfo(c, "Q", "workers");
            assertEquals("g", info.getConsumerConfiguration().getDeliverGroup());
            await(2000, () -> consumerInfo(c, "Q", "workers").getAckFloor().getStreamSequence() == 40);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void orderedConsumerGetsEverythingInOrder(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "O", "o.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 0; i < 50; i++) js.publish("o." + (i % 3), bytes("m" + i));
            JetStreamSubscription sub = js.subscribe("o.>", PushSubscribeOptions.builder().ordered(true).build());
            for (int i = 50; i < 100; i++) js.publish("o." + (i % 3), bytes("m" + i));
            for (int i = 0; i < 100; i++) {
                Message m = sub.nextMessage(Duration.ofSeconds(3));
                assertNotNull(m, "message " + i);
                assertEquals("m" + i, text(m));
                assertEquals(i + 1, m.metaData().streamSequence());
            }
            assertNull(sub.nextMessage(Duration.ofMillis(200)));
            ConsumerInfo ci = sub.getConsumerInfo();
            assertTrue(ci.getConsumerConfiguration().isFlowControl());
            assertEquals(AckPolicy.None, ci.getConsumerConfiguration().getAckPolicy());

            // the simplified API's ordered consumer is pull based
            var occ = c.getStreamContext("O").createOrderedConsumer(new io.nats.client.api.OrderedConsumerConfiguration()
                    .filterSubjects("o.1"));
            List<String> ones = new ArrayList<>();
            try (var fetch = occ.fetch(io.nats.client.FetchConsumeOptions.builder().maxMessages(40).expiresIn(1000).build())) {
                Message m;
                while ((m = fetch.nextMessage()) != null) ones.add(text(m));
            }
            assertEquals(33, ones.size());
            assertEquals("m1", ones.get(0));
            assertEquals("m97", ones.get(32));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void interestRetentionRemovesWhatAllConsumersAcked(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(c, "I", "i.>", RetentionPolicy.Interest);
            JetStream js = c.jetStream();
            js.publish("i.x", bytes("nobody"));
            assertEquals(0, jsm.getStreamInfo("I").getStreamState().getMsgCount(), "no consumer: not kept");
            jsm.addOrUpdateConsumer("I", ConsumerConfiguration.builder().durable("a").ackPolicy(AckPolicy.Explicit).build());
            jsm.addOrUpdateConsumer("I", ConsumerConfiguration.builder().durable("b").ackPolicy(AckPolicy.Explicit).build());
            for (int i = 0; i < 3; i++) js.publish("i.x", bytes("m" + i));
            assertEquals(3, jsm.getStreamInfo("I").getStreamState().getMsgCount());
            JetStreamSubscription a = js.subscribe(null, PullSubscribeOptions.bind("I", "a"));
            JetStreamSubscription b = js.subscribe(null, PullSubscribeOptions.bind("I", "b"));
            for (Message m : a.fetch(3, Duration.ofSeconds(2))) m.ackSync(Duration.ofSeconds(2));
            assertEquals(3, jsm.getStreamInfo("I").getStreamState().getMsgCount(), "b still needs them");
            List<Message> bs = b.fetch(3, Duration.ofSeconds(2));
            bs.get(0).ackSync(Duration.ofSeconds(2));
            await(2000, () -> msgCount(jsm, "I") == 2);
            assertTrue(jsm.deleteConsumer("I", "b"));
            await(2000, () -> msgCount(jsm, "I") == 0);
        }
    }

    private static long msgCount(JetStreamManagement jsm, String stream) {
        try {
            return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void workQueueRemovesOnAckAndAllowsOneConsumerPerFilter(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(c, "WQ", "wq.>", RetentionPolicy.WorkQueue);
            JetStream js = c.jetStream();
            for (int i = 0; i < 4; i++) js.publish("wq." + (i % 2 == 0 ? "a" : "b"), bytes("m" + i));
            jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder().durable("all").ackPolicy(AckPolicy.Explicit).build());
            JetStreamApiException second = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("WQ",
                    ConsumerConfiguration.builder().durable("other").ackPolicy(AckPolicy.Explicit).build()));
            assertEquals(10099, second.getApiErrorCode());
            JetStreamApiException overlap = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("WQ",
                    ConsumerConfiguration.builder().durable("other").ackPolicy(AckPolicy.Explicit).filterSubject("wq.a").build()));
            assertEquals(10100, overlap.getApiErrorCode());
            JetStreamApiException ackNone = assertThrows(JetStreamApiException.class, () -> jsm.addOrUpdateConsumer("WQ",
                    ConsumerConfiguration.builder().durable("none").ackPolicy(AckPolicy.None).build()));
            assertEquals(10084, ackNone.getApiErrorCode());

            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("WQ", "all"));
            List<Message> got = sub.fetch(4, Duration.ofSeconds(2));
            assertEquals(4, got.size());
            got.get(0).ackSync(Duration.ofSeconds(2));
            got.get(1).ackSync(Duration.ofSeconds(2));
            await(2000, () -> msgCount(jsm, "WQ") == 2);
            assertTrue(jsm.deleteConsumer("WQ", "all"));
            jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder().durable("a").ackPolicy(AckPolicy.Explicit).filterSubject("wq.a").build());
            jsm.addOrUpdateConsumer("WQ", ConsumerConfiguration.builder().durable("b").ackPolicy(AckPolicy.Explicit).filterSubject("wq.b").build());
            assertEquals(List.of("a", "b"), jsm.getConsumerNames("WQ"));
            assertEquals(2, msgCount(jsm, "WQ"), "unacked messages stay for the next consumer");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD")
    void durableStateSurvivesARestart(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve("restart"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            stream(c, "K", "k.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 1; i <= 6; i++) js.publish("k.x", bytes("m" + i));
            c.jetStreamManagement().addOrUpdateConsumer("K", ConsumerConfiguration.builder().durable("keep")
                    .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(30)).build());
            JetStreamSubscription sub = js.subscribe(null, PullSubscribeOptions.bind("K", "keep"));
            List<Message> got = sub.fetch(4, Duration.ofSeconds(2));
            got.get(0).ackSync(Duration.ofSeconds(2));
            got.get(1).ackSync(Duration.ofSeconds(2));
            got.get(3).ackSync(Duration.ofSeconds(2)); // m3 stays pending
            ConsumerInfo before = consumerInfo(c, "K", "keep");
            assertEquals(2, before.getAckFloor().getStreamSequence());
            assertEquals(1, before.getNumAckPending());
        }
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            ConsumerInfo after = consumerInfo(c, "K", "keep");
            assertEquals(2, after.getAckFloor().getStreamSequence());
            assertEquals(2, after.getAckFloor().getConsumerSequence());
            assertEquals(4, after.getDelivered().getStreamSequence());
            assertEquals(1, after.getNumAckPending());
            assertEquals(2, after.getNumPending());
            assertEquals(Duration.ofSeconds(30), after.getConsumerConfiguration().getAckWait());
            JetStreamSubscription sub = c.jetStream().subscribe(null, PullSubscribeOptions.bind("K", "keep"));
            List<Message> rest = sub.fetch(2, Duration.ofSeconds(2));
            assertEquals(List.of("m5", "m6"), rest.stream().map(TestServer::text).toList());
            assertEquals(5, rest.get(0).metaData().consumerSequence());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = "JNATSD")
    void pendingIsRedeliveredAfterARestart(Impl impl) throws Exception {
        Path store = Files.createDirectories(dir.resolve("redeliver"));
        String conf = "jetstream { store_dir: \"" + store + "\" }";
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            stream(c, "RR", "rr", RetentionPolicy.WorkQueue);
            c.jetStream().publish("rr", bytes("job"));
            c.jetStreamManagement().addOrUpdateConsumer("RR", ConsumerConfiguration.builder().durable("w")
                    .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofMillis(800)).build());
            List<Message> got = c.jetStream().subscribe(null, PullSubscribeOptions.bind("RR", "w")).fetch(1, Duration.ofSeconds(2));
            assertEquals(1, got.size()); // and never acknowledged
        }
        try (TestServer s = TestServer.start(impl, conf); Connection c = Nats.connect(s.url())) {
            JetStreamSubscription sub = c.jetStream().subscribe(null, PullSubscribeOptions.bind("RR", "w"));
            List<Message> again = sub.fetch(1, Duration.ofSeconds(3));
            assertEquals(1, again.size());
            assertEquals(2, again.get(0).metaData().deliveredCount());
            again.get(0).ackSync(Duration.ofSeconds(2));
            await(2000, () -> {
                try {
                    return c.jetStreamManagement().getStreamInfo("RR").getStreamState().getMsgCount() == 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void ephemeralGoesAwayWhenItsSubscriberDoes(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            stream(c, "E", "e.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            JetStreamSubscription sub = js.subscribe("e.>", PushSubscribeOptions.builder()
                    .configuration(ConsumerConfiguration.builder().inactiveThreshold(Duration.ofMillis(300)).build()).build());
            String name = sub.getConsumerInfo().getName();
            assertTrue(sub.getConsumerInfo().isPushBound());
            js.publish("e.x", bytes("hi"));
            assertEquals("hi", text(sub.nextMessage(Duration.ofSeconds(2))));
            sub.unsubscribe();
            await(4000, () -> {
                try {
                    return !jsm.getConsumerNames("E").contains(name);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void deliverPoliciesAndHeadersOnly(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "D", "d.>", RetentionPolicy.Limits);
            JetStream js = c.jetStream();
            for (int i = 1; i <= 6; i++) js.publish("d." + (i % 3), bytes("payload-" + i));
            JetStreamSubscription last = js.subscribe("d.>", PushSubscribeOptions.builder().configuration(
                    ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.LastPerSubject).headersOnly(true).build()).build());
            Set<Long> seqs = new TreeSet<>();
            for (int i = 0; i < 3; i++) {
                Message m = last.nextMessage(Duration.ofSeconds(2));
                assertNotNull(m);
                assertEquals(0, m.getData().length);
                assertEquals("9", m.getHeaders().getFirst("Nats-Msg-Size"));
                seqs.add(m.metaData().streamSequence());
            }
            assertEquals(Set.of(4L, 5L, 6L), seqs);
            assertNull(last.nextMessage(Duration.ofMillis(200)));

            JetStreamSubscription bySeq = js.subscribe("d.1", PushSubscribeOptions.builder().configuration(
                    ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(2).build()).build());
            assertEquals("payload-4", text(bySeq.nextMessage(Duration.ofSeconds(2))));
            JetStreamSubscription fresh = js.subscribe("d.>", PushSubscribeOptions.builder().configuration(
                    ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.New).build()).build());
            assertNull(fresh.nextMessage(Duration.ofMillis(200)));
            js.publish("d.2", bytes("newest"));
            assertEquals("newest", text(fresh.nextMessage(Duration.ofSeconds(2))));
            assertFalse(Collections.emptyList().contains(fresh));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pullStatusOfADeletedConsumer(Impl impl) throws Exception {
        try (TestServer s = startJetStream(impl, dir); Connection c = Nats.connect(s.url())) {
            stream(c, "X", "x.>", RetentionPolicy.Limits);
            c.jetStreamManagement().addOrUpdateConsumer("X", ConsumerConfiguration.builder().durable("gone").build());
            Subscription inbox = c.subscribe("my.inbox");
            c.publish("$JS.API.CONSUMER.MSG.NEXT.X.gone", "my.inbox", bytes("{\"batch\":1,\"expires\":5000000000}"));
            c.flush(Duration.ofSeconds(1));
            await(2000, () -> consumerInfo(c, "X", "gone").getNumWaiting() == 1);
            c.jetStreamManagement().deleteConsumer("X", "gone");
            Message status = inbox.nextMessage(Duration.ofSeconds(2));
            assertNotNull(status);
            assertTrue(status.isStatusMessage());
            assertEquals(409, status.getStatus().getCode());
            assertEquals("Consumer Deleted", status.getStatus().getMessage());

            // the same when the whole stream goes
            c.jetStreamManagement().addOrUpdateConsumer("X", ConsumerConfiguration.builder().durable("other").build());
            c.publish("$JS.API.CONSUMER.MSG.NEXT.X.other", "my.inbox", bytes("{\"batch\":1,\"expires\":5000000000}"));
            c.flush(Duration.ofSeconds(1));
            await(2000, () -> consumerInfo(c, "X", "other").getNumWaiting() == 1);
            c.jetStreamManagement().deleteStream("X");
            Message streamGone = inbox.nextMessage(Duration.ofSeconds(2));
            assertNotNull(streamGone);
            assertEquals(409, streamGone.getStatus().getCode());
            assertEquals("Consumer Deleted", streamGone.getStatus().getMessage());
        }
    }
}
