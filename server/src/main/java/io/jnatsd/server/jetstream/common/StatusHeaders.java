package io.jnatsd.server.jetstream.common;

import java.nio.charset.StandardCharsets;

/** The header blocks of the status messages consumers send, written exactly as upstream writes them. */
public final class StatusHeaders {
    public static final byte[] FLOW_CONTROL_REQUEST = ascii("NATS/1.0 100 FlowControl Request\r\n\r\n");

    private StatusHeaders() {}

    /** {@code NATS/1.0 <status>}, e.g. "404 No Messages". */
    public static byte[] status(String status) {
        return ascii("NATS/1.0 " + status + "\r\n\r\n");
    }

    /** A status with the request's unmet demand: Nats-Pending-Messages and Nats-Pending-Bytes. */
    public static byte[] status(String status, long pendingMessages, long pendingBytes) {
        return ascii("NATS/1.0 " + status + "\r\nNats-Pending-Messages: " + pendingMessages
                + "\r\nNats-Pending-Bytes: " + pendingBytes + "\r\n\r\n");
    }

    /** {@code 100 Idle Heartbeat} with the last delivered sequences, and the flow control subject it is stalled on. */
    public static byte[] heartbeat(long lastConsumerSeq, long lastStreamSeq, String stalledOn) {
        StringBuilder h = new StringBuilder("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ").append(lastConsumerSeq)
                .append("\r\nNats-Last-Stream: ").append(lastStreamSeq).append("\r\n");
        if (stalledOn != null) h.append("Nats-Consumer-Stalled: ").append(stalledOn).append("\r\n");
        return ascii(h.append("\r\n").toString());
    }

    /** headers_only: the message's headers plus {@code Nats-Msg-Size}, for an empty payload. */
    public static byte[] headersOnly(byte[] headers, int payloadLength) {
        return Headers.with(headers, "Nats-Msg-Size", String.valueOf(payloadLength));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
