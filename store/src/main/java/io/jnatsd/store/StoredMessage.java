package io.jnatsd.store;

/**
 * A message read from a store. The arrays belong to the caller (they are fresh copies).
 *
 * @param subject        the subject it was published to
 * @param headers        the NATS headers block ({@code NATS/1.0\r\n...}), or null when it had none
 * @param payload        the payload, never null
 * @param seq            its stream sequence
 * @param timestampNanos the time it was stored, in nanoseconds since the epoch
 * @param ttlNanos       its per-message TTL: 0 none, negative never expires
 */
public record StoredMessage(String subject, byte[] headers, byte[] payload, long seq, long timestampNanos,
                            long ttlNanos) {

    /** Headers and payload bytes, as limits such as max_msg_size count them. */
    public int size() {
        return (headers == null ? 0 : headers.length) + payload.length;
    }
}
