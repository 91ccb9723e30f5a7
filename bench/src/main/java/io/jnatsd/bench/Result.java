package io.jnatsd.bench;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The measured phase of one verified run.
 *
 * @param elapsedNanos first publish to last receive (pub: to the end of the flush; reqrep, kv:
 *                     first operation started to last one done; js-pull: first fetch to the
 *                     last ack processed)
 * @param latency      per-operation times in nanoseconds (reqrep, kv-put, kv-get; else null)
 * @param across       subscribers on other servers than the publisher (a cluster); else null
 */
public record Result(BenchConfig config, String serverVersion, long elapsedNanos, Histogram latency, Across across) {

    /**
     * What a run across the servers of a cluster saw besides its timing (unmeasured).
     *
     * @param interestNanos    from the first probe published to the last one received: how long the
     *                         subscribers' interest took to reach the publisher's server
     * @param receivedByServer queue: the messages (warm-up included) the members on each server took,
     *                         by server URL in the order of {@link BenchConfig#subscriberServers()}; else null
     */
    public record Across(long interestNanos, Map<String, Long> receivedByServer) {}

    /** A run with every connection on one server. */
    public Result(BenchConfig config, String serverVersion, long elapsedNanos, Histogram latency) {
        this(config, serverVersion, elapsedNanos, latency, null);
    }

    public double seconds() {
        return elapsedNanos / 1e9;
    }

    /** Published messages (or completed requests or operations) per second. */
    public double msgsPerSec() {
        return config.msgs() / seconds();
    }

    /** Messages handed to subscribers per second: msgs × subscribers for fanout. */
    public double deliveriesPerSec() {
        int receivers = config.workload().receiversPerMessage(config.subs());
        return receivers == 0 ? msgsPerSec() : msgsPerSec() * receivers;
    }

    /** Payload megabytes (10^6) per second, delivered (pub: published; reqrep: both ways). */
    public double mbPerSec() {
        double bytes = (double) config.size() * deliveriesPerSec();
        if (config.workload() == Workload.REQREP) bytes *= 2;
        return bytes / 1e6;
    }

    private double us(double percentile) {
        return latency.getValueAtPercentile(percentile) / 1e3;
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder(256);
        sb.append('{');
        field(sb, "workload", config.workload().id(), true);
        field(sb, "server_version", serverVersion, true);
        num(sb, "size", config.size());
        num(sb, "msgs", config.msgs());
        num(sb, "subs", config.subscriberCount());
        num(sb, "warmup", config.warmup());
        field(sb, "sub_mode", config.subMode().name().toLowerCase(Locale.ROOT), true);
        dec(sb, "elapsed_s", seconds());
        dec(sb, "msgs_per_sec", msgsPerSec());
        dec(sb, "deliveries_per_sec", deliveriesPerSec());
        dec(sb, "mb_per_sec", mbPerSec());
        if (latency != null) {
            dec(sb, "req_per_sec", msgsPerSec());
            dec(sb, "p50_us", us(50));
            dec(sb, "p90_us", us(90));
            dec(sb, "p99_us", us(99));
            dec(sb, "p999_us", us(99.9));
            dec(sb, "max_us", latency.getMaxValue() / 1e3);
            dec(sb, "mean_us", latency.getMean() / 1e3);
        }
        if (across != null) {
            dec(sb, "interest_ms", across.interestNanos() / 1e6);
            if (across.receivedByServer() != null) {
                StringBuilder m = new StringBuilder("{");
                across.receivedByServer().forEach((url, n) -> m.append('"').append(url).append("\":").append(n).append(','));
                if (m.length() > 1) m.setLength(m.length() - 1);
                field(sb, "received_by_server", m.append('}').toString(), false);
            }
        }
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    public String toText() {
        String head = String.format(Locale.ROOT, "%s %d B against %s: %,d %s in %.3f s",
                config.workload().id(), config.size(), serverVersion, config.msgs(),
                config.workload().unit(), seconds());
        if (latency != null) {
            return head + String.format(Locale.ROOT,
                    "%n  %,.0f %s/s; latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f",
                    msgsPerSec(), config.workload().unit(), us(50), us(90), us(99), us(99.9), latency.getMaxValue() / 1e3)
                    + acrossText();
        }
        String rate = String.format(Locale.ROOT, "%n  %,.0f msgs/s, %.1f MB/s", msgsPerSec(), mbPerSec());
        if (config.workload() == Workload.FANOUT) {
            rate = String.format(Locale.ROOT, "%n  %,.0f msgs/s published, %,.0f deliveries/s to %d subscribers, %.1f MB/s",
                    msgsPerSec(), deliveriesPerSec(), config.subs(), mbPerSec());
        }
        return head + rate + "  (all counts verified)" + acrossText();
    }

    private String acrossText() {
        if (across == null) return "";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%n  subscribers' interest reached the publisher's server in %.1f ms", across.interestNanos() / 1e6));
        if (across.receivedByServer() != null) {
            long all = across.receivedByServer().values().stream().mapToLong(Long::longValue).sum();
            sb.append(String.format(Locale.ROOT, "%n  taken by the members on each server:"));
            across.receivedByServer().forEach((url, n) -> sb.append(String.format(Locale.ROOT,
                    " %s %,d (%.1f%%)", url, n, all == 0 ? 0.0 : 100.0 * n / all)));
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, String k, String v, boolean quote) {
        sb.append('"').append(k).append("\":");
        if (v == null) sb.append("null");
        else if (quote) sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        else sb.append(v);
        sb.append(',');
    }

    private static void num(StringBuilder sb, String k, long v) {
        field(sb, k, Long.toString(v), false);
    }

    private static void dec(StringBuilder sb, String k, double v) {
        field(sb, k, String.format(Locale.ROOT, "%.3f", v), false);
    }
}
