package io.jnatsd.server.jetstream.consumer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A consumer's {@code sample_freq}: the share of explicit acks that publish a
 * {@code consumer_ack} metric ({@code $JS.EVENT.METRIC.CONSUMER.ACK.<stream>.<consumer>}) with
 * the time the ack took, so latency can be watched without a metric per message.
 */
final class AckSampling {
    private AckSampling() {}

    /** "30", "30%" or "100%" as a percentage; 0 (no sampling) when absent or not a number. */
    static int percent(String sampleFreq) {
        if (sampleFreq == null || sampleFreq.isEmpty()) return 0;
        String s = sampleFreq.endsWith("%") ? sampleFreq.substring(0, sampleFreq.length() - 1) : sampleFreq;
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether this ack is sampled; upstream draws from 0..99 and samples at or below the percentage. */
    static boolean sample(int percent) {
        if (percent <= 0) return false;
        return percent >= 100 || ThreadLocalRandom.current().nextInt(100) <= percent;
    }
}
