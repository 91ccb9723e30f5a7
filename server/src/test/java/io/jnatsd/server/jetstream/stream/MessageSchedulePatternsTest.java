package io.jnatsd.server.jetstream.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Schedule patterns as upstream's cron and parseMsgSchedule read them: next fire times and what is refused. */
class MessageSchedulePatternsTest {
    private static long nanos(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static String next(String cron, String zone, String after) {
        var t = CronSchedule.parse(cron).next(nanos(after), zone == null ? ZoneOffset.UTC : ZoneId.of(zone));
        return MessageSchedules.rfc3339Nano(t);
    }

    @Test
    void cronFindsTheNextMatchingSecond() {
        // Saturday noon: the next weekday 09:30 in Amsterdam is Monday, written with its offset
        assertEquals("2026-12-07T09:30:00+01:00", next("0 30 9 * * mon-fri", "Europe/Amsterdam", "2026-12-05T12:00:00Z"));
        assertEquals("2026-12-07T10:00:15Z", next("*/15 * * * * *", null, "2026-12-07T10:00:07Z"));
        assertEquals("2026-12-07T10:00:08Z", next("* * * * * *", null, "2026-12-07T10:00:07.500Z"));
        assertEquals("2027-01-01T00:00:00Z", next("0 0 0 1 1 *", null, "2026-12-07T10:00:00Z"));
        // both day fields restricted: either matches; with a star in one, both must
        assertEquals("2026-12-11T00:00:00Z", next("0 0 0 13 * fri", null, "2026-12-07T10:00:00Z"));
        assertEquals("2026-12-11T00:00:00Z", next("0 0 0 ? * FRI", null, "2026-12-07T10:00:00Z"));
        assertEquals("2026-12-13T00:00:00Z", next("0 0 0 13 * *", null, "2026-12-07T10:00:00Z"));
        assertEquals("2027-02-28T00:00:00Z", next("0 0 0 28 feb *", null, "2026-12-07T10:00:00Z"));
        assertEquals("2026-12-07T12:05:00Z", next("0 5-10/5 12,13 * * *", null, "2026-12-07T10:00:00Z"));
    }

    @Test
    void invalidCronPatternsAreRefused() {
        for (String bad : new String[] {"* * * * *", "0 0 0 32 * *", "60 * * * * *", "a b c d e f", "0 0 0 1-2-3 * *",
                "0 0 0 5-1 * *", "0/0 * * * * *", "0 0 0 * * 7", "1/2/3 * * * * *", "-1 * * * * *", ""}) {
            assertNull(CronSchedule.parse(bad), bad);
        }
        // a date that never comes within five years
        assertNull(CronSchedule.parse("0 0 0 31 feb *").next(nanos("2026-12-07T10:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void atAndEveryAsUpstreamReadsThem() {
        MessageSchedules.Fire at = MessageSchedules.parse("@at 2030-01-02T03:04:05Z", null, 0);
        assertEquals(nanos("2030-01-02T03:04:05Z"), at.atNanos());
        assertFalse(at.repeats());
        assertNull(MessageSchedules.parse("@at 2030-01-02T03:04:05Z", ZoneId.of("Europe/Amsterdam"), 0));
        assertNull(MessageSchedules.parse("@at 2030-01-02", null, 0));
        long now = System.currentTimeMillis() * 1_000_000L;
        MessageSchedules.Fire every = MessageSchedules.parse("@every 90s", null, now);
        assertTrue(every.repeats());
        long delta = every.atNanos() - now;
        assertTrue(delta > 89_000_000_000L && delta <= 90_500_000_000L, Long.toString(delta));
        assertNull(MessageSchedules.parse("@every 999ms", null, now));
        assertNull(MessageSchedules.parse("@every soon", null, now));
        assertTrue(MessageSchedules.parse("@daily", null, now).repeats());
    }
}
