package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.testing.Impl;
import io.jnatsd.server.testing.ServerPair;
import io.jnatsd.server.testing.TestServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;


/** Core messaging through the official Java client, against jnatsd and upstream alike. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoreMessagingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private ServerPair servers;

    @BeforeAll
    void startServers() throws Exception {
        servers = ServerPair.start("");
    }

    @AfterAll
    void stopServers() throws Exception {
        servers.close();
    }

    private Connection connect(Impl impl) throws Exception {
        return connect(impl, new Options.Builder());
    }

    private Connection connect(Impl impl, Options.Builder b) throws Exception {
        TestServer s = servers.get(impl);
        return Nats.connect(b.server(s.url()).connectionTimeout(WAIT).build());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void publishSubscribe(Impl impl) throws Exception {
        try (Connection sub = connect(impl); Connection pub = connect(impl)) {
            Subscription s = sub.subscribe("greet.one");
            sub.flush(WAIT);
            pub.publish("greet.one", "hello".getBytes(StandardCharsets.UTF_8));
            pub.publish("greet.two", "other".getBytes(StandardCharsets.UTF_8));
            Message m = s.nextMessage(WAIT);
            assertNotNull(m);
            assertEquals("greet.one", m.getSubject());
            assertEquals("hello", new String(m.getData(), StandardCharsets.UTF_8));
            pub.flush(WAIT);
            assertNull(s.nextMessage(Duration.ofMillis(200)), "greet.two must not arrive");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void wildcards(Impl impl) throws Exception {
        try (Connection c = connect(impl)) {
            Subscription star = c.subscribe("orders.*.created");
            Subscription gt = c.subscribe("orders.>");
            c.flush(WAIT);
            c.publish("orders.eu.created", new byte[] {1});
            c.publish("orders.eu.shipped.late", new byte[] {2});
            c.publish("orders", new byte[] {3});
            c.flush(WAIT);
            assertEquals("orders.eu.created", star.nextMessage(WAIT).getSubject());
            assertNull(star.nextMessage(Duration.ofMillis(200)));
            assertEquals("orders.eu.created", gt.nextMessage(WAIT).getSubject());
            assertEquals("orders.eu.shipped.late", gt.nextMessage(WAIT).getSubject());
            assertNull(gt.nextMessage(Duration.ofMillis(200)), "'>' needs at least one token");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void queueGroupDeliversEachMessageToExactlyOneMemberAndSpreadsLoad(Impl impl) throws Exception {
        int members = 3;
        int messages = 3000;
        List<Connection> conns = new ArrayList<>();
        Map<Integer, AtomicInteger> perMember = new ConcurrentHashMap<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger plain = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(messages);
        try {
            for (int i = 0; i < members; i++) {
                Connection c = connect(impl);
                conns.add(c);
                int id = i;
                perMember.put(id, new AtomicInteger());
                Dispatcher d = c.createDispatcher(m -> {
                    perMember.get(id).incrementAndGet();
                    if (!seen.add(new String(m.getData(), StandardCharsets.UTF_8))) duplicates.incrementAndGet();
                    all.countDown();
                });
                d.subscribe("work", "workers");
                c.flush(WAIT);
            }
            Connection observer = connect(impl);
            conns.add(observer);
            observer.createDispatcher(m -> plain.incrementAndGet()).subscribe("work");
            observer.flush(WAIT);
            Connection pub = connect(impl);
            conns.add(pub);
            for (int i = 0; i < messages; i++) pub.publish("work", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
            pub.flush(WAIT);
            assertTrue(all.await(10, TimeUnit.SECONDS), "every message reached the group");
            observer.flush(WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (plain.get() < messages && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(0, duplicates.get());
            assertEquals(messages, seen.size());
            assertEquals(messages, plain.get(), "a plain subscriber still gets every message");
            for (AtomicInteger n : perMember.values()) {
                assertTrue(n.get() > messages / members / 3, "load is spread: " + perMember);
            }
        } finally {
            for (Connection c : conns) c.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void requestReply(Impl impl) throws Exception {
        try (Connection service = connect(impl); Connection client = connect(impl)) {
            Dispatcher d = service.createDispatcher(m -> service.publish(m.getReplyTo(),
                    ("re:" + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            d.subscribe("svc.echo");
            service.flush(WAIT);
            for (int i = 0; i < 20; i++) {
                Message reply = client.request("svc.echo", ("q" + i).getBytes(StandardCharsets.UTF_8), WAIT);
                assertNotNull(reply);
                assertEquals("re:q" + i, new String(reply.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void requestWithNoRespondersFailsAtOnce(Impl impl) throws Exception {
        try (Connection c = connect(impl)) {
            CompletableFuture<Message> f = c.request("nobody.home", new byte[0]);
            long start = System.nanoTime();
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.get(5, TimeUnit.SECONDS));
            assertFalse(e instanceof java.util.concurrent.TimeoutException, "a 503 answers at once, not a timeout");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "answered immediately");
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void headersArriveIntactAndAreStrippedForClientsWithoutHeaderSupport(Impl impl) throws Exception {
        try (Connection c = connect(impl)) {
            Subscription s = c.subscribe("with.headers");
            c.flush(WAIT);
            Headers h = new Headers().add("X-Trace", "abc").add("X-Multi", "1", "2");
            c.publish(NatsMessage.builder().subject("with.headers").headers(h)
                    .data("body".getBytes(StandardCharsets.UTF_8)).build());
            Message m = s.nextMessage(WAIT);
            assertEquals("abc", m.getHeaders().getFirst("X-Trace"));
            assertEquals(List.of("1", "2"), m.getHeaders().get("X-Multi"));
            assertEquals("body", new String(m.getData(), StandardCharsets.UTF_8));
        }
        TestServer server = servers.get(impl);
        try (var raw = server.raw(); Connection c = connect(impl)) {
            raw.connect("\"headers\":false").send("SUB plain.sub 7\r\n");
            raw.untilPong();
            Headers h = new Headers().add("X-Trace", "abc");
            c.publish(NatsMessage.builder().subject("plain.sub").headers(h)
                    .data("body".getBytes(StandardCharsets.UTF_8)).build());
            c.flush(WAIT);
            assertEquals("MSG plain.sub 7 4", raw.readLine());
            assertEquals("body", raw.readLine());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void autoUnsubscribeAfterMax(Impl impl) throws Exception {
        try (Connection c = connect(impl)) {
            Subscription s = c.subscribe("limited");
            s.unsubscribe(3);
            c.flush(WAIT);
            for (int i = 0; i < 10; i++) c.publish("limited", new byte[] {(byte) i});
            c.flush(WAIT);
            for (int i = 0; i < 3; i++) assertArrayEquals(new byte[] {(byte) i}, s.nextMessage(WAIT).getData());
            assertFalse(s.isActive());
        }
        try (var raw = servers.get(impl).raw()) {
            raw.connect("").send("SUB limited 1\r\nUNSUB 1 2\r\n");
            for (int i = 0; i < 5; i++) raw.send("PUB limited 1\r\n" + i + "\r\n");
            assertEquals("MSG limited 1 1\n0\nMSG limited 1 1\n1", raw.untilPong());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void echoOffSuppressesOwnMessages(Impl impl) throws Exception {
        try (Connection noEcho = connect(impl, new Options.Builder().noEcho()); Connection other = connect(impl)) {
            Subscription mine = noEcho.subscribe("echo.test");
            noEcho.flush(WAIT);
            noEcho.publish("echo.test", "self".getBytes(StandardCharsets.UTF_8));
            noEcho.flush(WAIT);
            other.publish("echo.test", "other".getBytes(StandardCharsets.UTF_8));
            other.flush(WAIT);
            assertEquals("other", new String(mine.nextMessage(WAIT).getData(), StandardCharsets.UTF_8));
            assertNull(mine.nextMessage(Duration.ofMillis(200)));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void manySubscriptionsOnOneConnection(Impl impl) throws Exception {
        int n = 5000;
        try (Connection c = connect(impl)) {
            AtomicInteger got = new AtomicInteger();
            Set<String> subjects = ConcurrentHashMap.newKeySet();
            Dispatcher d = c.createDispatcher(m -> {
                subjects.add(m.getSubject());
                got.incrementAndGet();
            });
            for (int i = 0; i < n; i++) d.subscribe("many." + i);
            c.flush(WAIT);
            for (int i = 0; i < n; i++) c.publish("many." + i, new byte[0]);
            c.flush(WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (got.get() < n && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(n, got.get());
            assertEquals(n, subjects.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void largePayloadsUpToMaxPayload(Impl impl) throws Exception {
        try (Connection c = connect(impl)) {
            Subscription s = c.subscribe("big");
            c.flush(WAIT);
            byte[] payload = new byte[(int) c.getMaxPayload()];
            new java.util.Random(1).nextBytes(payload);
            c.publish("big", payload);
            assertArrayEquals(payload, s.nextMessage(WAIT).getData());
        }
    }

}
