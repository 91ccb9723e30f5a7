package io.jnatsd.conf;

import java.time.Duration;

/**
 * Go's duration strings ({@code time.ParseDuration} / {@code Duration.String}), as used by upstream configuration:
 * a possibly signed sequence of decimal numbers, each with an optional fraction and a unit
 * ({@code ns}, {@code us}, {@code µs}, {@code μs}, {@code ms}, {@code s}, {@code m}, {@code h}),
 * such as {@code 300ms}, {@code -1.5h} or {@code 2h45m}. The range is Go's: ±292 years.
 */
public final class GoDuration {
    private static final long MAX_ABS = Long.MIN_VALUE; // 1<<63, used as an unsigned bound

    private GoDuration() {
    }

    /**
     * Parses a Go duration string.
     *
     * @throws IllegalArgumentException with Go's message ({@code time: invalid duration "x"},
     *                                  {@code time: missing unit in duration "1"}, {@code time: unknown unit "x" in duration "2x"})
     */
    public static Duration parse(String s) {
        return Duration.ofNanos(parseNanos(s));
    }

    /** As {@link #parse(String)}, in nanoseconds. */
    public static long parseNanos(String s) {
        if (s == null) throw new IllegalArgumentException("time: invalid duration \"\"");
        final String orig = s;
        boolean neg = false;
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) return 0;
        if (i == n) throw invalid(orig);
        long d = 0; // unsigned accumulation, at most 1<<63
        while (i < n) {
            char c = s.charAt(i);
            if (!(c == '.' || isDigit(c))) throw invalid(orig);
            // integer part
            int from = i;
            long v = 0;
            while (i < n && isDigit(s.charAt(i))) {
                if (Long.compareUnsigned(v, (Long.MAX_VALUE) / 10) > 0) throw invalid(orig);
                v = v * 10 + (s.charAt(i) - '0');
                if (Long.compareUnsigned(v, MAX_ABS) > 0) throw invalid(orig);
                i++;
            }
            boolean pre = i != from;
            // fraction
            long f = 0;
            double scale = 1;
            boolean post = false;
            if (i < n && s.charAt(i) == '.') {
                i++;
                int fracFrom = i;
                boolean overflow = false;
                while (i < n && isDigit(s.charAt(i))) {
                    if (!overflow) {
                        if (f > (Long.MAX_VALUE) / 10) {
                            overflow = true;
                        } else {
                            long y = f * 10 + (s.charAt(i) - '0');
                            if (y < 0) {
                                overflow = true;
                            } else {
                                f = y;
                                scale *= 10;
                            }
                        }
                    }
                    i++;
                }
                post = i != fracFrom;
            }
            if (!pre && !post) throw invalid(orig);
            // unit
            int unitFrom = i;
            while (i < n && s.charAt(i) != '.' && !isDigit(s.charAt(i))) i++;
            if (unitFrom == i) {
                throw new IllegalArgumentException("time: missing unit in duration \"" + orig + "\"");
            }
            String u = s.substring(unitFrom, i);
            long unit = unitNanos(u);
            if (unit == 0) {
                throw new IllegalArgumentException("time: unknown unit \"" + u + "\" in duration \"" + orig + "\"");
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(MAX_ABS, unit)) > 0) throw invalid(orig);
            v *= unit;
            if (f > 0) {
                v += (long) ((double) f * ((double) unit / scale));
                if (Long.compareUnsigned(v, MAX_ABS) > 0) throw invalid(orig);
            }
            d += v;
            if (Long.compareUnsigned(d, MAX_ABS) > 0) throw invalid(orig);
        }
        if (neg) return -d; // -(1<<63) is Long.MIN_VALUE
        if (Long.compareUnsigned(d, Long.MAX_VALUE) > 0) throw invalid(orig);
        return d;
    }

    private static long unitNanos(String u) {
        return switch (u) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60L * 1_000_000_000L;
            case "h" -> 3600L * 1_000_000_000L;
            default -> 0L;
        };
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String orig) {
        return new IllegalArgumentException("time: invalid duration \"" + orig + "\"");
    }

    /**
     * Formats like Go's {@code Duration.String()}: {@code 1h2m3.5s}, {@code 2m0s}, {@code 500ms}, {@code 1.5µs}, {@code 0s}.
     * Durations beyond Go's range are clamped.
     */
    public static String format(Duration duration) {
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            nanos = duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return format(nanos);
    }

    /** As {@link #format(Duration)}, from nanoseconds. */
    public static String format(long nanos) {
        if (nanos == 0) return "0s";
        boolean neg = nanos < 0;
        // work with the unsigned magnitude so that Long.MIN_VALUE works
        long u = neg ? -nanos : nanos;
        StringBuilder sb = new StringBuilder();
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            // less than a second: use ns, µs or ms with a fraction
            String unit;
            int prec;
            if (u < 1_000L) {
                return (neg ? "-" : "") + u + "ns";
            } else if (u < 1_000_000L) {
                unit = "\u00b5s";
                prec = 3;
            } else {
                unit = "ms";
                prec = 6;
            }
            sb.append(fraction(u, prec)).append(unit);
        } else {
            long seconds = Long.divideUnsigned(u, 1_000_000_000L);
            long frac = Long.remainderUnsigned(u, 1_000_000_000L);
            String fs = frac == 0 ? "" : "." + stripZeros(String.format("%09d", frac));
            long secs = seconds % 60;
            long mins = seconds / 60;
            if (mins > 0) {
                long hours = mins / 60;
                mins %= 60;
                if (hours > 0) sb.append(hours).append('h');
                sb.append(mins).append('m');
            }
            sb.append(secs).append(fs).append('s');
        }
        return (neg ? "-" : "") + sb;
    }

    private static String fraction(long v, int prec) {
        long p = 1;
        for (int i = 0; i < prec; i++) p *= 10;
        long whole = v / p;
        long frac = v % p;
        if (frac == 0) return Long.toString(whole);
        String fs = String.format("%0" + prec + "d", frac);
        return whole + "." + stripZeros(fs);
    }

    private static String stripZeros(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0') end--;
        return s.substring(0, end);
    }
}
