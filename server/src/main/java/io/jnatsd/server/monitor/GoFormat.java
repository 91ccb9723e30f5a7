package io.jnatsd.server.monitor;

import io.jnatsd.conf.GoDuration;

/** The duration texts of upstream's monitoring. */
final class GoFormat {
    private GoFormat() {}

    /**
     * Upstream's uptime and idle: whole seconds, with days and years spelled out
     * ({@code 1y2d3h4m5s}, {@code 3h0m7s}, {@code 42s}).
     */
    static String uptime(long nanos) {
        long secs = Math.max(0, nanos) / 1_000_000_000L;
        long mins = secs / 60;
        long hours = mins / 60;
        long days = hours / 24;
        long years = days / 365;
        if (years > 0) return years + "y" + (days % 365) + "d" + (hours % 24) + "h" + (mins % 60) + "m" + (secs % 60) + "s";
        if (days > 0) return days + "d" + (hours % 24) + "h" + (mins % 60) + "m" + (secs % 60) + "s";
        if (hours > 0) return hours + "h" + (mins % 60) + "m" + (secs % 60) + "s";
        if (mins > 0) return mins + "m" + (secs % 60) + "s";
        return secs + "s";
    }

    /** A round-trip time as upstream prints it: Go's duration text, whole microseconds below 1 ms. */
    static String rtt(long nanos) {
        if (nanos > 1_000 && nanos < 1_000_000) nanos -= nanos % 1_000;
        return GoDuration.format(nanos);
    }
}
