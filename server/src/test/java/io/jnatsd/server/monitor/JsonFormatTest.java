package io.jnatsd.server.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The texts Go writes and jnatsd must write the same way. */
class JsonFormatTest {
    @Test
    void indentsAsGoMarshalIndent() {
        Map<String, Object> o = Json.object();
        o.put("a", 1);
        o.put("b", List.of("x", "y"));
        o.put("c", Json.object());
        o.put("d", List.of());
        o.put("e", 2.0);
        o.put("f", 0.25);
        o.put("g", null);
        Map<String, Object> inner = Json.object();
        inner.put("k", true);
        o.put("h", inner);
        String expected = """
                {
                  "a": 1,
                  "b": [
                    "x",
                    "y"
                  ],
                  "c": {},
                  "d": [],
                  "e": 2,
                  "f": 0.25,
                  "g": null,
                  "h": {
                    "k": true
                  }
                }""";
        assertEquals(expected, new String(Json.indented(o), StandardCharsets.UTF_8));
        assertEquals("{\"status\":\"ok\"}", new String(Json.compact(Map.of("status", "ok")), StandardCharsets.UTF_8));
    }

    @Test
    void floatsAsGoWritesThem() {
        assertEquals("[0,2,1.5,0.00001,0.7142857142857143,84.6]", new String(Json.compact(
                new ArrayList<>(List.of(0.0, 2.0, 1.5, 0.00001, 5 / 7.0, 84.6))), StandardCharsets.UTF_8));
    }

    @Test
    void timesInRfc3339WithTrimmedNanoseconds() {
        assertEquals("2026-11-27T00:03:54.18387697Z", Json.time(Instant.parse("2026-11-27T00:03:54.183876970Z")));
        assertEquals("2026-01-02T03:04:05Z", Json.time(Instant.parse("2026-01-02T03:04:05Z")));
        assertEquals("2026-01-02T03:04:05.5Z", Json.time(Instant.parse("2026-01-02T03:04:05.500Z")));
        assertEquals("2026-01-02T03:04:05.000000001Z", Json.time(Instant.parse("2026-01-02T03:04:05.000000001Z")));
    }

    @Test
    void uptimeAsUpstreamWritesIt() {
        long s = 1_000_000_000L;
        assertEquals("0s", GoFormat.uptime(0));
        assertEquals("59s", GoFormat.uptime(59 * s + 999_999_999L));
        assertEquals("1m2s", GoFormat.uptime(62 * s));
        assertEquals("3h0m7s", GoFormat.uptime((3 * 3600 + 7) * s));
        assertEquals("2d1h0m0s", GoFormat.uptime((2 * 86400 + 3600) * s));
        assertEquals("1y0d0h0m1s", GoFormat.uptime((365 * 86400 + 1) * s));
    }

    @Test
    void rttAsGoDurationsWithMicrosecondsBelowAMillisecond() {
        assertEquals("0s", GoFormat.rtt(0));
        assertEquals("999ns", GoFormat.rtt(999));
        assertEquals("681µs", GoFormat.rtt(681_456));
        assertEquals("1.871772ms", GoFormat.rtt(1_871_772));
        assertEquals("1.5s", GoFormat.rtt(1_500_000_000L));
    }

    @Test
    void basePathIsCleanedAsGoPathClean() {
        assertEquals("/", MonitorServer.normalizeBasePath(null));
        assertEquals("/", MonitorServer.normalizeBasePath(""));
        assertEquals("/", MonitorServer.normalizeBasePath("/"));
        assertEquals("/nats", MonitorServer.normalizeBasePath("nats"));
        assertEquals("/nats", MonitorServer.normalizeBasePath("/nats/"));
        assertEquals("/a/c", MonitorServer.normalizeBasePath("//a/./b/../c/"));
    }

    @Test
    void closedRingKeepsTheNewest() {
        ClosedConnections ring = new ClosedConnections(3);
        for (long cid = 1; cid <= 5; cid++) ring.add(closed(cid));
        assertEquals(List.of(3L, 4L, 5L), ring.list().stream().map(ConnInfo::cid).toList());
        assertEquals(5, ring.total());
        ClosedConnections none = new ClosedConnections(-1);
        none.add(closed(1));
        assertEquals(List.of(), none.list());
        assertEquals(ClosedConnections.DEFAULT_MAX, new ClosedConnections(0).list().size() + ClosedConnections.DEFAULT_MAX);
    }

    private static ConnInfo closed(long cid) {
        Instant t = Instant.EPOCH;
        return new ConnInfo(cid, "127.0.0.1", 1, t, t, t, "Client Closed", 0, 0, 0, 0, 0, 0, 0, 0, 0,
                null, null, null, null, "$G", List.of(), null, "nats", null);
    }
}
