package io.jnatsd.server.jetstream.consumer;

/**
 * A push consumer's {@code rate_limit_bps}, applied as upstream applies it: a token bucket of
 * bytes refilled at a rate of bps/8 per second, as deep as the largest message the stream may
 * hold (so one message always fits in a full bucket), starting full. A delivery takes its size
 * from the bucket, going into debt if need be; the debt is the time the next delivery waits.
 * Guarded by the consumer's lock.
 */
final class RateLimit {
    private final double bytesPerNano;
    private final double burst;
    private double tokens;
    private long last;

    private RateLimit(long bps, long burst, long now) {
        this.bytesPerNano = (bps / 8) / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    /**
     * The limit for {@code bps} bits per second, or null for none. {@code burst} is the stream's
     * max_msg_size when set, else the server's max_payload, as upstream sizes it.
     */
    static RateLimit of(long bps, long maxMsgSize, long maxPayload, long now) {
        if (bps <= 0) return null;
        return new RateLimit(bps, maxMsgSize > 0 ? maxMsgSize : maxPayload, now);
    }

    /** Takes {@code size} bytes at {@code now} (nanoTime); returns how long to wait before sending them, 0 for now. */
    long reserve(long now, long size) {
        if (now - last > 0) {
            tokens = Math.min(burst, tokens + (now - last) * bytesPerNano);
            last = now;
        }
        tokens -= size;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerNano);
    }
}
