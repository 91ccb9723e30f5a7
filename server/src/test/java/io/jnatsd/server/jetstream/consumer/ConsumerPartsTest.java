package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.AckSubject;
import io.jnatsd.server.jetstream.common.StatusHeaders;
import io.jnatsd.server.jetstream.stream.StreamConfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The consumer's self-contained parts, without a server. */
class ConsumerPartsTest {

    @Test
    void ackSubjectsBothForms() {
        String v1 = AckSubject.format("ORDERS", "dur", 2, 17, 5, 1795740428109007130L, 3);
        assertEquals("$JS.ACK.ORDERS.dur.2.17.5.1795740428109007130.3", v1);
        assertEquals(new AckSubject("ORDERS", "dur", 2, 17, 5, 1795740428109007130L, 3), AckSubject.parse(v1));
        assertEquals(new AckSubject("S", "C", 1, 9, 4, 123, 0), AckSubject.parse("$JS.ACK.dom.HASH.S.C.1.9.4.123.0.xyz"));
        assertNull(AckSubject.parse("$JS.ACK.S.C.1.9"));
        assertNull(AckSubject.parse("$JS.ACK.S.C.x.9.4.1.0"));
        assertNull(AckSubject.parse("foo"));
    }

    @Test
    void pullRequestBodies() {
        assertEquals(new PullRequests.Parsed(1, 0, 0, false, 0, null, null), PullRequests.parse(new byte[0]));
        assertEquals(new PullRequests.Parsed(7, 0, 0, false, 0, null, null), PullRequests.parse(bytes(" 7 ")));
        assertEquals(new PullRequests.Parsed(5, 2_000_000_000L, 100, true, 500_000_000L,
                new PullRequests.Group("", 0, 0, "", 0), null), PullRequests.parse(
                bytes("{\"batch\":5,\"expires\":2000000000,\"max_bytes\":100,\"no_wait\":true,\"idle_heartbeat\":500000000}")));
        assertEquals(new PullRequests.Group("g", 3, 4, "pin", 7), PullRequests.parse(
                bytes("{\"group\":\"g\",\"min_pending\":3,\"min_ack_pending\":4,\"id\":\"pin\",\"priority\":7}")).group());
        assertEquals("Bad Request - heartbeat value too large",
                PullRequests.parse(bytes("{\"expires\":1000,\"idle_heartbeat\":600}")).error());
        assertTrue(PullRequests.parse(bytes("{bad")).error().startsWith("Bad Request - "));
        ConsumerConfig cfg = new ConsumerConfig();
        cfg.maxBatch = 10;
        cfg.maxExpires = 1_000_000_000L;
        assertEquals("409 Exceeded MaxRequestBatch of 10", PullRequests.overLimits(PullRequests.parse(bytes("11")), cfg));
        assertEquals("409 Exceeded MaxRequestExpires of 1s",
                PullRequests.overLimits(PullRequests.parse(bytes("{\"expires\":2000000000}")), cfg));
    }

    private static final java.util.function.Function<PullRequests.Request, PriorityGroups.Verdict> SERVE =
            r -> PriorityGroups.Verdict.SERVE;

    @Test
    void prioritizedRequestsAreServedByLevelThenRoundRobinWithinIt() {
        PullRequests q = new PullRequests(10, 0);
        q.add(new PullRequests.Request("plain", PullRequests.parse(bytes("1")), 0), 0, true);
        q.add(new PullRequests.Request("p5", PullRequests.parse(bytes("{\"batch\":1,\"priority\":5}")), 0), 0, true);
        q.add(new PullRequests.Request("p1a", PullRequests.parse(bytes("{\"batch\":2,\"priority\":1}")), 0), 0, true);
        q.add(new PullRequests.Request("p1b", PullRequests.parse(bytes("{\"batch\":2,\"priority\":1}")), 0), 0, true);
        q.add(new PullRequests.Request("p0", PullRequests.parse(bytes("{\"batch\":1}")), 0), 0, true);
        PullRequests.Replies none = new PullRequests.Replies() {
            @Override
            public void status(String reply, String status, long msgs, long bytes) {}

            @Override
            public void heartbeat(String reply) {}
        };
        List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) order.add(q.take(1, 1, s -> true, none, SERVE, true).reply);
        assertEquals(List.of("p0", "p1a", "p1b", "p1a", "p1b", "p5", "plain"), order);
        assertTrue(q.isEmpty());
    }

    @Test
    void requestsAreServedRoundRobinAndExpire() {
        PullRequests q = new PullRequests(2, 0);
        q.add(new PullRequests.Request("a", PullRequests.parse(bytes("2")), 0), 0, false);
        q.add(new PullRequests.Request("b", PullRequests.parse(bytes("{\"batch\":1,\"max_bytes\":10}")), 0), 0, false);
        assertFalse(q.add(new PullRequests.Request("c", PullRequests.parse(new byte[0]), 0), 0, false), "max_waiting");
        List<String> sent = new ArrayList<>();
        PullRequests.Replies replies = new PullRequests.Replies() {
            @Override
            public void status(String reply, String status, long msgs, long bytes) {
                sent.add(reply + " " + status + " " + msgs + " " + bytes);
            }

            @Override
            public void heartbeat(String reply) {
                sent.add(reply + " heartbeat");
            }
        };
        assertEquals("a", q.take(5, 1, s -> true, replies, SERVE, false).reply);
        assertEquals("a", q.take(50, 1, s -> true, replies, SERVE, false).reply, "b cannot fit 50 bytes and goes; a is next");
        assertEquals(List.of("b 409 Message Size Exceeds MaxBytes 1 10"), sent);
        assertTrue(q.isEmpty(), "a got its two");
        q.add(new PullRequests.Request("d", PullRequests.parse(bytes("{\"batch\":3,\"no_wait\":true}")), 0), 0, false);
        q.take(5, 1, s -> true, replies, SERVE, false);
        long[] next = new long[1];
        assertEquals(0, q.expire(true, 2, s -> true, replies, next), "no_wait at the end of the stream");
        assertEquals("d 408 Request Timeout 2 0", sent.get(1));
    }

    @Test
    void ackFloorFollowsTheOldestPending() {
        AckTracker t = new AckTracker();
        for (long s = 1; s <= 4; s++) t.track(s * 10, s, 0); // stream seqs 10..40, consumer seqs 1..4
        t.ackExplicit(20, 2, 5, 41);
        assertEquals(0, t.floorConsumer, "1 is still pending");
        t.ackExplicit(10, 1, 5, 41);
        assertEquals(2, t.floorConsumer);
        assertEquals(29, t.floorStream, "up to just below the next pending (30)");
        t.ackExplicit(40, 4, 5, 41);
        t.ackExplicit(30, 3, 5, 41);
        assertEquals(4, t.floorConsumer);
        assertEquals(40, t.floorStream);
        assertEquals(0, t.pendingCount());
    }

    @Test
    void ackAllAndRedeliveryDeadlines() {
        AckTracker t = new AckTracker();
        for (long s = 1; s <= 3; s++) t.track(s, s, 0);
        assertEquals(1, t.ackAll(2, 2));
        assertEquals(0, t.ackAll(1, 1), "below the floor");
        assertEquals(1, t.pendingCount());
        long[] next = new long[1];
        assertEquals(List.of(), t.expire(50, 100, null, 1, next));
        assertEquals(50, next[0]);
        assertEquals(List.of(3L), t.expire(100, 100, null, 1, next));
        assertEquals(3, t.nextRedelivery());
        assertEquals(2, t.deliveries(3));
        // with backoff, the second redelivery waits for the second value
        t.track(3, 4, 100);
        assertEquals(List.of(), t.expire(300, 100, List.of(100L, 500L), 1, next));
        assertEquals(List.of(3L), t.expire(600, 100, List.of(100L, 500L), 1, next));
        assertEquals(Set.of(), Set.copyOf(t.expire(600, 100, null, 4, next)), "below the first sequence: forgotten");
        assertEquals(0, t.pendingCount());
    }

    @Test
    void statusHeaders() {
        assertEquals("NATS/1.0 404 No Messages\r\n\r\n", text(StatusHeaders.status("404 No Messages")));
        assertEquals("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 3\r\nNats-Pending-Bytes: 0\r\n\r\n",
                text(StatusHeaders.status("408 Request Timeout", 3, 0)));
        assertEquals("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 2\r\nNats-Last-Stream: 9\r\n"
                + "Nats-Consumer-Stalled: $JS.FC.S.C.abcd\r\n\r\n", text(StatusHeaders.heartbeat(2, 9, "$JS.FC.S.C.abcd")));
        assertArrayEquals(bytes("NATS/1.0\r\nNats-Msg-Size: 5\r\n\r\n"), StatusHeaders.headersOnly(null, 5));
        assertArrayEquals(bytes("NATS/1.0\r\nA: b\r\nNats-Msg-Size: 0\r\n\r\n"),
                StatusHeaders.headersOnly(bytes("NATS/1.0\r\nA: b\r\n\r\n"), 0));
    }

    @Test
    void flowControlWindow() {
        FlowControl fc = new FlowControl();
        assertFalse(fc.delivered(1024 * 1024));
        assertTrue(fc.delivered(1), "past half of the 2 MB window");
        String subject = fc.request("S", "C");
        assertTrue(subject.matches("\\$JS\\.FC\\.S\\.C\\.\\w{4}"));
        assertFalse(fc.delivered(1024 * 1024));
        assertTrue(fc.stalled());
        assertFalse(fc.answered("$JS.FC.S.C.zzzz"));
        assertTrue(fc.answered(subject));
        assertFalse(fc.stalled());
    }

    @Test
    void configDefaultsAndChecks() {
        StreamConfig stream = new StreamConfig();
        stream.name = "S";
        stream.subjects = List.of("s.>");
        ConsumerConfig c = new ConsumerConfig();
        c.ackPolicy = "explicit";
        ConsumerConfigs.applyDefaults(c);
        assertEquals(30_000_000_000L, c.ackWait);
        assertEquals(1000, c.maxAckPending);
        assertEquals(512, c.maxWaiting);
        assertEquals(-1, c.maxDeliver);
        assertNull(ConsumerConfigs.check(c, stream, stream.subjects));
        c.filterSubject = "t.x";
        assertEquals(10093, ConsumerConfigs.check(c, stream, stream.subjects).errCode());
        c.filterSubject = ">";
        assertNull(ConsumerConfigs.check(c, stream, stream.subjects), "a wider wildcard over the stream's subjects");
        ConsumerConfig push = new ConsumerConfig();
        push.deliverSubject = "s.deliver";
        assertEquals(10081, ConsumerConfigs.check(push, stream, stream.subjects).errCode(), "a cycle");
        push.deliverSubject = "d";
        push.flowControl = true;
        assertEquals(10108, ConsumerConfigs.check(push, stream, stream.subjects).errCode());
        assertEquals("deliver policy can not be updated", ConsumerConfigs.checkUpdate(c, withPolicy("new"), false));
    }

    private static ConsumerConfig withPolicy(String p) {
        ConsumerConfig c = new ConsumerConfig();
        c.ackPolicy = "explicit";
        c.deliverPolicy = p;
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
