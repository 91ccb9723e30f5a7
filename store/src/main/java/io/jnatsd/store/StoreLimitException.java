package io.jnatsd.store;

/**
 * A {@code store()} was rejected by a limit: with discard new, storing would exceed max_msgs,
 * max_bytes, or (with discard_new_per_subject) max_msgs_per_subject; or the message is larger
 * than max_msg_size. Upstream's {@code ErrMaxMsgs}, {@code ErrMaxBytes},
 * {@code ErrMaxMsgsPerSubject} and {@code ErrMaxPayload}.
 */
public final class StoreLimitException extends StoreException {

    /** Which limit. */
    public enum Reason {
        MAX_MSGS("maximum messages exceeded"),
        MAX_BYTES("maximum bytes exceeded"),
        MAX_MSGS_PER_SUBJECT("maximum messages per subject exceeded"),
        MAX_MSG_SIZE("message size exceeds maximum allowed");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        /** Upstream's error text. */
        public String text() {
            return text;
        }
    }

    private final Reason reason;

    public StoreLimitException(Reason reason) {
        super(reason.text());
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
