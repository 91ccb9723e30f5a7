package io.jnatsd.server.jetstream.stream;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * A six-field cron pattern ({@code second minute hour day-of-month month day-of-week}) as
 * upstream's message schedules read it: each field a comma-separated list of {@code *}/{@code ?},
 * numbers or names ({@code jan}, {@code sun}), ranges {@code a-b} and steps {@code /n}; when
 * either day field is a star both must match, otherwise either. The next time is searched field
 * by field from the next whole second, at most five years ahead.
 */
final class CronSchedule {
    private static final long STAR = 1L << 63;
    private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2), Map.entry("mar", 3),
            Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7), Map.entry("aug", 8),
            Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
    private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4, "fri", 5, "sat", 6);

    private final long second;
    private final long minute;
    private final long hour;
    private final long dayOfMonth;
    private final long month;
    private final long dayOfWeek;

    private CronSchedule(long[] f) {
        second = f[0];
        minute = f[1];
        hour = f[2];
        dayOfMonth = f[3];
        month = f[4];
        dayOfWeek = f[5];
    }

    /** The pattern, or null when it is not a valid one. */
    static CronSchedule parse(String pattern) {
        String[] fields = pattern.trim().split("\\s+");
        if (fields.length != 6 || fields[0].isEmpty()) return null;
        int[][] bounds = {{0, 59}, {0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}};
        long[] bits = new long[6];
        for (int i = 0; i < 6; i++) {
            Map<String, Integer> names = i == 4 ? MONTHS : i == 5 ? DAYS : null;
            Long b = field(fields[i], bounds[i][0], bounds[i][1], names);
            if (b == null) return null;
            bits[i] = b;
        }
        return new CronSchedule(bits);
    }

    private static Long field(String field, int min, int max, Map<String, Integer> names) {
        long bits = 0;
        for (String expr : field.split(",")) {
            if (expr.isEmpty()) continue; // as Go's FieldsFunc, empty parts are skipped
            Long b = range(expr, min, max, names);
            if (b == null) return null;
            bits |= b;
        }
        return bits;
    }

    private static Long range(String expr, int min, int max, Map<String, Integer> names) {
        String[] rangeAndStep = expr.split("/", -1);
        String[] lowAndHigh = rangeAndStep[0].split("-", -1);
        boolean single = lowAndHigh.length == 1;
        long extra = 0;
        int start;
        int end;
        if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
            start = min;
            end = max;
            extra = STAR;
        } else {
            Integer s = number(lowAndHigh[0], names);
            if (s == null) return null;
            start = s;
            if (lowAndHigh.length == 1) {
                end = start;
            } else if (lowAndHigh.length == 2) {
                Integer e = number(lowAndHigh[1], names);
                if (e == null) return null;
                end = e;
            } else {
                return null;
            }
        }
        int step;
        if (rangeAndStep.length == 1) {
            step = 1;
        } else if (rangeAndStep.length == 2) {
            Integer st = number(rangeAndStep[1], null);
            if (st == null) return null;
            step = st;
            if (single) end = max; // "n/step" means from n to the end
            if (step > 1) extra = 0;
        } else {
            return null;
        }
        if (start < min || end > max || start > end || step == 0) return null;
        long bits = 0;
        for (int i = start; i <= end; i += step) bits |= 1L << i;
        return bits | extra;
    }

    private static Integer number(String s, Map<String, Integer> names) {
        if (names != null) {
            Integer named = names.get(s.toLowerCase(Locale.ROOT));
            if (named != null) return named;
        }
        if (s.isEmpty()) return null;
        int i = s.charAt(0) == '+' || s.charAt(0) == '-' ? 1 : 0;
        if (i == s.length()) return null;
        for (int j = i; j < s.length(); j++) if (s.charAt(j) < '0' || s.charAt(j) > '9') return null;
        try {
            int n = Integer.parseInt(s);
            return n < 0 ? null : n;
        } catch (NumberFormatException tooBig) {
            return null;
        }
    }

    /** The first time after {@code afterNanos} (from the next whole second) the pattern matches in {@code zone}; null past five years. */
    ZonedDateTime next(long afterNanos, ZoneId zone) {
        ZonedDateTime t = ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(Math.floorDiv(afterNanos, 1_000_000_000L),
                Math.floorMod(afterNanos, 1_000_000_000L)), zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        boolean truncated = false;
        int yearLimit = t.getYear() + 5;
        wrap:
        while (true) {
            if (t.getYear() > yearLimit) return null;
            while ((1L << t.getMonthValue() & month) == 0) {
                if (!truncated) {
                    truncated = true;
                    t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
                }
                t = t.plusMonths(1);
                if (t.getMonthValue() == 1) continue wrap;
            }
            while (!dayMatches(t)) {
                if (!truncated) {
                    truncated = true;
                    t = t.truncatedTo(ChronoUnit.DAYS);
                }
                t = t.plusDays(1);
                if (t.getDayOfMonth() == 1) continue wrap;
            }
            while ((1L << t.getHour() & hour) == 0) {
                if (!truncated) {
                    truncated = true;
                    t = t.truncatedTo(ChronoUnit.HOURS);
                }
                t = t.plusHours(1);
                if (t.getHour() == 0) continue wrap;
            }
            while ((1L << t.getMinute() & minute) == 0) {
                if (!truncated) {
                    truncated = true;
                    t = t.truncatedTo(ChronoUnit.MINUTES);
                }
                t = t.plusMinutes(1);
                if (t.getMinute() == 0) continue wrap;
            }
            while ((1L << t.getSecond() & second) == 0) {
                if (!truncated) {
                    truncated = true;
                    t = t.truncatedTo(ChronoUnit.SECONDS);
                }
                t = t.plusSeconds(1);
                if (t.getSecond() == 0) continue wrap;
            }
            return t;
        }
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = (1L << t.getDayOfMonth() & dayOfMonth) != 0;
        boolean dow = (1L << (t.getDayOfWeek().getValue() % 7) & dayOfWeek) != 0;
        if ((dayOfMonth & STAR) != 0 || (dayOfWeek & STAR) != 0) return dom && dow;
        return dom || dow;
    }
}
