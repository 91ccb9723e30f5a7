package io.jnatsd.server.jetstream.consumer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A push consumer's flow control window, as upstream's: bytes delivered since the client last
 * answered count against a window that starts at 2 MB and doubles with each answer up to 32 MB;
 * a request goes out past half the window, and delivery stalls past all of it until the client
 * replies on the request's subject ({@code $JS.FC.<stream>.<consumer>.<4 random chars>}).
 * Guarded by the consumer's lock.
 */
final class FlowControl {
    private static final long MAX_PENDING = 32L * 1024 * 1024;
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private long pending;
    private long window = MAX_PENDING / 16;
    private long requested;
    private String outstanding;

    /** Whether delivery must wait for the client's answer. */
    boolean stalled() {
        return pending > window;
    }

    /** The outstanding request's subject (what a heartbeat reports as stalled on), or null. */
    String outstanding() {
        return outstanding;
    }

    /** Counts a delivery of {@code size} bytes; true when a flow control request is due now. */
    boolean delivered(long size) {
        pending += size;
        if (outstanding == null && pending > window / 2) return true;
        if (outstanding != null && pending - requested >= window) requested += size;
        return false;
    }

    /** Opens a request; returns the subject the client answers on. */
    String request(String stream, String consumer) {
        StringBuilder sb = new StringBuilder("$JS.FC.").append(stream).append('.').append(consumer).append('.');
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 4; i++) sb.append(DIGITS.charAt(r.nextInt(DIGITS.length())));
        outstanding = sb.toString();
        requested = pending;
        return outstanding;
    }

    /** The client answered on {@code subject}; false when it is not the latest request. */
    boolean answered(String subject) {
        if (!subject.equals(outstanding)) return false;
        if (window < MAX_PENDING) window = Math.min(window * 2, MAX_PENDING);
        pending = Math.max(0, pending - requested);
        outstanding = null;
        requested = 0;
        return true;
    }
}
